// What a row gives the model beyond its cells: its page as Markdown when a prompt names {{page}}, the
// images and PDFs uploaded to Notion in the files columns its prompts name ({{Files}}), and the images
// uploaded to its page — each file downloaded right
// before the row's first call that sends them, from an address read just then (Notion's file addresses
// expire), within the row's limit, each checked by its bytes against what the engine takes. A file in
// a column that cannot be sent fails the row with what to do; a page's image is left out and said.
import type { Client, PageObjectResponse } from '@notionhq/client';
import {
  acceptedText,
  acceptedTypes,
  MAX_PAGE_IMAGES,
  MAX_ROW_FILE_BYTES,
  pageImageTypes,
  sizeText,
  sniffType,
  toBase64,
  type Attachment,
  type AttachmentType,
} from '../shared/attachments';
import { ENGINE_LABELS, type EngineId } from '../shared/engines';
import type { RunStep } from '../shared/job';
import type { PropertyInfo } from '../shared/notion-shapes';
import { InklingError, type Problem } from '../shared/problem';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { downloadFile, FileDownloadError, uploadedFiles, type NotionFile } from '../notion/files';
import type { JobContext } from './context';
import { stepReferences } from './run-steps';
import { readPageMarkdown } from '../notion/page-markdown';
import type { PackRow } from '../prompt/pack-prompt';

const fileProblem = (message: string): Problem => ({ source: 'notion', kind: 'file', message, retryable: false });

/** The files columns a run's prompts name: their uploaded files go to the model. */
export function fileColumnsOf(steps: readonly RunStep[], properties: readonly PropertyInfo[]): string[] {
  const names = properties.map((p) => p.name);
  return stepReferences(steps, names).filter((name) => properties.find((p) => p.name === name)?.type === 'files');
}

/** Before a run: an engine that takes no files is said so, instead of sending only the files' names. */
export function checkFileInputs(engine: EngineId, fileColumns: readonly string[] | undefined): void {
  const column = fileColumns?.[0];
  if (column === undefined || acceptedTypes(engine).length > 0) return;
  throw new InklingError({
    source: 'inkling',
    kind: 'unsupported',
    message: `${ENGINE_LABELS[engine]} cannot read files, so the files in “${column}” cannot be sent. Choose GPT (OpenAI) or Gemini in Settings → AI engine, or take {{${column}}} out of the prompt.`,
    retryable: false,
  });
}

/** Why a file cannot be sent to this engine: its type, by its bytes. */
function typeProblem(engine: EngineId, name: string, column: string, pdf: boolean): Problem {
  const takes = `${ENGINE_LABELS[engine]} takes ${acceptedText(engine)}`;
  return fileProblem(
    pdf
      ? `“${name}” in “${column}” is a PDF, and ${takes.replace(/^The /, 'the ')}. Choose GPT (OpenAI) or Gemini in Settings to send PDFs, or take it out of the row.`
      : `“${name}” in “${column}” cannot be sent: ${takes}. Take it out of the row, or save it as one of those.`,
  );
}

/** The images uploaded to a row's page, as read for its {{page}}, and how to read their addresses again. */
export interface PageImages {
  images: readonly NotionFile[];
  reread: () => Promise<readonly NotionFile[]>;
}

/** What a step's call sends besides its prompt: files, and the page's images that could not go, with why. */
export interface StepFiles {
  attachments: Attachment[];
  unsent: string[];
}

export interface RowFilesInput {
  notion: Client;
  rowId: string;
  fileColumns: readonly string[];
  propertyNames: readonly string[];
  engine: EngineId;
  signal?: AbortSignal;
  /** Given when the row's page was read for {{page}}. */
  page?: PageImages;
}

/**
 * The row as the prompt sees it: its values, and its page's content when the template uses it, with
 * the images uploaded to the page (and how to read their addresses again).
 */
export async function promptRow(
  ctx: JobContext,
  row: { id: string; title: string; values?: Record<string, string> },
  usesPage: boolean,
): Promise<{ row: PackRow; page?: PageImages }> {
  const values = row.values ?? {};
  if (!usesPage) return { row: { title: row.title, values } };
  const read = await readPageMarkdown(ctx.notion, row.id);
  const reread = async () => (await readPageMarkdown(ctx.notion, row.id)).images;
  return { row: { title: row.title, values, pageMarkdown: read.markdown }, page: { images: read.images, reread } };
}

/** True when the row's page has images this engine would be sent, so the row is asked alone, not packed. */
export const sendsPageImages = (ctx: JobContext, page: PageImages | undefined): boolean =>
  (page?.images.length ?? 0) > 0 && pageImageTypes(ctx.engine.id).length > 0;

/** What rowFiles takes for a row of a run, in a run's context. */
export const filesInput = (
  run: { fileColumns?: readonly string[]; propertyNames: readonly string[] },
  ctx: JobContext,
  rowId: string,
  page: PageImages | undefined,
): RowFilesInput => ({
  notion: ctx.notion,
  rowId,
  fileColumns: run.fileColumns ?? [],
  propertyNames: run.propertyNames,
  engine: ctx.engine.id,
  signal: ctx.signal,
  ...(page ? { page } : {}),
});

/**
 * A row's files, downloaded once (at the first call that needs them) and handed to each call whose
 * prompt names their column, or {{page}} for the page's images.
 */
export function rowFiles(input: RowFilesInput): (step: RunStep) => Promise<StepFiles> {
  let loaded: Promise<{ byColumn: Map<string, Attachment[]>; page: StepFiles }> | undefined;
  return async (step) => {
    const { references } = checkTemplate(step.template, input.propertyNames);
    const named = references.filter((r) => input.fileColumns.includes(r));
    const withPage = references.includes(PAGE_PLACEHOLDER) && (input.page?.images.length ?? 0) > 0;
    if (named.length === 0 && !withPage) return { attachments: [], unsent: [] };
    loaded ??= (async () => {
      const used = { bytes: 0 };
      // The columns first: files a prompt names by their column matter more than whatever is on the page.
      const byColumn = await columnFiles(input, used);
      const page = input.page ? await pageFiles(input, input.page, used) : { attachments: [], unsent: [] };
      return { byColumn, page };
    })();
    const { byColumn, page } = await loaded;
    const columns = named.flatMap((column) => byColumn.get(column) ?? []);
    return withPage
      ? { attachments: [...columns, ...page.attachments], unsent: page.unsent }
      : { attachments: columns, unsent: [] };
  };
}

/** The prompt, telling the model which of the page's images it is not shown (so it does not guess them). */
export function withUnsent<T extends { prompt: string }>(prompt: T, unsent: readonly string[]): T {
  if (unsent.length === 0) return prompt;
  return { ...prompt, prompt: `${prompt.prompt}\n\nImages on the page that are not attached: ${unsent.join('; ')}.` };
}

async function columnFiles(input: RowFilesInput, used: { bytes: number }): Promise<Map<string, Attachment[]>> {
  const { notion, rowId, fileColumns, engine, signal } = input;
  const byColumn = new Map<string, Attachment[]>();
  if (fileColumns.length === 0) return byColumn;
  // Read now, for addresses that last the hour the calls need.
  const read = async () => (await notion.pages.retrieve({ page_id: rowId })) as PageObjectResponse;
  let page = await read();
  let readAgain = false;
  const download = async (column: string, i: number, file: NotionFile): Promise<Uint8Array | undefined> => {
    try {
      return await downloadFile(file.url, MAX_ROW_FILE_BYTES - used.bytes, signal);
    } catch (error) {
      if (!(error instanceof FileDownloadError)) throw error;
      if (error.reason !== 'expired' || readAgain)
        throw new InklingError(downloadProblem(error, file.name, column, used.bytes));
      // An address past its time (the row waited, say): the row is read again once, for fresh ones.
      readAgain = true;
      page = await read();
      const fresh = uploadedFiles(page, column)[i];
      // Taken out of the row meanwhile: nothing to send.
      return fresh && download(column, i, fresh);
    }
  };
  for (const column of fileColumns) {
    const attachments: Attachment[] = [];
    for (const [i, file] of uploadedFiles(page, column).entries()) {
      const bytes = await download(column, i, file);
      if (!bytes) continue;
      const type = sniffType(bytes);
      if (!type || !acceptedTypes(engine).includes(type))
        throw new InklingError(typeProblem(engine, file.name, column, type === 'application/pdf'));
      used.bytes += bytes.byteLength;
      attachments.push(attachment(file.name, type, bytes));
    }
    byColumn.set(column, attachments);
  }
  return byColumn;
}

const attachment = (name: string, mimeType: AttachmentType, bytes: Uint8Array): Attachment => ({
  name,
  mimeType,
  data: toBase64(bytes),
  bytes: bytes.byteLength,
});

/**
 * The page's images, best effort: the page is the row's context, not something it names, so an image
 * that cannot go (too large for what is left of the row's limit, of a type the engine does not take,
 * past the count, or to an engine that is sent none) is left out and said to the model rather than
 * failing the row; the panel states these limits. One that could not be reached fails the row, as a
 * file would: Retry failed then sends it.
 */
async function pageFiles(input: RowFilesInput, page: PageImages, used: { bytes: number }): Promise<StepFiles> {
  const types = pageImageTypes(input.engine);
  if (types.length === 0) return { attachments: [], unsent: page.images.map((i) => `“${i.name}”`) };
  const attachments: Attachment[] = [];
  const unsent: string[] = [];
  let images = page.images;
  let readAgain = false;
  let i = 0;
  while (i < images.length) {
    const image = images[i]!;
    i++;
    if (attachments.length >= MAX_PAGE_IMAGES) {
      unsent.push(`“${image.name}” (past ${MAX_PAGE_IMAGES} images)`);
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await downloadFile(image.url, MAX_ROW_FILE_BYTES - used.bytes, input.signal);
    } catch (error) {
      if (!(error instanceof FileDownloadError)) throw error;
      if (error.reason === 'too_large') {
        unsent.push(`“${image.name}” (too large)`);
        continue;
      }
      if (error.reason === 'expired' && !readAgain) {
        // Past its time: the page is read again once, and this image tried again from its new address.
        readAgain = true;
        images = await page.reread();
        i--;
        continue;
      }
      throw new InklingError(
        fileProblem(
          `Inkling could not download the image “${image.name}” on this row’s page from Notion (${error.message}). Retry failed tries again.`,
        ),
      );
    }
    const type = sniffType(bytes);
    if (!type || !types.includes(type)) {
      unsent.push(`“${image.name}” (a type that cannot be sent)`);
      continue;
    }
    used.bytes += bytes.byteLength;
    attachments.push(attachment(image.name, type, bytes));
  }
  return { attachments, unsent };
}

function downloadProblem(error: FileDownloadError, name: string, column: string, used: number): Problem {
  const limit = `Inkling sends up to ${sizeText(MAX_ROW_FILE_BYTES)} of files a row. Make it smaller, or take it out of the row.`;
  switch (error.reason) {
    case 'too_large':
      return fileProblem(
        error.size !== undefined && used === 0
          ? `“${name}” in “${column}” is ${sizeText(error.size)}: ${limit}`
          : `“${name}” in “${column}” takes this row’s files past ${sizeText(MAX_ROW_FILE_BYTES)}: ${limit}`,
      );
    case 'expired':
      return fileProblem(
        `Notion would not give Inkling “${name}” in “${column}” (its address expired). Retry failed tries again.`,
      );
    default:
      return fileProblem(
        `Inkling could not download “${name}” in “${column}” from Notion (${error.message}). Retry failed tries again.`,
      );
  }
}
