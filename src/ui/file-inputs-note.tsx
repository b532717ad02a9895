// What happens to the files a database run's prompts reach: which files of the columns they name go to
// the model and within what limit, or — for an engine that reads no files — that it cannot, before
// anything runs; and, with {{page}}, what happens to the images on each row's page.
import {
  acceptedText,
  acceptedTypes,
  MAX_PAGE_IMAGES,
  MAX_ROW_FILE_BYTES,
  pageImageTypes,
  sizeText,
} from '../shared/attachments';
import type { EngineAbilities } from '../messaging';
import { ENGINE_LABELS } from '../shared/engines';
import type { PropertyInfo } from '../shared/notion-shapes';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';

export function FileInputsNote({
  prompts,
  properties,
  abilities,
}: {
  prompts: readonly string[];
  properties: readonly PropertyInfo[];
  abilities: EngineAbilities | undefined;
}) {
  const names = properties.map((p) => p.name);
  const references = new Set(prompts.flatMap((p) => checkTemplate(p, names).references));
  const named = [...references].filter((name) => properties.find((p) => p.name === name)?.type === 'files');
  if (!abilities) return null;
  const { engine } = abilities;
  const columns = named.map((name) => `“${name}”`).join(' and ');
  const files =
    named.length === 0 ? null : acceptedTypes(engine).length === 0 ? (
      <p class="ink-problem" data-testid="file-inputs">
        Chrome built-in AI cannot read files: to send the files in {columns}, choose GPT (OpenAI) or Gemini in Settings
        → AI engine.
      </p>
    ) : (
      <p class="muted" data-testid="file-inputs">
        The files in {columns} go to the model with each row: {acceptedText(engine)} uploaded to Notion, up to{' '}
        {sizeText(MAX_ROW_FILE_BYTES)} a row. Links to files elsewhere go as their addresses.
      </p>
    );
  const pageImages = !references.has(PAGE_PLACEHOLDER) ? null : (
    <p class="muted" data-testid="page-images">
      {pageImageTypes(engine).length > 0
        ? `Images uploaded to each row’s page go with it: ${acceptedText(engine, pageImageTypes(engine))}, up to ${MAX_PAGE_IMAGES} a page, within the ${sizeText(MAX_ROW_FILE_BYTES)} a row.`
        : `${ENGINE_LABELS[engine]} is sent only the names of the images on each row’s page.${acceptedTypes(engine).length > 0 ? ' Put images in a files column to send them.' : ''}`}
    </p>
  );
  return (
    <>
      {files}
      {pageImages}
    </>
  );
}
