// What happens to the files columns a database run's prompts name: which files go to the model and
// within what limit, or — for an engine that reads no files — that it cannot, before anything runs.
import { acceptedText, acceptedTypes, MAX_ROW_FILE_BYTES, sizeText } from '../shared/attachments';
import type { EngineAbilities } from '../messaging';
import type { PropertyInfo } from '../shared/notion-shapes';
import { checkTemplate } from '../shared/template';

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
  const named = [...new Set(prompts.flatMap((p) => checkTemplate(p, names).references))].filter(
    (name) => properties.find((p) => p.name === name)?.type === 'files',
  );
  if (!abilities || named.length === 0) return null;
  const columns = named.map((name) => `“${name}”`).join(' and ');
  if (acceptedTypes(abilities.engine).length === 0)
    return (
      <p class="ink-problem" data-testid="file-inputs">
        Chrome built-in AI cannot read files: to send the files in {columns}, choose GPT (OpenAI) or Gemini in Settings
        → AI engine.
      </p>
    );
  return (
    <p class="muted" data-testid="file-inputs">
      The files in {columns} go to the model with each row: {acceptedText(abilities.engine)} uploaded to Notion, up to{' '}
      {sizeText(MAX_ROW_FILE_BYTES)} a row. Links to files elsewhere go as their addresses.
    </p>
  );
}
