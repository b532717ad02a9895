// The background's messages, delivered as Chrome delivers them, against the in-process Notion API and
// model server: who may send each one, what each refuses as malformed, and what the Settings, target,
// page-run and job messages do.
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  eventually,
  FIXTURES,
  installOnConnect,
  sandboxedNotionClient,
  saveSandboxSettings,
  SANDBOX_MODEL,
  SENDERS,
  type Ask,
  type WorkerWorld,
} from '../../tests/sandbox/worker-world.ts';
import { useWorkerWorld } from '../../tests/sandbox/use-worker-world.ts';
import { connectionsItem, clearAllStorage, readSecrets, readSettings } from '../storage';
import { readJob } from '../jobs/job-store';
import type { Job, PageJob } from '../shared/job';
import type { ProtocolMap } from '../messaging';
import type { SettingsForm } from '../shared/intents';
import type { SenderInfo } from './senders';
import { registerMessageHandlers } from './handlers';
import { registerStatePort } from './state-port';

const sandbox = vi.hoisted(() => ({ notionUrl: '' }));
vi.mock('../notion/client', async (importOriginal) => sandboxedNotionClient(await importOriginal(), sandbox));

let world: WorkerWorld;
let ask: Ask;
useWorkerWorld(sandbox, registerMessageHandlers, (started, asker) => {
  world = started;
  ask = asker;
});

const UUID = '0b4c3a6e-8f1d-4c2b-9a7e-5d6f1e2a3b4c';
const SETUP = {
  databaseId: FIXTURES.topicsDatabaseId,
  template: 'Translate {{Topic}} to Japanese',
  outputs: [{ id: 'x' }],
  selection: 'ticked',
  checkboxId: 'y',
  overwrite: false,
  untick: true,
};
const FORM: SettingsForm = {
  engine: 'compatible',
  baseUrl: 'http://127.0.0.1:1/v1',
  model: '',
  limitPreset: '',
  monthlyBudget: '',
  connectionsDatabaseUrl: '',
};

/** A well-formed request for every message the background answers, and who may send it. */
const MESSAGES: {
  [K in Exclude<keyof ProtocolMap, 'togglePanel' | 'resumeInPanel'>]: { data: unknown; popupOnly: boolean };
} = {
  saveSettings: { data: FORM, popupOnly: true },
  listModels: { data: { engine: 'compatible' }, popupOnly: true },
  clearSettings: { data: undefined, popupOnly: true },
  resolveTarget: { data: { url: 'https://www.notion.so/c0000000000040008000000000000001' }, popupOnly: false },
  startPageRun: {
    data: { pageId: FIXTURES.playgroundPageId, prompt: 'Hi', useContext: false, mode: 'append' },
    popupOnly: false,
  },
  startDatabaseRun: { data: SETUP, popupOnly: false },
  previewRows: { data: SETUP, popupOnly: false },
  estimateRun: { data: SETUP, popupOnly: false },
  compareModels: { data: { ...SETUP, with: { engine: 'openai', model: 'gpt-5.5-mini' } }, popupOnly: false },
  stopRequest: { data: { requestId: UUID }, popupOnly: false },
  engineAbilities: { data: undefined, popupOnly: false },
  listRows: { data: { dataSourceId: FIXTURES.topicsDataSourceId, columns: [] }, popupOnly: false },
  addRow: { data: { databaseId: FIXTURES.topicsDatabaseId, title: 'New' }, popupOnly: false },
  setRowTicked: { data: { rowId: FIXTURES.topicsRowIds[0], checkboxId: 'y', ticked: true }, popupOnly: false },
  jobRows: { data: { jobId: UUID, state: 'failed' }, popupOnly: false },
  cancelJob: { data: { jobId: UUID }, popupOnly: false },
  undoJob: { data: { jobId: UUID }, popupOnly: false },
  retryJob: { data: { jobId: UUID }, popupOnly: false },
  searchPages: { data: { query: 'Play' }, popupOnly: true },
  createConnectionsDatabase: { data: { parentPageId: FIXTURES.playgroundPageId }, popupOnly: true },
  importConnections: { data: undefined, popupOnly: true },
  deleteConnection: { data: { connectionId: UUID }, popupOnly: true },
  createSample: { data: { kind: 'page', parentPageId: FIXTURES.playgroundPageId }, popupOnly: true },
  diagnostics: { data: undefined, popupOnly: true },
  resumeInTab: { data: { connectionId: UUID }, popupOnly: true },
};
const NAMES = Object.keys(MESSAGES) as Array<keyof typeof MESSAGES>;

/** Requests each message's schema refuses (a field missing, of the wrong type, out of range). */
const MALFORMED: { [K in keyof typeof MESSAGES]: unknown[] } = {
  saveSettings: [
    { ...FORM, engine: 'claude' },
    { engine: 'compatible' },
    { ...FORM, monthlyBudget: '1'.repeat(21) },
    { ...FORM, notionToken: 42 },
  ],
  listModels: [{ engine: 'claude' }, { engine: 'openai', apiKey: 1 }, undefined],
  clearSettings: [{ everything: true }, 'all'],
  resolveTarget: [{ url: `https://www.notion.so/${'a'.repeat(4_000)}` }, {}, { url: null }],
  startPageRun: [
    { ...(MESSAGES.startPageRun.data as object), pageId: 'not-a-uuid' },
    { ...(MESSAGES.startPageRun.data as object), mode: 'prepend' },
    { ...(MESSAGES.startPageRun.data as object), prompt: 'x'.repeat(100_001) },
    { ...(MESSAGES.startPageRun.data as object), connectionId: 'abc' },
    { pageId: FIXTURES.playgroundPageId, prompt: 'Hi' },
  ],
  startDatabaseRun: [
    { ...SETUP, selection: 'some' },
    { ...SETUP, databaseId: 'topics' },
    { ...SETUP, expectedRows: -1 },
  ],
  previewRows: [
    { ...SETUP, outputs: Array.from({ length: 21 }, (_, i) => ({ id: String(i) })) },
    { ...SETUP, overwrite: 'no' },
  ],
  compareModels: [
    SETUP,
    { ...SETUP, with: { engine: 'claude', model: 'x' } },
    { ...SETUP, with: { engine: 'openai', model: 'x'.repeat(201) } },
    { ...SETUP, engine: { engine: 'openai' } },
  ],
  estimateRun: [
    { ...SETUP, template: 'x'.repeat(50_001) },
    { ...SETUP, untick: undefined },
    { ...SETUP, requestId: 'preview-1' },
  ],
  stopRequest: [{ requestId: 'preview-1' }, {}, { requestId: 7 }],
  engineAbilities: [{ engine: 'openai' }, 'gemini'],
  listRows: [
    { dataSourceId: 'topics', columns: [] },
    { dataSourceId: FIXTURES.topicsDataSourceId },
    { dataSourceId: FIXTURES.topicsDataSourceId, columns: ['x'.repeat(201)] },
  ],
  addRow: [
    { databaseId: FIXTURES.topicsDatabaseId, title: '' },
    { databaseId: FIXTURES.topicsDatabaseId, title: 'x'.repeat(2_001) },
    { title: 'New' },
  ],
  setRowTicked: [
    { rowId: FIXTURES.topicsRowIds[0], checkboxId: 'y', ticked: 'yes' },
    { rowId: 'row', checkboxId: 'y', ticked: true },
  ],
  jobRows: [
    { jobId: UUID, state: 'done' },
    { jobId: 'job', state: 'failed' },
    { jobId: UUID, ids: ['row'] },
    { jobId: UUID, ids: Array.from({ length: 501 }, () => UUID) },
  ],
  cancelJob: [{ jobId: 'abc' }, {}, { jobId: 7 }],
  undoJob: [{ jobId: 'abc' }, {}],
  retryJob: [{ jobId: 'abc' }, {}],
  searchPages: [{ query: 'x'.repeat(201) }, {}, { query: 3 }],
  createConnectionsDatabase: [{ parentPageId: 'page' }, {}],
  importConnections: [{}, 'now'],
  deleteConnection: [{ connectionId: 1 }, {}],
  createSample: [
    { kind: 'table', parentPageId: FIXTURES.playgroundPageId },
    { kind: 'page', parentPageId: 'parent' },
  ],
  diagnostics: [{ full: true }],
  resumeInTab: [{ connectionId: 'abc' }, {}],
};

const pageUrl = (id: string) => world.notion.getPage(id)!.url;

/** A Settings form for the sandbox's model server. */
const form = (extra: Partial<SettingsForm>): SettingsForm => ({
  ...FORM,
  baseUrl: world.modelBaseUrl,
  model: SANDBOX_MODEL,
  limitPreset: 'local',
  ...extra,
});
const resolve = (url: string, sender: SenderInfo = SENDERS.panel) => ask('resolveTarget', { url }, sender);
/** Generate into the playground page, from the panel. */
const start = (extra: Record<string, unknown> = {}) =>
  ask(
    'startPageRun',
    {
      pageId: FIXTURES.playgroundPageId,
      prompt: 'Write me a blog on Notion in 100 words',
      useContext: true,
      mode: 'append',
      ...extra,
    },
    SENDERS.panel,
  );
const blockIds = () => world.notion.getBlockTree(FIXTURES.playgroundPageId).map((b) => b.id);

async function snapshot(): Promise<string> {
  return JSON.stringify([await fakeBrowser.storage.local.get(null), await readSecrets()]);
}

async function settled(jobId: string, statuses: Job['status'][]): Promise<Job> {
  return eventually(async () => {
    const job = await readJob(jobId);
    return job && statuses.includes(job.status) ? job : undefined;
  });
}

const STRANGERS: Array<[string, SenderInfo | undefined]> = [
  ['a look-alike web page', SENDERS.webPage],
  ['a frame inside the Notion tab', SENDERS.notionFrame],
  ['another extension', SENDERS.otherExtension],
  ['a sender that says nothing of itself', SENDERS.empty],
  ['no sender at all', undefined],
];

describe('who may send each message', () => {
  it.each(STRANGERS)('refuses every message from %s, touching nothing', async (_, sender) => {
    const before = await snapshot();
    for (const name of NAMES) {
      await expect(ask(name, MESSAGES[name].data, sender), name).rejects.toThrow('Inkling refused this request.');
    }
    expect(await snapshot()).toBe(before);
    expect(world.notion.requestLog).toEqual([]);
  });

  it('refuses the popup’s messages (settings, connections, feedback) from the panel in a notion.so tab', async () => {
    const before = await snapshot();
    const popupOnly = NAMES.filter((name) => MESSAGES[name].popupOnly);
    expect(popupOnly).toEqual([
      'saveSettings',
      'listModels',
      'clearSettings',
      'searchPages',
      'createConnectionsDatabase',
      'importConnections',
      'deleteConnection',
      'createSample',
      'diagnostics',
      'resumeInTab',
    ]);
    for (const name of popupOnly)
      await expect(ask(name, MESSAGES[name].data, SENDERS.panel), name).rejects.toThrow(
        'Inkling refused this request.',
      );
    expect(await snapshot()).toBe(before);
    expect(world.notion.requestLog).toEqual([]);
  });

  it('answers the panel’s messages from the panel and the popup alike', async () => {
    const url = MESSAGES.resolveTarget.data;
    expect(await ask('resolveTarget', url, SENDERS.panel)).toMatchObject({
      ok: true,
      value: { id: FIXTURES.playgroundPageId },
    });
    expect(await ask('resolveTarget', url, SENDERS.popup)).toMatchObject({
      ok: true,
      value: { id: FIXTURES.playgroundPageId },
    });
    expect(await ask('jobRows', MESSAGES.jobRows.data, SENDERS.panel)).toEqual({ ok: true, value: [] });
  });
});

describe('malformed requests', () => {
  it.each(NAMES)('%s: refused as an invalid request, before anything happens', async (name) => {
    const before = await snapshot();
    const sender = MESSAGES[name].popupOnly ? SENDERS.popup : SENDERS.panel;
    for (const data of MALFORMED[name]) {
      await expect(ask(name, data, sender), JSON.stringify(data)?.slice(0, 80)).rejects.toThrow(
        `Invalid request for ${name}.`,
      );
    }
    expect(await snapshot()).toBe(before);
    expect(world.notion.requestLog).toEqual([]);
  });
});

describe('Settings', () => {
  it('saveSettings verifies the secret with Notion and the model server, then keeps it out of storage.local', async () => {
    await clearAllStorage();
    const result = await ask(
      'saveSettings',
      form({ notionToken: FIXTURES.token, compatibleKey: 'sk-local-0123456789' }),
      SENDERS.popup,
    );
    expect(result).toMatchObject({
      ok: true,
      settings: { engine: 'compatible', workspaceName: FIXTURES.workspaceName, baseUrl: world.modelBaseUrl },
    });
    expect(await readSettings()).toMatchObject({
      workspaceName: FIXTURES.workspaceName,
      models: { compatible: SANDBOX_MODEL },
    });
    expect(await readSecrets()).toEqual({ notionToken: FIXTURES.token, compatibleKey: 'sk-local-0123456789' });
    const local = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(local).not.toContain(FIXTURES.token);
    expect(local).not.toContain('sk-local-0123456789');
    expect(world.notion.requestLog.map((r) => r.route)).toContain('GET /v1/users/me');
  });

  it('saveSettings answers which fields failed, and saves nothing', async () => {
    const before = await readSettings();
    const result = await ask(
      'saveSettings',
      form({ notionToken: FIXTURES.invalidToken, monthlyBudget: 'lots' }),
      SENDERS.popup,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).toSorted()).toEqual(['monthlyBudget', 'notionToken']);
    expect(await readSettings()).toEqual(before);
    expect((await readSecrets()).notionToken).toBe(FIXTURES.token);
  });

  it('listModels asks the saved server, or an address being typed', async () => {
    expect(await ask('listModels', { engine: 'compatible' }, SENDERS.popup)).toEqual({
      ok: true,
      value: expect.arrayContaining([SANDBOX_MODEL, 'qwen3:8b']),
    });
    expect(
      await ask('listModels', { engine: 'compatible', baseUrl: `${world.modelBaseUrl}/` }, SENDERS.popup),
    ).toMatchObject({ ok: true });
    const unreachable = await ask(
      'listModels',
      { engine: 'compatible', baseUrl: 'http://127.0.0.1:9/v1' },
      SENDERS.popup,
    );
    expect(unreachable).toMatchObject({ ok: false, problem: { source: 'model' } });
  });

  it('listModels says what is missing before calling anyone', async () => {
    expect(await ask('listModels', { engine: 'openai' }, SENDERS.popup)).toMatchObject({
      ok: false,
      problem: { kind: 'no_key' },
    });
  });

  it('clearSettings removes every setting, secret and run', async () => {
    await connectionsItem.setValue({});
    expect(await ask('clearSettings', undefined, SENDERS.popup)).toBeUndefined();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await readSecrets()).toEqual({});
  });
});

/** The Topics database's link on a view. */
const topicsLink = (viewId: string) =>
  `https://www.notion.so/${FIXTURES.topicsDatabaseId.replaceAll('-', '')}?v=${viewId.replaceAll('-', '')}`;

describe('resolveTarget', () => {
  it('answers a page link with the page', async () => {
    expect(await resolve(pageUrl(FIXTURES.playgroundPageId))).toEqual({
      ok: true,
      value: {
        kind: 'page',
        id: FIXTURES.playgroundPageId,
        title: 'Inkling Playground',
        url: pageUrl(FIXTURES.playgroundPageId),
      },
    });
  });

  it('answers a database link with its data source and columns', async () => {
    const result = await resolve(
      `https://www.notion.so/${FIXTURES.topicsDatabaseId.replaceAll('-', '')}?v=${UUID.replaceAll('-', '')}`,
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        kind: 'database',
        id: FIXTURES.topicsDatabaseId,
        title: 'Topics',
        dataSourceId: FIXTURES.topicsDataSourceId,
      },
    });
    expect(
      result.ok && result.value.kind === 'database' && result.value.properties.map((p) => [p.name, p.type]),
    ).toEqual(
      expect.arrayContaining([
        ['Topic', 'title'],
        ['Generate', 'checkbox'],
        ['Output', 'rich_text'],
      ]),
    );
  });

  it('names the view a database link shows, or says it cannot see it', async () => {
    const viewId = world.notion.createView({
      databaseId: FIXTURES.topicsDatabaseId,
      name: 'Ticked',
      filter: { property: 'Generate', checkbox: { equals: true } },
    });
    const shown = await resolve(topicsLink(viewId));
    expect(shown.ok && shown.value.kind === 'database' && shown.value.view).toEqual({ id: viewId, name: 'Ticked' });
    world.notion.deleteView(viewId);
    const gone = await resolve(topicsLink(viewId));
    expect(gone).toMatchObject({ ok: true, value: { kind: 'database', viewMissing: true } });
    expect(gone.ok && gone.value.kind === 'database' && gone.value.view).toBeUndefined();
  });

  it('answers what is wrong with a link that is not Notion’s, a page not shared, and a missing secret', async () => {
    expect(await resolve('https://example.com/Page-c0000000000040008000000000000001')).toMatchObject({
      ok: false,
      problem: { source: 'notion', kind: 'validation' },
    });
    expect(await resolve('not a link')).toMatchObject({ ok: false, problem: { kind: 'validation' } });
    expect(await resolve(pageUrl(FIXTURES.privatePageId))).toMatchObject({
      ok: false,
      problem: { source: 'notion', kind: 'not_shared' },
    });
    await saveSandboxSettings(world, { secrets: {} });
    expect(await resolve(pageUrl(FIXTURES.playgroundPageId))).toMatchObject({
      ok: false,
      problem: { kind: 'no_token' },
    });
  });
});

describe('page runs and their jobs', () => {
  it('startPageRun stores a job and its connection, and the run writes the answer into the page', async () => {
    const before = blockIds();
    const result = await start({ connectionName: 'My blog' });
    expect(result.ok).toBe(true);
    const { jobId, connectionId } = result.ok ? result.value : { jobId: '', connectionId: '' };
    const stored = (await readJob(jobId)) as PageJob;
    expect(stored).toMatchObject({
      kind: 'page',
      targetId: FIXTURES.playgroundPageId,
      connectionId,
      prompt: 'Write me a blog on Notion in 100 words',
      mode: 'append',
    });
    expect(stored.engine).toEqual({
      engine: 'compatible',
      model: SANDBOX_MODEL,
      baseUrl: world.modelBaseUrl,
      limitPreset: 'local',
    });
    expect(JSON.stringify(stored)).not.toContain(FIXTURES.token);
    expect((await connectionsItem.getValue())[connectionId]).toMatchObject({
      name: 'My blog',
      kind: 'page',
      targetId: FIXTURES.playgroundPageId,
    });

    const done = (await settled(jobId, ['done', 'failed'])) as PageJob;
    expect(done.problem).toBeUndefined();
    expect(done.status).toBe('done');
    expect(done.createdIds.length).toBeGreaterThan(0);
    expect(blockIds()).toEqual([...before, ...done.createdIds]);
    expect(world.models.calls).toHaveLength(1);
  });

  it('startPageRun refuses an empty prompt, a database, a page it cannot see, and no secret', async () => {
    expect(await start({ prompt: '   ' })).toMatchObject({ ok: false, problem: { kind: 'no_prompt' } });
    expect(await start({ pageId: FIXTURES.topicsDatabaseId })).toMatchObject({
      ok: false,
      problem: { kind: 'wrong_kind' },
    });
    expect(await start({ pageId: FIXTURES.privatePageId })).toMatchObject({
      ok: false,
      problem: { kind: 'not_shared' },
    });
    // Web search, on an engine without it (the panel shows why it does not offer it).
    expect(await ask('engineAbilities', undefined, SENDERS.panel)).toEqual({
      engine: 'compatible',
      model: 'llama3.2:latest',
      webSearch: false,
      batch: false,
      others: [],
    });
    expect(await start({ webSearch: true })).toMatchObject({
      ok: false,
      problem: { kind: 'unsupported', message: expect.stringContaining('cannot search the web') },
    });
    // Compare models offers the other engines with a key saved, each with its saved model — never the key.
    await saveSandboxSettings(world, {
      settings: { models: { compatible: 'llama3.2:latest', openai: 'gpt-5.5' } },
      secrets: { notionToken: FIXTURES.token, openaiKey: 'sk-proj-secret', geminiKey: '' },
    });
    const abilities = await ask('engineAbilities', undefined, SENDERS.panel);
    expect(abilities).toMatchObject({ others: [{ engine: 'openai', model: 'gpt-5.5' }] });
    expect(JSON.stringify(abilities)).not.toContain('sk-proj-secret');
    await saveSandboxSettings(world, { secrets: {} });
    expect(await start()).toMatchObject({ ok: false, problem: { kind: 'no_token' } });
    expect(await fakeBrowser.storage.local.get('jobIndex')).toEqual({});
    expect(world.models.calls).toEqual([]);
  });

  it('cancel stops a run; a second run on the page is refused meanwhile; retry carries it on; undo takes it back', async () => {
    const before = blockIds();
    world.models.configure({ timeToFirstTokenMs: 60_000 });
    const first = await start();
    const jobId = first.ok ? first.value.jobId : '';
    await eventually(() => world.models.calls.length === 1);

    expect(await start()).toMatchObject({ ok: false, problem: { kind: 'busy', jobId } });
    expect(await ask('undoJob', { jobId }, SENDERS.panel)).toMatchObject({ ok: false, problem: { kind: 'busy' } });

    expect(await ask('cancelJob', { jobId }, SENDERS.panel)).toBeUndefined();
    expect(await settled(jobId, ['cancelled'])).toMatchObject({ status: 'cancelled' });
    expect(blockIds()).toEqual(before);

    world.models.configure({ timeToFirstTokenMs: 0 });
    expect(await ask('retryJob', { jobId }, SENDERS.popup)).toEqual({ ok: true, value: null });
    const done = (await settled(jobId, ['done', 'failed'])) as PageJob;
    expect(done.status).toBe('done');
    expect(blockIds()).toEqual([...before, ...done.createdIds]);

    expect(await ask('undoJob', { jobId }, SENDERS.panel)).toEqual({ ok: true, value: null });
    expect(await settled(jobId, ['undone'])).toMatchObject({ status: 'undone' });
    expect(blockIds()).toEqual(before);
  });

  it('a replace run, watched through the state port: streamed text, every change, never the page’s old blocks', async () => {
    const connect = installOnConnect();
    registerStatePort();
    const port = connect(SENDERS.panel);
    await port.request({ type: 'watch', targetId: FIXTURES.playgroundPageId });
    expect(port.sent).toEqual([{ type: 'job', targetId: FIXTURES.playgroundPageId, job: null }]);
    world.models.configure({ tokensPerSecond: 2_000 });

    const result = await start({ mode: 'replace', useContext: false });
    const jobId = result.ok ? result.value.jobId : '';
    const done = (await settled(jobId, ['done', 'failed'])) as PageJob;
    expect(done.status).toBe('done');
    // The stored job keeps what the page held, for Undo…
    expect(JSON.stringify(done.replaced?.blocks)).toContain('Welcome to the Inkling playground');
    const texts = port.sent.flatMap((m) => (m.type === 'text' ? [m] : []));
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.every((m) => m.jobId === jobId)).toBe(true);
    expect(done.answer?.startsWith(texts.at(-1)!.text)).toBe(true);
    const jobs = port.sent.flatMap((m) => (m.type === 'job' && m.job ? [m.job as PageJob] : []));
    expect(jobs.at(-1)).toMatchObject({ id: jobId, status: 'done', phase: 'written' });
    expect(jobs.some((j) => j.replaced && j.replaced.removedIds.length > 0)).toBe(true);
    // …the panel is never sent it, nor any secret.
    expect(jobs.every((j) => !j.replaced || j.replaced.blocks.length === 0)).toBe(true);
    const sent = JSON.stringify(port.sent);
    expect(sent).not.toContain('Welcome to the Inkling playground');
    expect(sent).not.toContain(FIXTURES.token);

    // Undo puts the page's old content back.
    expect(await ask('undoJob', { jobId }, SENDERS.panel)).toEqual({ ok: true, value: null });
    await settled(jobId, ['undone']);
    expect(JSON.stringify(world.notion.getBlockTree(FIXTURES.playgroundPageId))).toContain(
      'Welcome to the Inkling playground',
    );
    port.onDisconnect.fire();
  });

  it('cancel, undo and retry of a run that does not exist', async () => {
    expect(await ask('cancelJob', { jobId: UUID }, SENDERS.panel)).toBeUndefined();
    expect(await ask('undoJob', { jobId: UUID }, SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'missing' },
    });
    expect(await ask('retryJob', { jobId: UUID }, SENDERS.panel)).toEqual({ ok: true, value: null });
    expect(await fakeBrowser.storage.local.get('jobIndex')).toEqual({});
  });
});
