// The popup's messages behind Connections, the connections database, the samples and Feedback,
// delivered as Chrome delivers them, against the in-process Notion API: what each does in Notion and
// in storage, and that the diagnostics Feedback copies hold no key, no prompt and no Notion content.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  eventually,
  FIXTURES,
  sandboxedNotionClient,
  saveSandboxSettings,
  SANDBOX_COMPATIBLE_KEY,
  SANDBOX_MODEL,
  SENDERS,
  type Ask,
  type WorkerWorld,
} from '../../tests/sandbox/worker-world.ts';
import { useWorkerWorld } from '../../tests/sandbox/use-worker-world.ts';
import { listConnections, upsertConnection } from '../connections/connections';
import { CONNECTIONS_DATABASE_TITLE } from '../connections/connections-database';
import { mirrorState } from '../connections/mirror';
import { SAMPLE_DATABASE_TITLE, SAMPLE_PAGE_TITLE } from '../connections/samples';
import type { Connection } from '../shared/connection';
import { createJob } from '../jobs/job-store';
import { EMPTY_COUNTS, EMPTY_USAGE, type Job } from '../shared/job';
import { clearAllStorage, connectionsItem, readSettings, settingsItem } from '../storage';
import { type ConnectionsDatabase } from '../shared/settings';
import { registerConnectionHandlers } from './connection-handlers';

const sandbox = vi.hoisted(() => ({ notionUrl: '' }));
vi.mock('../notion/client', async (importOriginal) => sandboxedNotionClient(await importOriginal(), sandbox));

let world: WorkerWorld;
let ask: Ask;
useWorkerWorld(sandbox, registerConnectionHandlers, (started, asker) => {
  world = started;
  ask = asker;
});
// Let what a test queued for the connections database go out before the next test resets Notion.
afterEach(async () => {
  await eventually(
    async () => (await mirrorState()).pending.length === 0 || !(await readSettings()).connectionsDatabase,
  );
});

function draft(id: string, name: string): Omit<Connection, 'createdAt' | 'updatedAt' | 'usage' | 'lastRun'> {
  return {
    id,
    name,
    kind: 'page',
    targetId: FIXTURES.playgroundPageId,
    targetTitle: 'Inkling Playground',
    targetUrl: world.notion.getPage(FIXTURES.playgroundPageId)!.url,
    prompt: `Prompt of ${name}`,
    engine: 'compatible',
    model: SANDBOX_MODEL,
    options: { mode: 'append' },
  };
}

/** The Connection ID and trash state of every row of a connections database, as Notion holds them. */
function mirroredRows(dataSourceId: string): Array<{ id: string; name: string; trashed: boolean }> {
  const ids = world.notion.queryRows(dataSourceId).map((row) => row.id);
  return ids.map((rowId) => {
    const page = world.notion.getPage(rowId)!;
    const props = page.properties as Record<
      string,
      { title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }> }
    >;
    return {
      id: (props['Connection ID']!.rich_text ?? []).map((t) => t.plain_text).join(''),
      name: (props.Name!.title ?? []).map((t) => t.plain_text).join(''),
      trashed: page.in_trash === true,
    };
  });
}

async function useConnectionsDatabase(): Promise<ConnectionsDatabase> {
  const result = await ask('createConnectionsDatabase', { parentPageId: FIXTURES.playgroundPageId }, SENDERS.popup);
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

const A = '6a0f3b2c-1d4e-4f5a-8b6c-7d8e9f0a1b2c';
const B = '7b1a4c3d-2e5f-4a6b-9c7d-8e9f0a1b2c3d';

describe('searchPages', () => {
  it('answers the pages the integration can reach whose title matches, never one not shared', async () => {
    const result = await ask('searchPages', { query: 'Playground' }, SENDERS.popup);
    expect(result).toEqual({
      ok: true,
      value: [
        {
          id: FIXTURES.playgroundPageId,
          title: 'Inkling Playground',
          url: world.notion.getPage(FIXTURES.playgroundPageId)!.url,
        },
      ],
    });
    const all = await ask('searchPages', { query: '' }, SENDERS.popup);
    const ids = all.ok ? all.value.map((p) => p.id) : [];
    expect(ids).toContain(FIXTURES.playgroundPageId);
    expect(ids).not.toContain(FIXTURES.privatePageId);
    expect(ids).not.toContain(FIXTURES.privateChildPageId);
    expect(world.notion.requestLog.map((r) => r.body)).toContainEqual({
      query: 'Playground',
      filter: { property: 'object', value: 'page' },
      page_size: 20,
    });
  });

  it('answers the problem without a secret, or when Notion refuses it', async () => {
    await saveSandboxSettings(world, { secrets: {} });
    expect(await ask('searchPages', { query: 'x' }, SENDERS.popup)).toMatchObject({
      ok: false,
      problem: { kind: 'no_token' },
    });
    await saveSandboxSettings(world, { secrets: { notionToken: FIXTURES.invalidToken } });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await ask('searchPages', { query: 'x' }, SENDERS.popup)).toMatchObject({
      ok: false,
      problem: { kind: 'unauthorized' },
    });
  });
});

describe('the connections database', () => {
  it('createConnectionsDatabase creates it under the page, uses it, and sends every connection there', async () => {
    await upsertConnection(draft(A, 'Blog'));
    await upsertConnection(draft(B, 'Essay'));
    const database = await useConnectionsDatabase();
    expect(database).toEqual({
      url: expect.any(String),
      databaseId: expect.any(String),
      dataSourceId: expect.any(String),
      title: CONNECTIONS_DATABASE_TITLE,
    });
    expect(world.notion.getDatabase(database.databaseId)).toMatchObject({
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
    });
    expect((await readSettings()).connectionsDatabase).toEqual(database);
    await eventually(() => mirroredRows(database.dataSourceId).length === 2);
    expect(mirroredRows(database.dataSourceId).toSorted((a, b) => a.name.localeCompare(b.name))).toEqual([
      { id: A, name: 'Blog', trashed: false },
      { id: B, name: 'Essay', trashed: false },
    ]);
  });

  it('createConnectionsDatabase under a page Inkling cannot see answers the problem and keeps the settings', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const result = await ask('createConnectionsDatabase', { parentPageId: FIXTURES.privatePageId }, SENDERS.popup);
    expect(result).toMatchObject({ ok: false, problem: { source: 'notion', kind: 'not_shared' } });
    expect((await readSettings()).connectionsDatabase).toBeNull();
  });

  it('importConnections asks for the database first', async () => {
    expect(await ask('importConnections', undefined, SENDERS.popup)).toMatchObject({
      ok: false,
      problem: { source: 'inkling', kind: 'no_database' },
    });
  });

  it('importConnections brings back the connections the database holds', async () => {
    await upsertConnection(draft(A, 'Blog'));
    await upsertConnection(draft(B, 'Essay'));
    const database = await useConnectionsDatabase();
    await eventually(
      async () => mirroredRows(database.dataSourceId).length === 2 && (await mirrorState()).pending.length === 0,
    );
    // Another browser: the same settings, no local list yet.
    await connectionsItem.setValue({});
    expect(await ask('importConnections', undefined, SENDERS.popup)).toEqual({ ok: true, value: 2 });
    const imported = (await listConnections()).toSorted((a, b) => a.name.localeCompare(b.name));
    expect(imported).toMatchObject([
      {
        id: A,
        name: 'Blog',
        kind: 'page',
        targetId: FIXTURES.playgroundPageId,
        prompt: 'Prompt of Blog',
        engine: 'compatible',
        model: SANDBOX_MODEL,
        options: { mode: 'append' },
      },
      { id: B, name: 'Essay', prompt: 'Prompt of Essay' },
    ]);
  });

  it('importConnections from a database Inkling can no longer see answers the problem', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const settings = await readSettings();
    const gone = '0b4c3a6e-8f1d-4c2b-9a7e-5d6f1e2a3b4c';
    await settingsItem.setValue({
      ...settings,
      connectionsDatabase: { url: '', databaseId: gone, dataSourceId: gone, title: 'Gone' },
    });
    expect(await ask('importConnections', undefined, SENDERS.popup)).toMatchObject({
      ok: false,
      problem: { kind: 'not_shared', message: expect.stringContaining('database') },
    });
    await settingsItem.setValue(settings);
  });

  it('deleteConnection removes it here and moves its row in the connections database to the trash', async () => {
    await upsertConnection(draft(A, 'Blog'));
    await upsertConnection(draft(B, 'Essay'));
    const database = await useConnectionsDatabase();
    await eventually(
      async () => mirroredRows(database.dataSourceId).length === 2 && (await mirrorState()).pending.length === 0,
    );
    expect(await ask('deleteConnection', { connectionId: A }, SENDERS.popup)).toEqual({ ok: true, value: null });
    expect((await listConnections()).map((c) => c.id)).toEqual([B]);
    await eventually(() => mirroredRows(database.dataSourceId).length === 1);
    expect(mirroredRows(database.dataSourceId)).toEqual([{ id: B, name: 'Essay', trashed: false }]);
  });

  it('deleteConnection without a connections database only removes it here', async () => {
    await upsertConnection(draft(A, 'Blog'));
    expect(await ask('deleteConnection', { connectionId: A }, SENDERS.popup)).toEqual({ ok: true, value: null });
    expect(await listConnections()).toEqual([]);
    expect(await ask('deleteConnection', { connectionId: B }, SENDERS.popup)).toEqual({ ok: true, value: null });
  });
});

describe('createSample', () => {
  it('creates the sample page under the chosen page, connected with the sample prompt', async () => {
    const result = await ask('createSample', { kind: 'page', parentPageId: FIXTURES.playgroundPageId }, SENDERS.popup);
    expect(result).toMatchObject({ ok: true, value: { target: { kind: 'page', title: SAMPLE_PAGE_TITLE } } });
    const { connectionId, target } = result.ok ? result.value : { connectionId: '', target: { id: '' } };
    expect(world.notion.getPage(target.id)).toMatchObject({
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
    });
    expect(world.notion.getBlockTree(target.id)).toHaveLength(1);
    expect((await connectionsItem.getValue())[connectionId]).toMatchObject({
      kind: 'page',
      name: SAMPLE_PAGE_TITLE,
      targetId: target.id,
      prompt: 'Write me a blog on Notion in 100 words',
      engine: 'compatible',
      model: SANDBOX_MODEL,
    });
  });

  it('creates the sample database with its three topics, connected with the sample prompt', async () => {
    const result = await ask(
      'createSample',
      { kind: 'database', parentPageId: FIXTURES.playgroundPageId },
      SENDERS.popup,
    );
    expect(result).toMatchObject({ ok: true, value: { target: { kind: 'database', title: SAMPLE_DATABASE_TITLE } } });
    const { connectionId, target } = result.ok
      ? result.value
      : { connectionId: '', target: { kind: 'page' as const, id: '' } };
    const dataSourceId = target.kind === 'database' ? target.dataSourceId : '';
    expect(world.notion.queryRows(dataSourceId)).toHaveLength(3);
    expect((await connectionsItem.getValue())[connectionId]).toMatchObject({
      kind: 'database',
      targetId: target.id,
      prompt: 'Translate the topic to Japanese',
    });
  });

  it('uses the engine’s default model when none is chosen, and answers the problem under a page Inkling cannot see', async () => {
    const settings = await readSettings();
    await settingsItem.setValue({ ...settings, models: {} });
    const result = await ask('createSample', { kind: 'page', parentPageId: FIXTURES.playgroundPageId }, SENDERS.popup);
    const connectionId = result.ok ? result.value.connectionId : '';
    expect((await connectionsItem.getValue())[connectionId]?.model).toEqual(expect.any(String));
    expect((await connectionsItem.getValue())[connectionId]?.model).not.toBe('');

    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(
      await ask('createSample', { kind: 'database', parentPageId: FIXTURES.privatePageId }, SENDERS.popup),
    ).toMatchObject({ ok: false, problem: { kind: 'not_shared' } });
    await saveSandboxSettings(world, { secrets: {} });
    expect(
      await ask('createSample', { kind: 'page', parentPageId: FIXTURES.playgroundPageId }, SENDERS.popup),
    ).toMatchObject({ ok: false, problem: { kind: 'no_token' } });
  });
});

describe('diagnostics', () => {
  const SECRET_PROMPT = 'Summarise my diary, key ntn_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2is';

  function job(kind: 'page' | 'database', extra: Partial<Job>): Job {
    const now = Date.now();
    const base = {
      id: crypto.randomUUID(),
      connectionId: crypto.randomUUID(),
      targetId: crypto.randomUUID(),
      targetTitle: 'Private diary of Ada',
      targetUrl: 'https://www.notion.so/Private-diary-of-Ada-0b4c3a6e8f1d4c2b9a7e5d6f1e2a3b4c',
      status: 'done' as const,
      createdAt: now,
      updatedAt: now,
      engine: {
        engine: 'compatible' as const,
        model: SANDBOX_MODEL,
        baseUrl: world.modelBaseUrl,
        limitPreset: 'local',
      },
      usage: EMPTY_USAGE,
    };
    return (
      kind === 'page'
        ? {
            ...base,
            kind,
            prompt: SECRET_PROMPT,
            useContext: true,
            mode: 'append',
            phase: 'written',
            createdIds: [],
            answer: 'Dear diary, Ada wrote…',
            ...extra,
          }
        : {
            ...base,
            kind,
            dataSourceId: crypto.randomUUID(),
            template: SECRET_PROMPT,
            propertyNames: ['Topic'],
            titleColumn: { id: 'title', name: 'Topic', type: 'title' },
            outputs: [],
            selection: 'all',
            overwrite: false,
            untick: false,
            phase: 'finished',
            readFrom: null,
            pages: [],
            chunks: 0,
            counts: EMPTY_COUNTS,
            ...extra,
          }
    ) as Job;
  }

  it('summarises versions, engine and recent problems, and holds no key, prompt or Notion content', async () => {
    vi.spyOn(fakeBrowser.runtime, 'getManifest').mockReturnValue({
      manifest_version: 3,
      name: 'Inkling',
      version: '0.1.0',
    });
    const settings = await readSettings();
    await settingsItem.setValue({
      ...settings,
      connectionsDatabase: {
        url: 'https://www.notion.so/x',
        databaseId: A,
        dataSourceId: B,
        title: 'Inkling connections',
      },
    });
    await createJob(job('page', {}));
    await createJob(
      job('database', {
        status: 'failed',
        problem: {
          source: 'notion',
          kind: 'unauthorized',
          message: `Notion refused ${FIXTURES.token} for “Private diary of Ada”`,
          retryable: false,
        },
      }),
    );

    const text = await ask('diagnostics', undefined, SENDERS.popup);
    expect(text).toContain('Inkling 0.1.0');
    expect(text).toContain(`Engine: compatible (${SANDBOX_MODEL}), own server`);
    expect(text).toContain('Notion connected: yes; connections database: yes; waiting to sync: 0');
    expect(text).toContain('Runs: 2 (1 database)');
    expect(text).toContain('  - database run failed: notion/unauthorized');
    for (const secret of [
      FIXTURES.token,
      SANDBOX_COMPATIBLE_KEY,
      'ntn_u8jz',
      'sk-local',
      'Summarise my diary',
      'Private diary',
      'Dear diary',
      'Ada',
      world.modelBaseUrl,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('says so when nothing went wrong and nothing is connected', async () => {
    vi.spyOn(fakeBrowser.runtime, 'getManifest').mockReturnValue({
      manifest_version: 3,
      name: 'Inkling',
      version: '0.1.0',
    });
    await clearAllStorage();
    const text = await ask('diagnostics', undefined, SENDERS.popup);
    expect(text).toContain('Notion connected: no; connections database: no');
    expect(text).toContain('Runs: 0 (0 database)');
    expect(text).toMatch(/Recent problems:\n {2}none$/);
    expect(text).not.toContain('own server');
  });
});
