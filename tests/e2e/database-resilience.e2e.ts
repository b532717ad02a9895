// A database run survives what the outside world does to it — a 429 storm, 500s and dropped
// connections, the worker stopped mid-run, the browser closed and reopened — and ends with every
// chosen row written exactly once and every other row untouched. Cancel stops at once; Undo
// restores every cell; failures say what to do and lose nothing.
import { describe, expect, it } from 'vitest';
import {
  appliedWrites,
  openAndSetUp as openAndSetUpIn,
  rowCells,
  startRun,
  storedRun,
  topicsDatabase as topicsOf,
  type Topics,
} from './databases.ts';
import { click, configure, panelText, runStatus, stopWorker, waitFor, useWorld } from './harness.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

const topicsDatabase = () => topicsOf(world);
const openAndSetUp = (db: Topics, prompt?: string) => openAndSetUpIn(world, pages, db, prompt);
const start = startRun;

/** Every ticked row written exactly once and translated and unticked; every other row as it was. */
function expectExactlyOnce(db: Topics): void {
  const writes = appliedWrites(world, db.rowIds);
  for (const row of db.cells()) {
    if (db.ticked.has(row.id)) {
      expect(writes.get(row.id), `${row.Topic} written once`).toBe(1);
      expect(row.Output).toBe(`「${row.Topic}」(ja)`);
      expect(row.Generate).toBe(false);
    } else {
      expect(writes.get(row.id), `${row.Topic} untouched`).toBeUndefined();
      expect(row.Output).toBe('');
      expect(row.Generate).toBe(false);
    }
  }
}

const storedJob = async () => (await storedRun(world)).job;

describe('A database run survives', () => {
  it('a 429 storm', async () => {
    const db = topicsDatabase();
    // Stricter than Notion's 3 requests a second that Inkling keeps to: 429s with Retry-After all along.
    world.sandbox.notion.setRateLimit(2, 1);
    const page = await openAndSetUp(db);
    await start(page);
    await runStatus(page, 'Done', 120_000);
    expect(world.sandbox.notion.requestLog.filter((r) => r.status === 429).length).toBeGreaterThan(5);
    expectExactlyOnce(db);
  });

  it('500s and dropped connections, whether the write landed or not — and Undo restores every cell', async () => {
    const db = topicsDatabase();
    const before = db.cells();
    const notion = { host: 'api.notion.com', method: 'PATCH', path: '/v1/pages/' };
    world.sandbox.faults.add({ ...notion, status: 500, skip: 2, times: 3 });
    world.sandbox.faults.add({ ...notion, status: 502, afterApplying: true, skip: 6, times: 2 });
    world.sandbox.faults.add({ ...notion, drop: true, afterApplying: true, skip: 10, times: 2 });
    world.sandbox.faults.add({ host: 'api.notion.com', method: 'POST', path: /\/query$/, status: 503, times: 1 });
    world.sandbox.models.script({ fault: 'server_error', times: 2 });
    world.sandbox.models.script({ fault: 'drop', times: 1 });
    const page = await openAndSetUp(db);
    await start(page);
    await runStatus(page, 'Done', 120_000);
    expect(world.sandbox.faults.firedCount).toBeGreaterThanOrEqual(8);
    expectExactlyOnce(db);

    await click(page, 'Undo run');
    await runStatus(page, 'Undone', 120_000);
    expect(db.cells()).toEqual(before);
  });

  it('the service worker stopped three times mid-run', async () => {
    const db = topicsDatabase();
    world.sandbox.models.configure({ timeToFirstTokenMs: 150 });
    const page = await openAndSetUp(db);
    await start(page);
    for (const atLeast of [3, 10, 18]) {
      await waitFor(
        async () => ((await storedJob())?.counts.written ?? 0) >= atLeast,
        `${atLeast} rows written`,
        60_000,
      );
      await stopWorker(world);
    }
    await runStatus(page, 'Done', 120_000);
    expectExactlyOnce(db);
  });

  it('the browser closed and reopened on the same profile', async () => {
    const db = topicsDatabase();
    world.sandbox.models.configure({ timeToFirstTokenMs: 150 });
    const page = await openAndSetUp(db);
    await start(page);
    await waitFor(async () => ((await storedJob())?.counts.written ?? 0) >= 8, '8 rows written', 60_000);
    pages.splice(0);
    await world.closeBrowser();
    await world.reopenBrowser();
    // Nobody opens Notion: the worker wakes with the browser and finishes the run by itself.
    await waitFor(async () => (await storedJob())?.status === 'done', 'the run to finish after the restart', 120_000);
    expectExactlyOnce(db);
  });
});

describe('Cancel, and failures that stop a run', () => {
  it('Cancel stops within a second and keeps what was written', async () => {
    const db = topicsDatabase();
    world.sandbox.models.configure({ timeToFirstTokenMs: 200, tokensPerSecond: 20 });
    world.sandbox.models.script({ text: 'A long answer that streams slowly. '.repeat(20) });
    const page = await openAndSetUp(db);
    await start(page);
    await waitFor(() => world.sandbox.models.calls.length >= 2, 'model calls in flight');
    await click(page, 'Cancel');
    const clicked = Date.now();
    await waitFor(async () => (await storedJob())?.status === 'cancelled', 'the run to be cancelled', 1_000);
    // Streams in flight were cut (each stopped well short of its 20-token-a-second answer) …
    await waitFor(
      () => world.sandbox.models.calls.every((c) => c.status !== 0 || c.aborted),
      'in-flight streams to be cut',
      3_000,
    );
    // … and no model call started later than a second after Cancel.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(world.sandbox.models.calls.filter((c) => c.at > clicked + 1_000)).toEqual([]);
    expect(await panelText(page, '[data-testid="run-status"]')).toContain('Cancelled');
  });

  it('a rejected model key stops the run, and nothing is lost', async () => {
    await configure(world, { geminiKey: 'AIzaSy-revoked-0000000000000000000000', limitPresets: { gemini: 'paid' } });
    const db = topicsDatabase();
    const before = db.cells();
    const page = await openAndSetUp(db);
    await start(page);
    expect(await runStatus(page, 'did not accept')).toContain('Gemini did not accept this API key');
    const job = await storedJob();
    expect(job?.counts.failed).toBe(0);
    expect(job?.counts.written).toBe(0);
    // Every chosen row is still to do: those read and waiting, and those not read yet.
    await waitFor(
      async () =>
        (await panelText(page, '[data-testid="run-counts"]')).includes('0 written · 0 failed · 0 skipped · 30 left'),
      'the counts',
    );
    expect(db.cells()).toEqual(before);
  });

  it('an exhausted quota pauses the run with the time it carries on', async () => {
    world.sandbox.models.script({ fault: 'quota_exhausted' });
    const db = topicsDatabase();
    const page = await openAndSetUp(db);
    await start(page);
    const status = await runStatus(page, 'Paused');
    expect(status).toContain('used up its quota');
    expect(status).toMatch(/carries on by itself at \d/);
    expect((await storedJob())?.counts.failed).toBe(0);
  });

  it('follows a renamed output column, and names a deleted one', async () => {
    const db = topicsDatabase();
    const page = await openAndSetUp(db);
    world.sandbox.notion.editColumn(db.dataSourceId, 'Output', { name: 'Japanese' });
    await start(page);
    await runStatus(page, 'Done', 60_000);
    const japanese = world.sandbox.notion.queryRows(db.dataSourceId).map((r) => rowCells(r, ['Topic', 'Japanese']));
    expect(japanese.filter((r) => r.Japanese !== '')).toHaveLength(30);

    const other = topicsDatabase();
    const page2 = await openAndSetUp(other);
    world.sandbox.notion.editColumn(other.dataSourceId, 'Output', null);
    await click(page2, 'Generate');
    await waitFor(
      () => panelText(page2, '[role="alert"]').then((t) => t.includes('no longer exists')),
      'the missing-column message',
    );
    // The second run stopped before any model call.
    expect(world.sandbox.models.calls.filter((c) => c.prompt.includes('Topic 01'))).toHaveLength(1);
  });

  it('says what to do when the database is no longer shared', async () => {
    const db = topicsDatabase();
    const page = await openAndSetUp(db);
    world.sandbox.notion.share(db.databaseId, false);
    await click(page, 'Generate');
    await waitFor(
      () =>
        panelText(page, '[role="alert"]').then((t) =>
          t.includes(
            'Inkling can’t see this database. In Notion, open it, click ••• → Connections, and add your integration.',
          ),
        ),
      'the sharing message',
    );
  });
});
