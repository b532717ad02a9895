// The local list of connections, with storage on WXT's fake browser: saved as a run starts (its
// set-up kept, so resuming restores it), each run recorded as its last run with the usage it added,
// listed, deleted and merged on Import — and every change reaching the connections database in Notion
// (the in-process Notion API, reached by the client built from the stored secret), or waiting, with
// the retry alarm set, while Notion does not take it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startFaultyNotion, type FaultyNotion } from '../../tests/sandbox/connections-notion.ts';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES } from '../../tests/sandbox/notion/index.ts';
import type * as Pacer from '../notion/pacer';
import { EMPTY_COUNTS, type DatabaseJob, type JobStatus, type JobUsage, type PageJob } from '../shared/job';
import { clearAllStorage, connectionsItem, isRegisteredKey, settingsItem, writeSecrets } from '../storage';
import { DEFAULT_SETTINGS } from '../shared/settings';
import {
  findConnectionFor,
  getConnection,
  listConnections,
  mergeConnections,
  recordRun,
  removeConnection,
  upsertConnection,
  type ConnectionDraft,
} from './connections';
import { createConnectionsDatabase } from './connections-database';
import { MIRROR_ALARM, mirrorState, requestMirrorFlush } from './mirror';
import type { Connection } from '../shared/connection';

// The client the mirror builds from the stored secret is paced as a fast one (as the job world's is):
// pacing is the pacer's own concern, tested there.
vi.mock('../notion/pacer', async (importOriginal) => {
  const actual = await importOriginal<typeof Pacer>();
  const fast = new actual.NotionPacer({ requestsPerSecond: 1_000, transientBaseDelayMs: 1 });
  return { ...actual, pacerFor: () => fast };
});

let world: JobWorld;
let door: FaultyNotion;

beforeAll(async () => {
  world = await startJobWorld();
  door = await startFaultyNotion(world.notion);
});
afterAll(async () => {
  await door.close();
  await world.close();
});
// Whatever was stored, under a key the storage registry declares: Clear can then find all of it.
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});
beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  world.notion.reset();
  world.notion.clearRequestLog();
  door.faults.clear();
});

const draft = (extra: Partial<ConnectionDraft> = {}): ConnectionDraft => ({
  id: crypto.randomUUID(),
  name: 'Japanese topics',
  kind: 'database',
  targetId: FIXTURES.topicsDatabaseId,
  targetTitle: 'Topics',
  targetUrl: 'https://www.notion.so/d0000000000040008000000000000001',
  prompt: 'Translate the topic to Japanese',
  engine: 'compatible',
  model: 'llama3.2:latest',
  options: { outputs: [{ id: 'out1' }], selection: 'ticked', checkboxId: 'chk1', overwrite: false, untick: true },
  ...extra,
});

const usage = (inputTokens: number, outputTokens: number, costUsd: number | null, calls: number): JobUsage => ({
  inputTokens,
  outputTokens,
  costUsd,
  calls,
});

function pageJob(connectionId: string, status: JobStatus, used: JobUsage, id: string = crypto.randomUUID()): PageJob {
  return {
    id,
    kind: 'page',
    connectionId,
    targetId: FIXTURES.playgroundPageId,
    targetTitle: 'Inkling Playground',
    targetUrl: '',
    status,
    createdAt: 1_000,
    updatedAt: Date.parse('2026-10-02T11:00:00.000Z'),
    engine: { engine: 'gemini', model: 'gemini-2.5-flash', baseUrl: '', limitPreset: 'free' },
    usage: used,
    prompt: 'Write me a blog on Notion in 100 words',
    useContext: true,
    mode: 'append',
    phase: 'written',
    createdIds: [],
  };
}

function databaseJob(connectionId: string, written: number, failed: number, used: JobUsage): DatabaseJob {
  return {
    id: crypto.randomUUID(),
    kind: 'database',
    connectionId,
    targetId: FIXTURES.topicsDatabaseId,
    targetTitle: 'Topics',
    targetUrl: '',
    status: 'done',
    createdAt: 1_000,
    updatedAt: Date.parse('2026-10-02T12:00:00.000Z'),
    engine: { engine: 'compatible', model: 'llama3.2:latest', baseUrl: '', limitPreset: 'local' },
    usage: used,
    dataSourceId: FIXTURES.topicsDataSourceId,
    template: 'Translate the topic to Japanese',
    propertyNames: ['Topic', 'Generate', 'Output'],
    titleColumn: { id: 'title', name: 'Topic', type: 'title' },
    outputs: [],
    selection: 'ticked',
    overwrite: false,
    untick: true,
    phase: 'finished',
    readFrom: null,
    pages: [],
    chunks: 0,
    counts: { ...EMPTY_COUNTS, total: written + failed, written, failed },
  };
}

describe('a connection saved as a run starts', () => {
  it('is new with no usage, its set-up kept, and found by its id and by its target', async () => {
    const before = Date.now();
    const saved = await upsertConnection(draft());

    expect(saved.createdAt).toBeGreaterThanOrEqual(before);
    expect(saved.updatedAt).toBe(saved.createdAt);
    expect(saved.usage).toEqual(usage(0, 0, 0, 0));
    expect(saved.lastRun).toBeUndefined();
    expect(await listConnections()).toEqual([saved]);
    expect(await getConnection(saved.id)).toEqual(saved);
    expect(await findConnectionFor(FIXTURES.topicsDatabaseId)).toEqual(saved);
    expect(await findConnectionFor(FIXTURES.playgroundPageId)).toBeUndefined();
    // What a resumed run restores its set-up from: the stored copy, not the one in memory.
    expect((await connectionsItem.getValue())[saved.id]!.options).toEqual({
      outputs: [{ id: 'out1' }],
      selection: 'ticked',
      checkboxId: 'chk1',
      overwrite: false,
      untick: true,
    });
  });

  it('run again, takes the new prompt, engine and set-up, and keeps its creation, totals and last run', async () => {
    const first = await upsertConnection(draft());
    await recordRun(databaseJob(first.id, 3, 0, usage(100, 20, 0.01, 3)));
    const recorded = (await getConnection(first.id))!;
    await new Promise((r) => setTimeout(r, 2));

    const again = await upsertConnection(
      draft({
        id: first.id,
        prompt: 'Summarise the topic',
        engine: 'openai',
        model: 'gpt-4.1-mini',
        options: { outputs: [{ id: 'out2' }], selection: 'all', overwrite: true, untick: false },
      }),
    );

    expect(again).toMatchObject({
      prompt: 'Summarise the topic',
      engine: 'openai',
      model: 'gpt-4.1-mini',
      options: { outputs: [{ id: 'out2' }], selection: 'all', overwrite: true, untick: false },
    });
    expect(again.createdAt).toBe(first.createdAt);
    expect(again.updatedAt).toBeGreaterThan(recorded.updatedAt - 1);
    expect(again.updatedAt).toBeGreaterThan(first.createdAt);
    expect(again.usage).toEqual(recorded.usage);
    expect(again.lastRun).toEqual(recorded.lastRun);
    expect(await listConnections()).toHaveLength(1);
  });

  it('saved by several runs at once, all of them are kept', async () => {
    const drafts = Array.from({ length: 8 }, (_, i) => draft({ name: `Run ${i}`, targetId: `target-${i}` }));
    await Promise.all(drafts.map((d) => upsertConnection(d)));
    expect((await listConnections()).map((c) => c.name).toSorted()).toEqual(drafts.map((d) => d.name).toSorted());
  });
});

describe('a run recorded on its connection', () => {
  it('becomes the last run, and its usage is added to the totals once, however often it is recorded', async () => {
    const saved = await upsertConnection(draft({ kind: 'page', targetId: FIXTURES.playgroundPageId }));
    const job = pageJob(saved.id, 'running', usage(100, 10, 0.001, 1));
    await recordRun(job);
    // The same run, further on: only what it used since is added.
    await recordRun({ ...job, status: 'done', usage: usage(300, 50, 0.004, 2) });

    let connection = (await getConnection(saved.id))!;
    expect(connection.lastRun).toEqual({
      jobId: job.id,
      at: job.updatedAt,
      status: 'done',
      usage: usage(300, 50, 0.004, 2),
    });
    expect(connection.usage).toMatchObject({ inputTokens: 300, outputTokens: 50, calls: 2 });
    expect(connection.usage.costUsd).toBeCloseTo(0.004, 10);

    // The next run adds all it used.
    const next = pageJob(saved.id, 'done', usage(1_000, 200, 0.02, 1));
    await recordRun(next);
    connection = (await getConnection(saved.id))!;
    expect(connection.lastRun?.jobId).toBe(next.id);
    expect(connection.usage).toMatchObject({ inputTokens: 1_300, outputTokens: 250, calls: 3 });
    expect(connection.usage.costUsd).toBeCloseTo(0.024, 10);
  });

  it('of a database counts the rows written and failed; a cost nobody knows makes the total unknown', async () => {
    const saved = await upsertConnection(draft());
    await recordRun(databaseJob(saved.id, 7, 2, usage(500, 80, null, 9)));

    const connection = (await getConnection(saved.id))!;
    expect(connection.lastRun).toMatchObject({ status: 'done', rowsDone: 7, rowsFailed: 2 });
    expect(connection.usage).toEqual(usage(500, 80, null, 9));
  });

  it('does not bring back a connection deleted meanwhile', async () => {
    const saved = await upsertConnection(draft());
    await removeConnection(saved.id);
    await recordRun(pageJob(saved.id, 'done', usage(1, 1, 0, 1)));
    expect(await listConnections()).toEqual([]);
  });
});

/** A connection as another browser left it in the connections database, with Keep up to date on or off. */
const asImported = (c: Connection, keepUpToDate: boolean): Connection => ({
  ...c,
  options: { selection: 'changed', ...(keepUpToDate ? { keepUpToDate: true } : {}) },
});

describe('deleting and importing connections', () => {
  it('deleting one leaves the others', async () => {
    const a = await upsertConnection(draft({ name: 'A' }));
    const b = await upsertConnection(draft({ name: 'B' }));
    await removeConnection(a.id);
    expect(await listConnections()).toEqual([b]);
    expect(await getConnection(a.id)).toBeUndefined();
  });

  it('imported connections join the list; for one both sides have, Notion’s copy wins but for its rounded usage, and what the row lacks is kept', async () => {
    const local = await upsertConnection(draft({ prompt: 'Old prompt' }));
    await recordRun(pageJob(local.id, 'done', usage(10, 5, 0, 1)));
    const mine = (await getConnection(local.id))!;
    const fromNotion: Connection = { ...mine, prompt: 'New prompt', usage: usage(999, 0, 0.5, 0), lastRun: undefined };
    delete fromNotion.lastRun;
    const other: Connection = { ...fromNotion, id: crypto.randomUUID(), name: 'From another browser' };

    expect(await mergeConnections([fromNotion, other])).toBe(2);
    const merged = (await getConnection(local.id))!;
    expect(merged.prompt).toBe('New prompt');
    expect(merged.usage).toEqual(mine.usage);
    expect(merged.lastRun).toEqual(mine.lastRun);
    expect((await listConnections()).map((c) => c.name).toSorted()).toEqual([
      'From another browser',
      'Japanese topics',
    ]);
  });

  it('keeps Keep up to date to the browser that turned it on: an import neither turns it on nor off', async () => {
    const kept = await upsertConnection(draft({ options: { selection: 'all', keepUpToDate: true } }));
    const notKept = await upsertConnection(
      draft({ name: 'Not kept', targetId: 'another', options: { selection: 'all' } }),
    );
    const elsewhere: Connection = { ...asImported(kept, true), id: crypto.randomUUID(), name: 'Kept elsewhere' };
    await mergeConnections([asImported(kept, false), asImported(notKept, true), elsewhere]);
    const options = Object.fromEntries((await listConnections()).map((c) => [c.name, c.options]));
    // Two browsers keeping one database up to date would each pay for every refresh, and race to write it.
    expect(options).toEqual({
      [kept.name]: { selection: 'changed', keepUpToDate: true },
      'Not kept': { selection: 'changed' },
      'Kept elsewhere': { selection: 'changed' },
    });
  });
});

async function chooseConnectionsDatabase() {
  const db = await createConnectionsDatabase(world.client(), FIXTURES.playgroundPageId);
  await writeSecrets({ notionToken: FIXTURES.token });
  await settingsItem.setValue({ ...DEFAULT_SETTINGS, connectionsDatabase: db });
  return db;
}
const rowsOf = (dataSourceId: string) =>
  world.notion.queryRows(dataSourceId).map((row) => {
    const p = row.properties as Record<
      string,
      {
        title?: Array<{ plain_text: string }>;
        rich_text?: Array<{ plain_text: string }>;
        select?: { name: string } | null;
        number?: number | null;
      }
    >;
    return {
      id: row.id,
      name: p.Name!.title!.map((t) => t.plain_text).join(''),
      connectionId: p['Connection ID']!.rich_text!.map((t) => t.plain_text).join(''),
      status: p.Status!.select?.name,
      tokens: p.Tokens!.number,
    };
  });
const until = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 5_000, interval: 20 });

describe('every change to a connection, in the connections database', () => {
  let restoreFetch: () => void;
  beforeEach(() => {
    // The mirror builds its client from the stored secret for https://api.notion.com: sent to the sandbox.
    restoreFetch = door.redirectNotionHost();
  });
  afterEach(async () => {
    // Nothing left in flight for the next test.
    await vi
      .waitFor(async () => expect((await mirrorState()).pending).toEqual([]), { timeout: 5_000, interval: 20 })
      .catch(() => undefined);
    restoreFetch();
  });

  it('reaches Notion shortly after: a row made, updated in place by a run, and moved to the trash when deleted', async () => {
    const db = await chooseConnectionsDatabase();
    const saved = await upsertConnection(draft());
    await until(() =>
      expect(rowsOf(db.dataSourceId)).toMatchObject([
        { name: 'Japanese topics', connectionId: saved.id, status: 'new', tokens: 0 },
      ]),
    );
    const [row] = rowsOf(db.dataSourceId);

    await recordRun(databaseJob(saved.id, 3, 0, usage(100, 20, 0, 3)));
    await until(() => expect(rowsOf(db.dataSourceId)).toEqual([{ ...row, status: 'done', tokens: 120 }]));

    await removeConnection(saved.id);
    await until(() => expect(world.notion.getPage(row!.id)?.in_trash).toBe(true));
    expect(rowsOf(db.dataSourceId)).toEqual([]);
    expect(await browser.alarms.get(MIRROR_ALARM)).toBeUndefined();
  });

  it('changes close together go in one flush, after the last of them', async () => {
    const db = await chooseConnectionsDatabase();
    world.notion.clearRequestLog();
    const saved = await upsertConnection(draft());
    await recordRun(pageJob(saved.id, 'running', usage(10, 1, 0, 1)));
    await recordRun(pageJob(saved.id, 'done', usage(10, 1, 0, 1), (await getConnection(saved.id))!.lastRun!.jobId));
    await until(async () => expect((await mirrorState()).pending).toEqual([]));
    expect(rowsOf(db.dataSourceId)).toMatchObject([{ connectionId: saved.id, status: 'done', tokens: 11 }]);
    // One row made, never updated: the three changes were sent as one.
    expect(world.notion.requestCounts['POST /v1/pages']).toBe(1);
    expect(world.notion.requestCounts['PATCH /v1/pages/:id']).toBeUndefined();
  });

  it('waits, with the retry alarm set, while Notion does not take it, and goes when the alarm fires after it does', async () => {
    const db = await chooseConnectionsDatabase();
    world.notion.share(db.databaseId, false);
    const saved = await upsertConnection(draft());

    await until(async () => expect((await browser.alarms.get(MIRROR_ALARM))?.periodInMinutes).toBe(0.5));
    const waiting = await mirrorState();
    expect(waiting.pending.map((p) => p.connectionId)).toEqual([saved.id]);
    expect(waiting.lastError).toContain('Inkling can’t see this database.');

    world.notion.share(db.databaseId, true);
    // What the background does when the alarm fires.
    requestMirrorFlush();
    await until(async () => expect(await browser.alarms.get(MIRROR_ALARM)).toBeUndefined());
    expect(rowsOf(db.dataSourceId)).toMatchObject([{ connectionId: saved.id }]);
    expect((await mirrorState()).pending).toEqual([]);
  });

  it('is not queued at all while no connections database is chosen', async () => {
    await writeSecrets({ notionToken: FIXTURES.token });
    await upsertConnection(draft());
    await new Promise((r) => setTimeout(r, 400));
    expect((await mirrorState()).pending).toEqual([]);
    expect(world.notion.requestLog).toEqual([]);
  });
});
