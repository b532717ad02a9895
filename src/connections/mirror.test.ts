// The connections database in Notion, against the in-process Notion API (behind a door that can fail)
// with storage on WXT's fake browser: created under a page with every column, a pasted one checked and
// completed, changes queued in storage until Notion takes them and sent as one row per connection
// (updated in place, found again by its id rather than duplicated), a failure keeping the change for
// later, a delete moving the row to the trash, and Import reading the rows back as connections.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startFaultyNotion, type FaultyNotion } from '../../tests/sandbox/connections-notion.ts';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES, type PageObject } from '../../tests/sandbox/notion/index.ts';
import { InklingError } from '../shared/problem';
import { toNotionProblem } from '../notion/errors';
import { NOTION_RATE_LIMIT_MAX_WAIT_MS } from '../notion/pacer';
import {
  clearAllStorage,
  connectionsItem,
  isRegisteredKey,
  mirrorQueueItem,
  rowMarksItem,
  settingsItem,
  writeSecrets,
} from '../storage';
import { DEFAULT_SETTINGS, type ConnectionsDatabase } from '../shared/settings';
import { listConnections, mergeConnections } from './connections';
import { backfillMirror, enqueueMirror, flushMirror, mirrorState } from './mirror';
import {
  CONNECTIONS_DATABASE_TITLE,
  CONNECTIONS_SCHEMA,
  createConnectionsDatabase,
  ensureConnectionsSchema,
  readConnectionRows,
} from './connections-database';
import type { Connection } from '../shared/connection';

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
  vi.restoreAllMocks();
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

/** flushMirror as the background calls it, but with Inkling's client reaching the sandbox. */
const flush = () => flushMirror((token) => door.clientFor(token));

/** The user has saved their Notion secret and chosen a connections database (made here under the playground). */
async function connectionsDatabase(): Promise<ConnectionsDatabase> {
  const db = await createConnectionsDatabase(world.client(), FIXTURES.playgroundPageId);
  await writeSecrets({ notionToken: FIXTURES.token });
  await settingsItem.setValue({ ...DEFAULT_SETTINGS, connectionsDatabase: db, workspaceName: FIXTURES.workspaceName });
  world.notion.clearRequestLog();
  return db;
}

function connection(extra: Partial<Connection> = {}): Connection {
  return {
    id: crypto.randomUUID(),
    name: 'Japanese topics',
    kind: 'database',
    targetId: FIXTURES.topicsDatabaseId,
    targetTitle: 'Topics',
    targetUrl: 'https://www.notion.so/d000000000004000800000000000000a',
    prompt: 'Translate the topic to Japanese',
    engine: 'compatible',
    model: 'llama3.2:latest',
    createdAt: Date.parse('2026-10-02T10:00:00.000Z'),
    updatedAt: Date.parse('2026-10-02T10:05:00.000Z'),
    usage: { inputTokens: 1_200, outputTokens: 345, costUsd: 0.012_345_6, calls: 3 },
    lastRun: {
      jobId: crypto.randomUUID(),
      at: Date.parse('2026-10-02T10:05:00.000Z'),
      status: 'done',
      rowsDone: 3,
      rowsFailed: 0,
      usage: { inputTokens: 1_200, outputTokens: 345, costUsd: 0.012_345_6, calls: 3 },
    },
    options: { outputs: [{ id: 'out1' }], selection: 'ticked', checkboxId: 'chk1', overwrite: false, untick: true },
    ...extra,
  };
}

type Prop = {
  type: string;
  title?: Array<{ plain_text: string }>;
  rich_text?: Array<{ plain_text: string }>;
  select?: { name: string } | null;
  url?: string | null;
  number?: number | null;
  date?: { start: string } | null;
};
const textOf = (items: Array<{ plain_text: string }> | undefined) => (items ?? []).map((t) => t.plain_text).join('');
/** What a person sees in a row of the connections database. */
function cells(row: PageObject) {
  const p = row.properties as Record<string, Prop>;
  const title = Object.values(p).find((v) => v.type === 'title');
  return {
    name: textOf(title?.title),
    type: p.Type?.select?.name,
    target: p.Target?.url,
    prompt: textOf(p.Prompt?.rich_text),
    engine: p.Engine?.select?.name,
    model: textOf(p.Model?.rich_text),
    status: p.Status?.select?.name,
    lastRun: p['Last run']?.date?.start,
    rows: p.Rows?.number,
    tokens: p.Tokens?.number,
    cost: p.Cost?.number,
    connectionId: textOf(p['Connection ID']?.rich_text),
    options: textOf(p.Options?.rich_text),
  };
}
const rows = (db: ConnectionsDatabase) => world.notion.queryRows(db.dataSourceId);
const rowFor = (db: ConnectionsDatabase, id: string) => rows(db).filter((row) => cells(row).connectionId === id);
const creates = () => world.notion.requestLog.filter((e) => e.route === 'POST /v1/pages' && e.status === 200).length;

describe('creating the connections database', () => {
  it('makes "Inkling connections" under the chosen page with every column Inkling keeps, of its type', async () => {
    const page = world.notion.createPage({ title: 'Inkling home' });
    const db = await createConnectionsDatabase(world.client(), page);

    expect(db.title).toBe(CONNECTIONS_DATABASE_TITLE);
    const database = world.notion.getDatabase(db.databaseId)!;
    expect(database.parent).toMatchObject({ type: 'page_id', page_id: page });
    expect(db.url).toBe(database.url);
    expect(db.dataSourceId).toBe(database.data_sources[0]!.id);
    const columns = Object.values(world.notion.getDataSource(db.dataSourceId)!.properties).map((p) => [p.name, p.type]);
    const wanted = Object.entries(CONNECTIONS_SCHEMA).map(([name, spec]) => [name, Object.keys(spec)[0]]);
    expect(columns.toSorted()).toEqual(wanted.toSorted());
    // What it made passes the check a pasted database gets, with nothing to add.
    expect(await ensureConnectionsSchema(world.client(), db.dataSourceId)).toEqual([]);
  });

  it('under a page the integration cannot see, fails as not shared and creates nothing', async () => {
    const error = await createConnectionsDatabase(world.client(), FIXTURES.privatePageId).catch((e: unknown) => e);
    expect(toNotionProblem(error, 'page').kind).toBe('not_shared');
    expect(world.notion.requestLog.some((e) => e.route === 'POST /v1/databases' && e.status === 200)).toBe(false);
  });
});

describe('a connections database someone pasted', () => {
  it('gets the columns it lacks, keeping its own title column (any name)', async () => {
    const pasted = world.notion.createDatabase({
      title: 'My runs',
      properties: { Connection: 'title', Prompt: 'rich_text', Status: { select: { options: [{ name: 'done' }] } } },
    });
    const added = await ensureConnectionsSchema(world.client(), pasted.dataSourceId);

    const expected = Object.keys(CONNECTIONS_SCHEMA).filter((name) => !['Name', 'Prompt', 'Status'].includes(name));
    expect(added.toSorted()).toEqual(expected.toSorted());
    const properties = Object.values(world.notion.getDataSource(pasted.dataSourceId)!.properties);
    expect(properties.filter((p) => p.type === 'title').map((p) => p.name)).toEqual(['Connection']);
    for (const name of expected)
      expect(properties.find((p) => p.name === name)?.type).toBe(
        Object.keys(CONNECTIONS_SCHEMA[name as keyof typeof CONNECTIONS_SCHEMA])[0],
      );
    // Checked again, it is complete.
    expect(await ensureConnectionsSchema(world.client(), pasted.dataSourceId)).toEqual([]);
  });

  it('with a column of the wrong type is refused, naming the column and both types, and left as it was', async () => {
    const pasted = world.notion.createDatabase({
      title: 'My runs',
      properties: { Name: 'title', Tokens: 'rich_text' },
    });
    const error = await ensureConnectionsSchema(world.client(), pasted.dataSourceId).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InklingError);
    const problem = (error as InklingError).problem;
    expect(problem.kind).toBe('validation');
    expect(problem.message).toContain(
      '“Tokens” in this database is a rich text column; Inkling needs it to be number.',
    );
    expect(Object.keys(world.notion.getDataSource(pasted.dataSourceId)!.properties).toSorted()).toEqual([
      'Name',
      'Tokens',
    ]);
  });
});

describe('changes waiting in storage', () => {
  it('are not queued while no connections database is chosen', async () => {
    await enqueueMirror({ connectionId: 'c1', op: 'upsert', connection: connection({ id: 'c1' }) });
    expect((await mirrorState()).pending).toEqual([]);
  });

  it('are kept in the mirror item, a later change to the same connection replacing the one still waiting', async () => {
    await connectionsDatabase();
    const a = connection({ name: 'First name' });
    const b = connection();
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await enqueueMirror({ connectionId: b.id, op: 'upsert', connection: b });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: { ...a, name: 'Second name' } });

    const stored = await mirrorQueueItem.getValue();
    expect(stored.pending.map((p) => [p.connectionId, p.connection?.name])).toEqual([
      [b.id, b.name],
      [a.id, 'Second name'],
    ]);
  });

  it('stay queued, with nothing sent, while no Notion secret is saved', async () => {
    const db = await createConnectionsDatabase(world.client(), FIXTURES.playgroundPageId);
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, connectionsDatabase: db });
    world.notion.clearRequestLog();
    await enqueueMirror({ connectionId: 'c2', op: 'upsert', connection: connection({ id: 'c2' }) });

    expect(await flush()).toEqual({ sent: 0, left: 0 });
    expect((await mirrorState()).pending.map((p) => p.connectionId)).toEqual(['c2']);
    expect(world.notion.requestLog).toEqual([]);
  });

  it('after choosing a new connections database, every local connection is queued once, and rows are looked for afresh', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await flush();
    expect((await mirrorState()).rows[a.id]).toBeDefined();

    const b = connection();
    await enqueueMirror({ connectionId: b.id, op: 'upsert', connection: b });
    await backfillMirror([a, b]);
    const state = await mirrorState();
    expect(state.rows).toEqual({});
    expect(state.pending.map((p) => p.connectionId)).toEqual([b.id, a.id]);

    expect(await flush()).toEqual({ sent: 2, left: 0 });
    // a's row was found by its id, not made again.
    expect(rowFor(db, a.id)).toHaveLength(1);
    expect(rowFor(db, b.id)).toHaveLength(1);
  });
});

describe('rows in the connections database', () => {
  it('one per connection, with what the Connections tab shows, and no secret', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    const b = connection({
      name: 'Blog post',
      kind: 'page',
      targetId: FIXTURES.playgroundPageId,
      targetTitle: 'Inkling Playground',
      engine: 'gemini',
      model: 'gemini-2.5-flash',
      lastRun: undefined,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: null, calls: 0 },
      options: { useContext: true, mode: 'append' },
    });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await enqueueMirror({ connectionId: b.id, op: 'upsert', connection: b });

    expect(await flush()).toEqual({ sent: 2, left: 0 });
    expect(rows(db)).toHaveLength(2);
    const [rowA] = rowFor(db, a.id);
    expect(cells(rowA!)).toEqual({
      name: 'Japanese topics',
      type: 'Database',
      target: a.targetUrl,
      prompt: a.prompt,
      engine: 'compatible',
      model: 'llama3.2:latest',
      status: 'done',
      lastRun: '2026-10-02T10:05:00.000Z',
      rows: 3,
      tokens: 1_545,
      cost: 0.0123,
      connectionId: a.id,
      options: JSON.stringify({
        v: 1,
        targetId: a.targetId,
        targetTitle: 'Topics',
        options: a.options,
        createdAt: a.createdAt,
      }),
    });
    const [rowB] = rowFor(db, b.id);
    expect(cells(rowB!)).toMatchObject({
      name: 'Blog post',
      type: 'Page',
      engine: 'gemini',
      status: 'new',
      lastRun: undefined,
      rows: null,
      tokens: 0,
      cost: null,
    });
    expect(JSON.stringify(rows(db))).not.toContain(FIXTURES.token);
    const state = await mirrorState();
    expect(state.pending).toEqual([]);
    expect(state.rows).toEqual({ [a.id]: rowA!.id, [b.id]: rowB!.id });
  });

  it('are updated in place when the connection changes, never made twice', async () => {
    const db = await connectionsDatabase();
    const a = connection({ lastRun: undefined });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await flush();
    const [row] = rowFor(db, a.id);

    const later = {
      ...a,
      prompt: 'Summarise the topic',
      lastRun: {
        jobId: 'j2',
        at: Date.parse('2026-10-03T08:00:00.000Z'),
        status: 'failed' as const,
        rowsDone: 1,
        rowsFailed: 2,
        usage: a.usage,
      },
    };
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: later });
    expect(await flush()).toEqual({ sent: 1, left: 0 });

    expect(rows(db).map((r) => r.id)).toEqual([row!.id]);
    expect(cells(rows(db)[0]!)).toMatchObject({
      prompt: 'Summarise the topic',
      status: 'failed',
      rows: 1,
      lastRun: '2026-10-03T08:00:00.000Z',
    });
    expect(creates()).toBe(1);
  });

  it('a create that reached Notion though its answer was lost is found by the connection id next time, not duplicated', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    door.fault({ method: 'POST', path: '/v1/pages', status: 502, afterApplying: true });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });

    expect(await flush()).toEqual({ sent: 0, left: 1 });
    expect(rowFor(db, a.id)).toHaveLength(1);
    expect((await mirrorState()).lastError).toContain('Notion is having trouble (HTTP 502)');

    expect(await flush()).toEqual({ sent: 1, left: 0 });
    expect(rowFor(db, a.id)).toHaveLength(1);
    expect((await mirrorState()).rows[a.id]).toBe(rowFor(db, a.id)[0]!.id);
    expect((await mirrorState()).lastError).toBeUndefined();
  });

  it('use the title column of a pasted database, whatever it is called', async () => {
    const pasted = world.notion.createDatabase({ title: 'My runs', properties: { Connection: 'title' } });
    await ensureConnectionsSchema(world.client(), pasted.dataSourceId);
    const db = { url: '', databaseId: pasted.databaseId, dataSourceId: pasted.dataSourceId, title: 'My runs' };
    await writeSecrets({ notionToken: FIXTURES.token });
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, connectionsDatabase: db });
    const a = connection();
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });

    expect(await flush()).toEqual({ sent: 1, left: 0 });
    const [row] = rowFor(db, a.id);
    expect(textOf((row!.properties.Connection as Prop).title)).toBe('Japanese topics');
  });

  it('a deleted connection’s row goes to the trash; one never sent leaves nothing behind', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    const b = connection();
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await enqueueMirror({ connectionId: b.id, op: 'upsert', connection: b });
    await flush();
    const [rowA] = rowFor(db, a.id);

    await enqueueMirror({ connectionId: a.id, op: 'delete' });
    expect(await flush()).toEqual({ sent: 1, left: 0 });
    expect(world.notion.getPage(rowA!.id)?.in_trash).toBe(true);
    expect(rows(db).map((r) => cells(r).connectionId)).toEqual([b.id]);
    expect((await mirrorState()).rows[a.id]).toBeUndefined();

    // Made and deleted before Notion saw it: the delete replaces the waiting upsert, and nothing is created.
    const c = connection();
    world.notion.clearRequestLog();
    await enqueueMirror({ connectionId: c.id, op: 'upsert', connection: c });
    await enqueueMirror({ connectionId: c.id, op: 'delete' });
    expect(await flush()).toEqual({ sent: 1, left: 0 });
    expect(creates()).toBe(0);
    expect(rows(db)).toHaveLength(1);
  });

  it('a remembered row Notion no longer has is looked for again by the connection id', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    // Remembered from before (a row since deleted for good): Notion answers 404 for it.
    const gone = crypto.randomUUID();
    await mirrorQueueItem.setValue({ ...(await mirrorQueueItem.getValue()), rows: { [a.id]: gone } });

    expect(await flush()).toEqual({ sent: 1, left: 0 });
    const [row] = rowFor(db, a.id);
    expect(row).toBeDefined();
    expect((await mirrorState()).rows[a.id]).toBe(row!.id);
  });

  it('a row a person moved to the trash comes back when the connection changes again', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await flush();
    const [row] = rowFor(db, a.id);
    await world.client().pages.update({ page_id: row!.id, in_trash: true });

    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: { ...a, prompt: 'Again' } });
    expect(await flush()).toEqual({ sent: 1, left: 0 });
    const live = rowFor(db, a.id);
    expect(live).toHaveLength(1);
    expect(cells(live[0]!).prompt).toBe('Again');
  });
});

/** A change waiting in the queue, and the check that it reached Notion later, once. */
async function queued(db: ConnectionsDatabase) {
  const a = connection();
  await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
  const sentLater = async () => {
    expect(await flush()).toEqual({ sent: 1, left: 0 });
    expect(rowFor(db, a.id)).toHaveLength(1);
    const state = await mirrorState();
    expect(state.pending).toEqual([]);
    expect(state.lastError).toBeUndefined();
  };
  return { a, sentLater };
}

describe('a change Notion does not take', () => {
  it('while Notion is down (503) stays queued with the reason, and is sent once Notion is back', async () => {
    const db = await connectionsDatabase();
    const { a, sentLater } = await queued(db);
    door.fault({ status: 503, times: Infinity });

    expect(await flush()).toEqual({ sent: 0, left: 1 });
    const state = await mirrorQueueItem.getValue();
    expect(state.pending.map((p) => p.connectionId)).toEqual([a.id]);
    expect(state.lastError).toBe('Notion is having trouble (HTTP 503). Try again in a minute.');
    expect(rows(db)).toEqual([]);

    door.faults.clear();
    await sentLater();
  });

  it('while Notion cannot be reached stays queued, saying so, and is sent later', async () => {
    const db = await connectionsDatabase();
    const { sentLater } = await queued(db);
    door.fault({ drop: true, times: Infinity });

    expect(await flush()).toEqual({ sent: 0, left: 1 });
    expect((await mirrorState()).lastError).toBe(
      'Couldn’t reach Notion. Check your internet connection and try again.',
    );

    door.faults.clear();
    await sentLater();
  });

  it('while the database is not shared with the integration stays queued, saying how to share it, and is sent once it is', async () => {
    const db = await connectionsDatabase();
    const { sentLater } = await queued(db);
    world.notion.share(db.databaseId, false);

    expect(await flush()).toEqual({ sent: 0, left: 1 });
    expect((await mirrorState()).lastError).toBe(
      'Inkling can’t see this database. In Notion, open it, click ••• → Connections, and add your integration.',
    );

    world.notion.share(db.databaseId, true);
    await sentLater();
  });

  it('while Notion rate-limits longer than Inkling waits (429) stays queued, and is sent later', async () => {
    const db = await connectionsDatabase();
    const { sentLater } = await queued(db);
    door.fault({ status: 429, headers: { 'retry-after': '30' }, times: Infinity });
    // Each 429 comes after a storm longer than the pacer waits out, so it reaches the mirror.
    const now = Date.now.bind(Date);
    let skipped = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => now() + skipped);
    const stormy = (token: string) =>
      door.clientFor(token, {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (response.status === 429) skipped += NOTION_RATE_LIMIT_MAX_WAIT_MS + 1;
          return response;
        },
      });

    expect(await flushMirror(stormy)).toEqual({ sent: 0, left: 1 });
    expect((await mirrorState()).lastError).toBe('Notion is rate-limiting requests. Inkling waits and carries on.');
    expect(rows(db)).toEqual([]);

    door.faults.clear();
    await sentLater();
  });

  it('holds back the changes after it, so they reach Notion in the order they were made', async () => {
    const db = await connectionsDatabase();
    const a = connection({ name: 'A' });
    const b = connection({ name: 'B' });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await enqueueMirror({ connectionId: b.id, op: 'upsert', connection: b });
    // A create is not repeated by the pacer (it may have landed): this one fails outright.
    door.fault({ method: 'POST', path: '/v1/pages', status: 500 });

    expect(await flush()).toEqual({ sent: 0, left: 2 });
    expect((await mirrorState()).pending.map((p) => p.connectionId)).toEqual([a.id, b.id]);
    expect(rows(db)).toEqual([]);

    expect(await flush()).toEqual({ sent: 2, left: 0 });
    expect(rows(db).map((r) => cells(r).name)).toEqual(['A', 'B']);
  });
});

describe('Import', () => {
  it('rebuilds the local list from the rows: the set-up, totals and target of every connection', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    const b = connection({
      name: 'Blog post',
      kind: 'page',
      targetId: FIXTURES.playgroundPageId,
      targetTitle: 'Inkling Playground',
      targetUrl: '',
      engine: 'openai',
      model: 'gpt-4.1-mini',
      lastRun: undefined,
      options: { useContext: false, mode: 'replace' },
    });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await enqueueMirror({ connectionId: b.id, op: 'upsert', connection: b });
    await flush();
    // A row a person added by hand is not a connection.
    world.notion.addRows(db.dataSourceId, [{ Name: 'My notes' }]);

    // Another browser: nothing stored yet.
    fakeBrowser.reset();
    await clearAllStorage();
    const imported = await readConnectionRows(world.client(), db.dataSourceId);
    expect(await mergeConnections(imported)).toBe(2);

    const local = await listConnections();
    expect(local.map((c) => c.id).toSorted()).toEqual([a.id, b.id].toSorted());
    for (const original of [a, b]) {
      const back = local.find((c) => c.id === original.id)!;
      expect(back).toMatchObject({
        name: original.name,
        kind: original.kind,
        targetId: original.targetId,
        targetTitle: original.targetTitle,
        targetUrl: original.targetUrl,
        prompt: original.prompt,
        engine: original.engine,
        model: original.model,
        createdAt: original.createdAt,
        options: original.options,
      });
      expect(back.usage.inputTokens + back.usage.outputTokens).toBe(
        original.usage.inputTokens + original.usage.outputTokens,
      );
    }
    expect(local.find((c) => c.id === a.id)!.usage.costUsd).toBe(0.0123);
  });

  it('carries a database connection’s row marks to another browser, where this browser’s own win', async () => {
    const db = await connectionsDatabase();
    const a = connection();
    const marks = Object.fromEntries(
      Array.from({ length: 3_000 }, (_, i) => [
        i.toString(16).padStart(16, '0'),
        { columns: 'a1b2c3d4e5f6', ...(i % 2 ? { page: '0f0f0f0f0f0f' } : {}), answer: '123456789abc' },
      ]),
    );
    await rowMarksItem(a.id).setValue(marks);
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await flush();
    const cell = (world.notion.queryRows(db.dataSourceId)[0]!.properties as Record<string, { rich_text: unknown[] }>)[
      'Row marks'
    ]!.rich_text;
    expect(cell.length).toBeGreaterThan(50);
    expect(cell.length).toBeLessThanOrEqual(100);

    // Another browser, which has marked one of those rows itself since.
    fakeBrowser.reset();
    await clearAllStorage();
    const own = { columns: 'ffffffffffff', answer: 'eeeeeeeeeeee' };
    await rowMarksItem(a.id).setValue({ [Object.keys(marks)[0]!]: own });
    await mergeConnections(await readConnectionRows(world.client(), db.dataSourceId));
    expect(await rowMarksItem(a.id).getValue()).toEqual({ ...marks, [Object.keys(marks)[0]!]: own });
  });

  it('adds the Row marks column to a connections database made before it, rather than stopping the mirror', async () => {
    const db = await connectionsDatabase();
    world.notion.editColumn(db.dataSourceId, 'Row marks', null);
    const a = connection();
    await rowMarksItem(a.id).setValue({ '00000000000000aa': { columns: 'a1b2c3d4e5f6', answer: '123456789abc' } });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    expect(await flush()).toEqual({ sent: 1, left: 0 });
    const row = world.notion.queryRows(db.dataSourceId)[0]!.properties as Record<string, { rich_text?: unknown[] }>;
    expect(row['Row marks']?.rich_text).toHaveLength(1);
  });

  it('keeps an unknown cost unknown, and a browser that has the connection keeps its exact usage', async () => {
    const db = await connectionsDatabase();
    const a = connection({ usage: { inputTokens: 100, outputTokens: 50, costUsd: null, calls: 3 } });
    await enqueueMirror({ connectionId: a.id, op: 'upsert', connection: a });
    await flush();
    const imported = await readConnectionRows(world.client(), db.dataSourceId);
    expect(imported.find((c) => c.id === a.id)!.usage.costUsd).toBeNull();
    // This browser made the connection: Import does not trade its usage for the row's totals.
    await connectionsItem.setValue({ [a.id]: a });
    await mergeConnections(imported);
    expect((await listConnections()).find((c) => c.id === a.id)!.usage).toEqual(a.usage);
  });

  it('reads every row, a hundred at a time, and makes the best of hand-edited cells', async () => {
    const db = await connectionsDatabase();
    const many = Array.from({ length: 130 }, (_, i) => ({
      Name: `Row ${i}`,
      'Connection ID': `id-${i}`,
      Engine: 'gemini',
      Options: '{"v":1,"targetId":"t1"}',
    }));
    world.notion.addRows(db.dataSourceId, many);
    world.notion.addRows(db.dataSourceId, [
      { 'Connection ID': 'edited', Engine: 'mistral', Options: 'not json {', Type: 'Database' },
    ]);

    const imported = await readConnectionRows(world.client(), db.dataSourceId);
    expect(imported).toHaveLength(131);
    expect(world.notion.requestLog.filter((e) => e.route === 'POST /v1/data_sources/:id/query')).toHaveLength(2);
    expect(imported[0]).toMatchObject({ id: 'id-0', name: 'Row 0', targetId: 't1', engine: 'gemini', options: {} });
    const edited = imported.find((c) => c.id === 'edited')!;
    expect(edited).toMatchObject({ name: 'Untitled', kind: 'database', engine: 'gemini', targetId: '', options: {} });
    expect(edited.createdAt).toBe(Date.parse(world.notion.queryRows(db.dataSourceId).at(-1)!.created_time as string));
  });
});
