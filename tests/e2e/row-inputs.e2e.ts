// Rows that know more than their own text: chained outputs (a later output's prompt names an earlier
// one's answer, and each row's second call is built from its first), with a circle of prompts refused;
// and files as input (a row's image, uploaded to Notion, reaches the model as an image part, downloaded
// right before the call from an address read just then), with a file too large and an engine that
// reads no files each said before anything is lost; and the images uploaded to a row’s page sent with
// {{page}}.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { databaseHref } from '../sandbox/site/index.ts';
import { bigPng, SAMPLE_PNG } from '../sandbox/notion/sample-files.ts';
import {
  click,
  configure,
  openNotion,
  openPanel,
  panelText,
  runStatus,
  typeInto,
  useWorld,
  waitFor,
} from './harness.ts';
import { rowCells, setOutputs } from './databases.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

/** Notes to summarise, then classify by their summary. */
function notes() {
  return world.sandbox.notion.createDatabase({
    title: 'Notes',
    properties: {
      Topic: 'title',
      Summary: 'rich_text',
      Category: { select: { options: [{ name: 'Science' }, { name: 'Art' }] } },
    },
    rows: ['Black holes', 'Impressionism', 'Photosynthesis'].map((Topic) => ({ Topic })),
  });
}

async function openDatabase(databaseId: string, title: string): Promise<Page> {
  const page = await openNotion(world, databaseHref(databaseId));
  pages.push(page);
  await openPanel(page, title);
  return page;
}

describe('Chained outputs', () => {
  it('answers “Category” from each row’s own “Summary”: both steps previewed, both written, the second call built from the first', async () => {
    const db = notes();
    const page = await openDatabase(db.databaseId, 'Notes');
    await setOutputs(page, ['Summary', 'Category']);
    await typeInto(page, 'Prompt', 'Summarise {{Topic}} in one line');
    await click(page, 'Own prompt for “Category”', 'checkbox');
    await typeInto(page, 'Prompt for “Category”', 'Classify this summary: {{Summary}}');

    await click(page, 'Preview');
    const preview = await waitFor(
      () => panelText(page, '[aria-label="Preview"]').then((t) => (t.includes('Step 2') ? t : undefined)),
      'both steps in Preview',
    );
    expect(preview).toContain('Step 1 · Summary: ');
    expect(preview).toContain('Step 2 · Category: ');
    expect(world.sandbox.notion.requestLog.filter((r) => r.method === 'PATCH')).toEqual([]);
    world.sandbox.models.reset();
    world.sandbox.models.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 0 });

    await click(page, 'Generate');
    const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    expect(estimate).toMatch(/^3 rows to do · about [\d,]+ tokens/);
    await click(page, 'Start');
    await runStatus(page, 'Done');

    const rows = world.sandbox.notion
      .queryRows(db.dataSourceId)
      .map((r) => rowCells(r, ['Topic', 'Summary', 'Category']));
    const calls = world.sandbox.models.calls;
    // Two calls a row: the Summary, then the Category from that very Summary.
    expect(calls).toHaveLength(6);
    for (const row of rows) {
      expect(row.Summary).toContain(row.Topic as string);
      expect(['Science', 'Art']).toContain(row.Category);
      const first = calls.findIndex((c) => c.prompt.endsWith(`Summarise ${row.Topic as string} in one line`));
      const second = calls.findIndex((c) => c.prompt.includes(`Classify this summary: ${row.Summary as string}`));
      expect(first).toBeGreaterThanOrEqual(0);
      expect(second).toBeGreaterThan(first);
    }
    // Each row written once, both outputs in one update.
    expect(world.sandbox.notion.requestLog.filter((r) => r.route === 'PATCH /v1/pages/:id')).toHaveLength(3);
  });

  it('refuses prompts that need each other’s answers, naming both, before anything is paid for', async () => {
    const db = notes();
    const page = await openDatabase(db.databaseId, 'Notes');
    await setOutputs(page, ['Summary', 'Category']);
    await typeInto(page, 'Prompt', 'Summarise {{Topic}} as {{Category}}');
    await click(page, 'Own prompt for “Category”', 'checkbox');
    await typeInto(page, 'Prompt for “Category”', 'Classify this summary: {{Summary}}');
    await click(page, 'Generate');
    const refusal = await waitFor(() => panelText(page, '.ink-problem[role="alert"]'), 'the refusal');
    expect(refusal).toContain(
      'These prompts need each other’s answers first, so none of them can go first: the Prompt uses {{Category}}, the prompt for “Category” uses {{Summary}}. Take one of those out.',
    );
    expect(world.sandbox.models.calls).toEqual([]);
  });
});

/** Products with a photo column: Mug has a photo uploaded to Notion, Lamp one that is too large, Vase none. */
function products() {
  const db = world.sandbox.notion.createDatabase({
    title: 'Products',
    properties: { Name: 'title', Photo: 'files', Description: 'rich_text' },
    rows: ['Mug', 'Lamp', 'Vase'].map((Name) => ({ Name })),
  });
  const [mug, lamp] = db.rowIds as [string, string, string];
  const photo = world.sandbox.notion.attachFile(mug, 'Photo', {
    name: 'mug.png',
    mimeType: 'image/png',
    bytes: SAMPLE_PNG,
  });
  world.sandbox.notion.attachFile(lamp, 'Photo', {
    name: 'lamp.png',
    mimeType: 'image/png',
    bytes: bigPng(11 * 1024 * 1024),
  });
  return { ...db, photo };
}

describe('Files as input', () => {
  it('sends a row’s photo to the model as an image part, fetched right before the call; a file too large fails its row with what to do', async () => {
    const db = products();
    const page = await openDatabase(db.databaseId, 'Products');
    await setOutputs(page, ['Description']);
    await typeInto(page, 'Prompt', 'Describe the product in {{Photo}} in one line');
    const note = await waitFor(() => panelText(page, '[data-testid="file-inputs"]'), 'the files note');
    expect(note).toBe(
      'The files in “Photo” go to the model with each row: PNG, JPEG and WebP images and PDFs uploaded to Notion, up to 10 MB a row. Links to files elsewhere go as their addresses.',
    );
    await click(page, 'Generate');
    await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    // Every address read so far (the rows table, the count) is now past its time: the run reads its own.
    world.sandbox.notion.expireFileUrls();
    await click(page, 'Start');
    await runStatus(page, 'Done');

    const calls = world.sandbox.models.calls;
    const mugCall = calls.find((c) => c.prompt.includes('mug.png'));
    expect(mugCall?.attachments).toEqual([
      expect.objectContaining({ kind: 'image', mimeType: 'image/png', sha256: db.photo.sha256 }),
    ]);
    // The row without a photo is answered from its text alone; the one with a photo too large is not sent.
    expect(calls.find((c) => c.prompt.endsWith('Describe the product in  in one line'))?.attachments).toEqual([]);
    expect(calls.some((c) => c.prompt.includes('lamp.png'))).toBe(false);
    // The photo was downloaded after the addresses expired, from a fresh one: no download was refused.
    const downloads = world.sandbox.notion.fileDownloads.filter((d) => d.key === db.photo.key);
    expect(downloads.length).toBeGreaterThan(0);
    expect(downloads.every((d) => d.status === 200)).toBe(true);

    const failures = await waitFor(() => panelText(page, '[aria-label="Failed rows"]'), 'the failed row');
    expect(failures).toContain(
      'Lamp: “lamp.png” in “Photo” is 11 MB: Inkling sends up to 10 MB of files a row. Make it smaller, or take it out of the row.',
    );
    const rows = world.sandbox.notion.queryRows(db.dataSourceId).map((r) => rowCells(r, ['Name', 'Description']));
    expect(rows.find((r) => r.Name === 'Mug')?.Description).not.toBe('');
    expect(rows.find((r) => r.Name === 'Lamp')?.Description).toBe('');
  });

  it('says before the run that Chrome built-in AI reads no files, and refuses to count a run that would need it to', async () => {
    await configure(world, { engine: 'chrome' });
    const db = products();
    const page = await openDatabase(db.databaseId, 'Products');
    await setOutputs(page, ['Description']);
    await typeInto(page, 'Prompt', 'Describe the product in {{Photo}}');
    expect(await waitFor(() => panelText(page, '[data-testid="file-inputs"]'), 'the files note')).toBe(
      'Chrome built-in AI cannot read files: to send the files in “Photo”, choose GPT (OpenAI) or Gemini in Settings → AI engine.',
    );
    await click(page, 'Generate');
    expect(await waitFor(() => panelText(page, '.ink-problem[role="alert"]'), 'the refusal')).toContain(
      'Chrome built-in AI cannot read files, so the files in “Photo” cannot be sent. Choose GPT (OpenAI) or Gemini in Settings → AI engine, or take {{Photo}} out of the prompt.',
    );
    expect(world.sandbox.notion.fileDownloads).toEqual([]);
  });
});

const paragraph = (content: string) => ({ paragraph: { rich_text: [{ text: { content } }] } });

describe('Images on the row’s page', () => {
  it('sends the images uploaded to a row’s page with {{page}}, named in its text instead of their addresses', async () => {
    const notion = world.sandbox.notion;
    const db = notion.createDatabase({
      title: 'Catalogue',
      properties: { Name: 'title', Description: 'rich_text' },
      rows: ['Lamp', 'Table'].map((Name) => ({ Name })),
    });
    const [lamp, table] = db.rowIds as [string, string];
    notion.appendBlocks(lamp, [paragraph('A brass lamp.')]);
    const image = notion.appendImageFile(lamp, { name: 'lamp.png', mimeType: 'image/png', bytes: SAMPLE_PNG });
    notion.appendBlocks(table, [paragraph('An oak table.')]);

    const page = await openDatabase(db.databaseId, 'Catalogue');
    await setOutputs(page, ['Description']);
    await typeInto(page, 'Prompt', 'Describe the product on this page: {{page}}');
    expect(await waitFor(() => panelText(page, '[data-testid="page-images"]'), 'the page images note')).toBe(
      'Images uploaded to each row’s page go with it: PNG, JPEG and WebP images, up to 20 a page, within the 10 MB a row.',
    );
    await click(page, 'Generate');
    await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    await click(page, 'Start');
    await runStatus(page, 'Done');

    const calls = world.sandbox.models.calls;
    const lampCall = calls.find((c) => c.prompt.includes('A brass lamp.'));
    expect(lampCall?.attachments).toEqual([
      expect.objectContaining({ kind: 'image', mimeType: 'image/png', sha256: image.sha256 }),
    ]);
    expect(lampCall?.prompt).toContain('![](lamp.png)');
    expect(lampCall?.prompt).not.toContain('X-Amz');
    expect(calls.find((c) => c.prompt.includes('An oak table.'))?.attachments).toEqual([]);
    const rows = notion.queryRows(db.dataSourceId).map((r) => rowCells(r, ['Name', 'Description']));
    expect(rows.map((r) => r.Description === '')).toEqual([false, false]);
  });
});
