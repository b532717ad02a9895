// A row's files for the model: the images and PDFs uploaded to Notion in the files columns its prompts
// name ({{Files}}), downloaded right before the row's first call that sends them — from an address read
// just then, since Notion's file addresses expire — within the row's limit, each checked by its bytes
// against what the engine takes. A file that cannot be sent fails the row with what to do about it.
import type { Client, PageObjectResponse } from '@notionhq/client';
import {
  acceptedText,
  acceptedTypes,
  MAX_ROW_FILE_BYTES,
  sizeText,
  sniffType,
  toBase64,
  type Attachment,
} from '../shared/attachments';
import { ENGINE_LABELS, type EngineId } from '../shared/engines';
import type { RunStep } from '../shared/job';
import type { PropertyInfo } from '../shared/notion-shapes';
import { InklingError, type Problem } from '../shared/problem';
import { checkTemplate } from '../shared/template';
import { downloadFile, FileDownloadError, uploadedFiles, type NotionFile } from '../notion/files';
import { stepReferences } from './run-steps';

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

/**
 * A row's files, downloaded once (at the first call that needs them) and handed to each call whose
 * prompt names their column.
 */
export function rowFiles(
  notion: Client,
  rowId: string,
  fileColumns: readonly string[],
  propertyNames: readonly string[],
  engine: EngineId,
  signal?: AbortSignal,
): (step: RunStep) => Promise<Attachment[]> {
  let loaded: Promise<Map<string, Attachment[]>> | undefined;
  return async (step) => {
    const named = checkTemplate(step.template, propertyNames).references.filter((r) => fileColumns.includes(r));
    if (named.length === 0) return [];
    loaded ??= load(notion, rowId, fileColumns, engine, signal);
    const byColumn = await loaded;
    return named.flatMap((column) => byColumn.get(column) ?? []);
  };
}

async function load(
  notion: Client,
  rowId: string,
  columns: readonly string[],
  engine: EngineId,
  signal?: AbortSignal,
): Promise<Map<string, Attachment[]>> {
  // Read now, for addresses that last the hour the calls need.
  const read = async () => (await notion.pages.retrieve({ page_id: rowId })) as PageObjectResponse;
  let page = await read();
  let readAgain = false;
  let used = 0;
  const download = async (column: string, i: number, file: NotionFile): Promise<Uint8Array | undefined> => {
    try {
      return await downloadFile(file.url, MAX_ROW_FILE_BYTES - used, signal);
    } catch (error) {
      if (!(error instanceof FileDownloadError)) throw error;
      if (error.reason !== 'expired' || readAgain)
        throw new InklingError(downloadProblem(error, file.name, column, used));
      // An address past its time (the row waited, say): the row is read again once, for fresh ones.
      readAgain = true;
      page = await read();
      const fresh = uploadedFiles(page, column)[i];
      // Taken out of the row meanwhile: nothing to send.
      return fresh && download(column, i, fresh);
    }
  };
  const byColumn = new Map<string, Attachment[]>();
  for (const column of columns) {
    const attachments: Attachment[] = [];
    for (const [i, file] of uploadedFiles(page, column).entries()) {
      const bytes = await download(column, i, file);
      if (!bytes) continue;
      const type = sniffType(bytes);
      if (!type || !acceptedTypes(engine).includes(type))
        throw new InklingError(typeProblem(engine, file.name, column, type === 'application/pdf'));
      used += bytes.byteLength;
      attachments.push({ name: file.name, mimeType: type, data: toBase64(bytes), bytes: bytes.byteLength });
    }
    byColumn.set(column, attachments);
  }
  return byColumn;
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
