// Inkling beside a person working in Notion: every answer lands once, nothing a person wrote is lost,
// moved or written over, Undo takes back only what Inkling wrote — through failed follow-up writes,
// a worker stopped mid-request, cells filled during a run, two Generates at once, a Cancel while
// requests wait their turn, a database past Notion's 10,000-results cap, and Clear.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { minimumRequests } from '../../src/notion/block-plan.ts';
import { markdownToBlocks } from '../../src/notion/markdown-to-blocks.ts';
import { pageHref } from '../sandbox/site/index.ts';
import { appendRequests, expectedShapes, freshPage, generate, treeOf, type Shape } from './blocks.ts';
import { appliedWrites, openAndSetUp, startRun, storedRun, topicsDatabase } from './databases.ts';
import {
  click,
  openNotion,
  openPanel,
  openPopup,
  panelText,
  readExtensionStorage,
  readSecrets,
  runStatus,
  stopWorker,
  typeInto,
  useWorld,
  waitFor,
} from './harness.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

/** 100 paragraphs, then a table of a header and 150 rows, then a list four levels deep, then a closing line. */
const BIG_ANSWER = [
  ...Array.from({ length: 100 }, (_, i) => `Paragraph ${i + 1}.`),
  ['| Item | Value |', '|---|---|', ...Array.from({ length: 150 }, (_, i) => `| item ${i + 1} | ${i + 1} |`)].join(
    '\n',
  ),
  ['- Level 1', '  - Level 2', '    - Level 3', '      - Level 4', '- Level 1 again'].join('\n'),
  'The end.',
].join('\n\n');

const notionPatches = { host: 'api.notion.com', method: 'PATCH' } as const;
/** Appends after the first two (the page's own two requests): the follow-ups under the table and the list. */
const followUps = { ...notionPatches, path: '/v1/blocks/', skip: 2 } as const;

/** What a person types into a row's output during a run. */
const person = (n: number) => `Filled by a person (${n})`;

const tablesIn = (shapes: Shape[]): Shape[] =>
  shapes.flatMap((s) => [...(s.type === 'table' ? [s] : []), ...tablesIn(s.children ?? [])]);

/** The page holds its old content, the whole answer exactly once, and then `after`. */
function expectOneCopy(id: string, after: Shape[] = []): void {
  const blocks = treeOf(world, id);
  expect(blocks[0]).toMatchObject({ type: 'paragraph', text: 'Existing text.' });
  expect(blocks.slice(1)).toEqual([...expectedShapes(BIG_ANSWER), ...after]);
  const tables = tablesIn(blocks);
  expect(tables).toHaveLength(1);
  expect(tables[0]!.children).toHaveLength(151);
}

/** Starts the big answer and waits until its follow-up writes fail for good. */
async function failFollowUps(title: string): Promise<{ id: string; page: Page }> {
  world.sandbox.models.script({ text: BIG_ANSWER });
  const { id, page } = await freshPage(world, pages, title);
  world.sandbox.faults.add({ ...followUps, status: 500, times: Infinity });
  await generate(page, 'Write the inventory');
  const status = await runStatus(page, 'Not written');
  expect(status).toContain('the rest of the content nested in block 101 of 104 (the table)');
  world.sandbox.faults.clear();
  return { id, page };
}

describe('A page run beside a person', () => {
  it('whose follow-up writes keep failing: “Write it again” ends with one table of 151 rows and one copy of every block', async () => {
    const { id, page } = await failFollowUps('Inventory');
    const calls = world.sandbox.models.calls.length;
    const before = appendRequests(world).length;
    await click(page, 'Write it again');
    await runStatus(page, 'Done');
    expectOneCopy(id);
    // No new answer was paid for, and only the follow-ups that had not landed were sent.
    expect(world.sandbox.models.calls.length).toBe(calls);
    expect(appendRequests(world).length - before).toBe(2);
  });

  it('the same, with a paragraph the person typed at the end meanwhile: it stays untouched, where it was', async () => {
    const { id, page } = await failFollowUps('Inventory with a note');
    world.sandbox.notion.appendBlocks(id, [
      { type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'My own note.' } }] } },
    ]);
    await click(page, 'Write it again');
    await runStatus(page, 'Done');
    expectOneCopy(id, [{ type: 'paragraph', text: 'My own note.' }]);
  });

  it('with the worker stopped while a follow-up write is in flight: one copy of everything', async () => {
    world.sandbox.models.script({ text: BIG_ANSWER });
    const { id, page } = await freshPage(world, pages, 'Inventory, interrupted');
    // The first follow-up takes 3 s in Notion, and lands after the worker that sent it is gone.
    world.sandbox.faults.add({ ...followUps, delayMs: 3_000, times: 1 });
    await generate(page, 'Write the inventory');
    await waitFor(() => world.sandbox.faults.firedCount === 1, 'the follow-up to reach Notion', 30_000);
    await stopWorker(world);
    await runStatus(page, 'Done', 90_000);
    expectOneCopy(id);
    expect(appendRequests(world).filter((r) => r.status === 200)).toHaveLength(
      minimumRequests(markdownToBlocks(BIG_ANSWER)),
    );
  });

  it('keeps an image the prompt did not give as visible link text, so Notion never fetches it', async () => {
    const given = 'https://img.example.com/sales-chart.png';
    const leak = 'https://collector.example/pixel.png?d=Existing%20text';
    world.sandbox.models.script({ text: `The chart:\n\n![Sales](${given})\n\n![](${leak})\n` });
    const { id, page } = await freshPage(world, pages, 'Charts');
    await generate(page, `Show the chart at ${given}`);
    await runStatus(page, 'Done');
    const written = world.sandbox.notion.getBlockTree(id).slice(1);
    expect(written.map((b) => b.type)).toEqual(['paragraph', 'image', 'paragraph']);
    expect(JSON.stringify(written[1])).toContain(given);
    expect(JSON.stringify(written.filter((b) => b.type === 'image'))).not.toContain('collector.example');
    expect(treeOf(world, id).at(-1)).toMatchObject({ type: 'paragraph', text: leak, links: [leak] });
  });
});

describe('A database run beside a person', () => {
  it('never writes over five cells a person filled (two during the run, three just before the worker stopped), and Undo leaves them and a later correction alone', async () => {
    const db = topicsDatabase(world, { count: 48, ticked: () => true });
    // Notion takes its time with each write, so answered rows wait their turn.
    world.sandbox.faults.add({ ...notionPatches, path: '/v1/pages/', delayMs: 300, times: Infinity });
    const page = await openAndSetUp(world, pages, db);
    await startRun(page);
    const filled = new Map<string, string>();

    // Two rows Inkling has not read yet (the last two), filled while the run goes on.
    await waitFor(async () => ((await storedRun(world)).job?.counts.written ?? 0) >= 5, '5 rows written', 60_000);
    const read = new Set((await storedRun(world)).rows.map((r) => r.id));
    for (const id of db.rowIds.slice(-2)) {
      expect(read.has(id)).toBe(false);
      filled.set(id, person(filled.size + 1));
    }
    for (const [id, value] of filled) world.sandbox.notion.updateRow(id, { Output: value });

    // Three rows already answered and waiting for their write (the last in line), filled right before the worker stops.
    const answered = await waitFor(
      async () => {
        const rows = (await storedRun(world)).rows.filter((r) => r.state === 'generated' && r.sentAt === undefined);
        return rows.length >= 3 ? rows : undefined;
      },
      'answered rows waiting for their write',
      60_000,
    );
    for (const row of answered.slice(-3)) {
      filled.set(row.id, person(filled.size + 1));
      world.sandbox.notion.updateRow(row.id, { Output: filled.get(row.id)! });
    }
    await stopWorker(world);
    await runStatus(page, 'Done', 120_000);

    const writes = appliedWrites(world, db.rowIds);
    for (const row of db.cells()) {
      if (filled.has(row.id)) {
        expect(row.Output, `${row.Topic} left as the person wrote it`).toBe(filled.get(row.id));
        expect(writes.get(row.id)).toBeUndefined();
      } else {
        expect(writes.get(row.id), `${row.Topic} written once`).toBe(1);
        expect(row.Output).toBe(`「${row.Topic}」(ja)`);
        expect(row.Generate).toBe(false);
      }
    }
    const { rows } = await storedRun(world);
    for (const id of filled.keys())
      expect(rows.find((r) => r.id === id)?.reason).toMatch(/^Filled in Notion since the run started/);
    expect(await panelText(page, '[data-testid="run-counts"]')).toContain('43 written · 0 failed · 5 skipped · 0 left');

    // After the run the person corrects one answer; Undo run takes back everything else.
    const corrected = db.rowIds.find((id) => !filled.has(id))!;
    world.sandbox.notion.updateRow(corrected, { Output: 'A better translation.' });
    world.sandbox.faults.clear();
    await click(page, 'Undo run');
    expect(await runStatus(page, 'Undone', 120_000)).toContain('except 1 cell changed in Notion since the run');
    for (const row of db.cells()) {
      if (filled.has(row.id)) expect(row).toMatchObject({ Output: filled.get(row.id), Generate: true });
      else if (row.id === corrected) expect(row).toMatchObject({ Output: 'A better translation.', Generate: true });
      else expect(row).toMatchObject({ Output: '', Generate: true });
    }
  }, 240_000);

  it('reads a database of 10,050 rows past Notion’s 10,000-results cap: every row counted, the last ones written', async () => {
    const start = Date.parse('2026-06-01T00:00:00Z');
    const db = topicsDatabase(world, {
      count: 10_050,
      ticked: () => true,
      // Entered over a week, two a minute; all but the last 50 already have an output.
      rowsCreatedAt: (i) => start + Math.floor(i / 2) * 60_000,
      extra: (i) => (i < 10_000 ? { Output: 'Done before.' } : {}),
    });
    const page = await openAndSetUp(world, pages, db);
    await click(page, 'Generate');
    const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate', 120_000);
    expect(estimate).toContain('50 rows to do · 10,000 skipped (already filled)');
    await click(page, 'Start');
    expect(await runStatus(page, 'Done', 180_000)).toBeTruthy();
    expect(await panelText(page, '[data-testid="run-counts"]')).toContain(
      '50 written · 0 failed · 10,000 skipped · 0 left',
    );
    const writes = appliedWrites(world, db.rowIds);
    const cells = db.cells();
    for (const row of cells.slice(10_000)) {
      expect(row.Output).toBe(`「${row.Topic}」(ja)`);
      expect(writes.get(row.id)).toBe(1);
    }
    expect(cells.slice(0, 10_000).every((row) => row.Output === 'Done before.' && row.Generate)).toBe(true);
    expect(writes.size).toBe(50);
  }, 300_000);
});

describe('One run at a time, and Cancel', () => {
  it('two Generates on one page start one run; the other is refused with a message that offers to show it', async () => {
    world.sandbox.models.configure({ timeToFirstTokenMs: 1_500 });
    world.sandbox.models.script({ text: 'One answer.' });
    const id = world.sandbox.notion.createPage({ title: 'Shared page' });
    const tabs: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const tab = await openNotion(world, pageHref(id, 'Shared page'));
      pages.push(tab);
      await openPanel(tab, 'Shared page');
      await typeInto(tab, 'Prompt', `Write something (${i + 1})`);
      tabs.push(tab);
    }
    // Both clicked in the same moment (as from two windows), before either tab can know of the other's
    // run. (A tab in the background answers no accessibility queries, so the buttons are found in the DOM.)
    await Promise.all(
      tabs.map((tab) =>
        tab.$eval('inkling-panel', (host) =>
          [...host.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Generate')!.click(),
        ),
      ),
    );
    const refused = await waitFor(async () => {
      for (const tab of tabs) {
        const alert = await panelText(tab, '[role="alert"]');
        if (alert.includes('A run is already going on “Shared page”')) return tab;
      }
      return undefined;
    }, 'one Generate to be refused');
    await refused.bringToFront();
    await click(refused, 'Show the run');
    await Promise.all(tabs.map((tab) => runStatus(tab, 'Done')));
    const stored = await readExtensionStorage(world);
    expect(Object.keys(stored).filter((k) => k.startsWith('job:'))).toHaveLength(1);
    expect(world.sandbox.models.calls).toHaveLength(1);
    expect(treeOf(world, id)).toEqual([{ type: 'paragraph', text: 'One answer.' }]);
  });

  it('Cancel takes the requests waiting their turn out of the queue: Notion never receives them', async () => {
    const db = topicsDatabase(world);
    // The first row write meets a 429 that asks for 4 s: every other request waits in Inkling's queue.
    world.sandbox.faults.add({
      ...notionPatches,
      path: '/v1/pages/',
      status: 429,
      headers: { 'retry-after': '4' },
      times: 1,
    });
    // Counts (and lets through) every row write that reaches Notion after that.
    world.sandbox.faults.add({ ...notionPatches, path: '/v1/pages/', times: Infinity });
    const page = await openAndSetUp(world, pages, db);
    await startRun(page);
    await waitFor(() => world.sandbox.faults.firedCount >= 1, 'the 429', 30_000);
    await waitFor(
      async () => ((await storedRun(world)).rows.filter((r) => r.state === 'generated').length ?? 0) >= 4,
      'answered rows queued for Notion',
    );
    await click(page, 'Cancel');
    await runStatus(page, 'Cancelled');
    // Past the 429's wait, and then some: nothing that was queued went out.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(world.sandbox.faults.firedCount).toBe(1);
    expect(world.sandbox.notion.requestLog.filter((e) => e.route === 'PATCH /v1/pages/:id')).toEqual([]);
  });
});

describe('Clear', () => {
  it('after a run, leaves no row value, answer, journal or secret behind', async () => {
    const db = topicsDatabase(world, { count: 8 });
    const page = await openAndSetUp(world, pages, db);
    await startRun(page);
    await runStatus(page, 'Done', 60_000);
    const before = JSON.stringify(await readExtensionStorage(world));
    expect(before).toContain('「Topic 01」(ja)');
    expect(before).toContain('jobrows:');

    const popup = await openPopup(world);
    pages.push(popup);
    await click(popup, 'Clear');
    await click(popup, 'Clear everything');
    await waitFor(async () => Object.keys(await readExtensionStorage(world)).length === 0, 'storage to empty');
    expect(await readSecrets(world)).toEqual({});
  });
});
