// A row's files for the model, against the in-process Notion API and its file bucket: downloaded from
// an address read right before, again once when it expired anyway, typed by their bytes, within the
// row's limit — and each file that cannot be sent said with what to do.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routeFileHost, type FileHostRoute } from '../../tests/sandbox/file-host-route.ts';
import { useJobWorld } from '../../tests/sandbox/use-job-world.ts';
import { bigPng, SAMPLE_PDF, SAMPLE_PNG } from '../../tests/sandbox/notion/sample-files.ts';
import { InklingError } from '../shared/problem';
import type { PropertyInfo } from '../shared/notion-shapes';
import type { RunStep } from '../shared/job';
import { MAX_ROW_FILE_BYTES, toBase64 } from '../shared/attachments';
import { NOTION_FILE_HOST } from '../notion/files';
import { checkFileInputs, fileColumnsOf, rowFiles } from './row-inputs';

const world = useJobWorld();
let bucket: FileHostRoute;

beforeAll(async () => {
  bucket = await routeFileHost(world.notion);
});
afterAll(() => bucket.close());
beforeEach(() => bucket.reset());

const STEP = { template: 'Describe {{Photo}}', outputIds: ['x'] };
const NAMES = ['Name', 'Photo', 'Notes'];

function product(...files: Array<{ name: string; mimeType: string; bytes: Uint8Array }>) {
  const db = world.notion.createDatabase({
    title: `Products ${Date.now()}`,
    properties: { Name: 'title', Photo: 'files', Notes: 'rich_text' },
    rows: [{ Name: 'Mug' }],
  });
  const rowId = db.rowIds[0]!;
  const attached = files.map((file) => world.notion.attachFile(rowId, 'Photo', file));
  return { rowId, attached };
}

/** The attachments each step of the row sends (a column's files leave nothing unsent: they fail the row). */
function filesOf(rowId: string, engine: 'openai' | 'gemini' | 'compatible' = 'gemini') {
  const files = rowFiles({ notion: world.client(), rowId, fileColumns: ['Photo'], propertyNames: NAMES, engine });
  return async (step: RunStep) => {
    const sent = await files(step);
    expect(sent.unsent).toEqual([]);
    return sent.attachments;
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((e: unknown) => e);
  if (error instanceof InklingError) return error.problem.message;
  throw new Error(`not refused: ${String(error)}`);
}

describe('a row’s files', () => {
  it('are downloaded from an address read just then, once for all the row’s calls, and typed by their bytes', async () => {
    const { rowId, attached } = product(
      { name: 'mug.png', mimeType: 'image/png', bytes: SAMPLE_PNG },
      // Its name says JPEG; its bytes say PDF.
      { name: 'spec.jpg', mimeType: 'image/jpeg', bytes: SAMPLE_PDF },
    );
    // Addresses read before (the rows table, the count) are past their time by now.
    world.notion.expireFileUrls();
    const files = filesOf(rowId);
    const sent = await files(STEP);
    expect(sent).toEqual([
      { name: 'mug.png', mimeType: 'image/png', data: toBase64(SAMPLE_PNG), bytes: SAMPLE_PNG.length },
      { name: 'spec.jpg', mimeType: 'application/pdf', data: toBase64(SAMPLE_PDF), bytes: SAMPLE_PDF.length },
    ]);
    expect(await files({ ...STEP, template: 'And {{Photo}} again' })).toEqual(sent);
    expect(await files({ ...STEP, template: 'About {{Notes}}' })).toEqual([]);
    expect(world.notion.fileDownloads.map((d) => [d.key, d.status])).toEqual(attached.map((a) => [a.key, 200]));
  });

  it('are read again once when an address expires between the read and the download', async () => {
    const { rowId, attached } = product({ name: 'mug.png', mimeType: 'image/png', bytes: SAMPLE_PNG });
    let first = true;
    bucket.beforeBucket = () => {
      if (first) world.notion.expireFileUrls();
      first = false;
    };
    const sent = await filesOf(rowId)(STEP);
    expect(sent.map((a) => a.name)).toEqual(['mug.png']);
    expect(world.notion.fileDownloads.map((d) => [d.key, d.status])).toEqual([
      [attached[0]!.key, 403],
      [attached[0]!.key, 200],
    ]);
  });

  it('leave links to files elsewhere alone: they are never fetched', async () => {
    const db = world.notion.createDatabase({
      title: 'Linked',
      properties: { Name: 'title', Photo: 'files' },
      rows: [{ Name: 'Mug', Photo: ['https://cdn.example/mug.png'] }],
    });
    expect(await filesOf(db.rowIds[0]!)(STEP)).toEqual([]);
    expect(bucket.fetchedHosts).not.toContain('cdn.example');
    expect(bucket.fetchedHosts).not.toContain(NOTION_FILE_HOST);
  });

  it('refuse a file too large, by its size, or the file that takes the row past its limit', async () => {
    const big = product({ name: 'poster.png', mimeType: 'image/png', bytes: bigPng(11 * 1024 * 1024) });
    expect(await refusal(filesOf(big.rowId)(STEP))).toBe(
      '“poster.png” in “Photo” is 11 MB: Inkling sends up to 10 MB of files a row. Make it smaller, or take it out of the row.',
    );
    const two = product(
      { name: 'a.png', mimeType: 'image/png', bytes: bigPng(6 * 1024 * 1024) },
      { name: 'b.png', mimeType: 'image/png', bytes: bigPng(MAX_ROW_FILE_BYTES - 6 * 1024 * 1024 + 1) },
    );
    expect(await refusal(filesOf(two.rowId)(STEP))).toBe(
      '“b.png” in “Photo” takes this row’s files past 10 MB: Inkling sends up to 10 MB of files a row. Make it smaller, or take it out of the row.',
    );
  });

  it('refuse a file the engine does not take, saying what it takes', async () => {
    const doc = product({
      name: 'notes.docx',
      mimeType: 'application/msword',
      bytes: new Uint8Array([0x50, 0x4b, 3, 4]),
    });
    expect(await refusal(filesOf(doc.rowId, 'openai')(STEP))).toBe(
      '“notes.docx” in “Photo” cannot be sent: OpenAI takes PNG, JPEG, WebP and GIF images and PDFs. Take it out of the row, or save it as one of those.',
    );
    const pdf = product({ name: 'spec.pdf', mimeType: 'application/pdf', bytes: SAMPLE_PDF });
    expect(await refusal(filesOf(pdf.rowId, 'compatible')(STEP))).toBe(
      '“spec.pdf” in “Photo” is a PDF, and the OpenAI-compatible server takes PNG, JPEG, WebP and GIF images. Choose GPT (OpenAI) or Gemini in Settings to send PDFs, or take it out of the row.',
    );
  });
});

describe('before a run', () => {
  const properties: PropertyInfo[] = [
    { id: 'n', name: 'Name', type: 'title' },
    { id: 'p', name: 'Photo', type: 'files' },
    { id: 'o', name: 'Notes', type: 'rich_text' },
  ];

  it('the files columns are those the prompts name', () => {
    expect(fileColumnsOf([{ template: '{{Name}} and {{Photo}}', outputIds: [] }], properties)).toEqual(['Photo']);
    expect(fileColumnsOf([{ template: '{{Notes}}', outputIds: [] }], properties)).toEqual([]);
  });

  it('an engine that reads no files is said so, naming the column', () => {
    expect(() => checkFileInputs('gemini', ['Photo'])).not.toThrow();
    expect(() => checkFileInputs('chrome', [])).not.toThrow();
    expect(() => checkFileInputs('chrome', ['Photo'])).toThrow(
      'Chrome built-in AI cannot read files, so the files in “Photo” cannot be sent. Choose GPT (OpenAI) or Gemini in Settings → AI engine, or take {{Photo}} out of the prompt.',
    );
  });
});
