// Turning the screens' “Generate” into a stored job, with settings and secrets as Save leaves them:
// what is checked before any model call (a prompt, the secret, the engine, the target, a run already
// going, the budget), the job and connection stored, and the run carried on by the runner.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES, type BlockTreeNode } from '../../tests/sandbox/notion/index.ts';
import { startPageRunWorld, type PageRunWorld } from '../../tests/sandbox/page-run-world.ts';
import { getConnection } from '../connections/connections';
import type { DatabaseRunSetup, StartPageRunRequest } from '../shared/intents';
import type * as PacerModule from '../notion/pacer';
import { retrieveDatabase } from '../notion/target';
import { clearAllStorage, isRegisteredKey, settingsItem, writeSecrets } from '../storage';
import { DEFAULT_SETTINGS, type Secrets, type Settings } from '../shared/settings';
import { listJobIndex, readJob, readRows } from './job-store';
import { startDatabaseRun, startPageRun } from './start';
import type { DatabaseJob, Job, PageJob } from '../shared/job';

// Notion's own pace (3 requests a second, as the pacer keeps to) would make these tests slow: the
// clients the runner and start.ts make share one pacer here that allows 1,000.
vi.mock('../notion/pacer', async (importOriginal) => {
  const actual = await importOriginal<typeof PacerModule>();
  const fast = new actual.NotionPacer({ requestsPerSecond: 1_000, transientBaseDelayMs: 1 });
  return { ...actual, pacerFor: () => fast };
});

let world: JobWorld;
let sandbox: PageRunWorld;

beforeAll(async () => {
  world = await startJobWorld();
  sandbox = await startPageRunWorld(world);
});
afterAll(async () => {
  await sandbox.close();
  await world.close();
});
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});
beforeEach(async () => {
  await clearAllStorage();
  await sandbox.reset();
  world.notion.reset();
  world.notion.clearRequestLog();
  world.models.reset();
  await saved();
});

/** Settings and secrets as Save leaves them for a local OpenAI-compatible server. */
async function saved(
  settings: Partial<Settings> = {},
  secrets: Secrets = { notionToken: FIXTURES.token },
): Promise<void> {
  await settingsItem.setValue({
    ...DEFAULT_SETTINGS,
    engine: 'compatible',
    baseUrl: sandbox.modelBaseUrl,
    models: { compatible: 'llama3.2:latest' },
    ...settings,
  });
  await writeSecrets(secrets);
}

const paragraph = (content: string) => ({
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', text: { content } }] },
});
const newPage = (title = `Notes ${crypto.randomUUID().slice(0, 8)}`) =>
  world.notion.createPage({ title, children: [paragraph('Mine.')] });
const textOf = (node: BlockTreeNode): string =>
  ((node[node.type] as { rich_text?: Array<{ plain_text: string }> } | undefined)?.rich_text ?? [])
    .map((t) => t.plain_text)
    .join('');
const lines = (pageId: string) => world.notion.getBlockTree(pageId).map((node) => `${node.type}: ${textOf(node)}`);
const request = (pageId: string, extra: Partial<StartPageRunRequest> = {}): StartPageRunRequest => ({
  pageId,
  prompt: '  Write the plan  ',
  useContext: false,
  mode: 'append',
  ...extra,
});

async function settled<T extends Job>(id: string): Promise<T> {
  for (let i = 0; i < 1_000; i++) {
    const job = await readJob(id);
    if (job && job.status !== 'running' && job.status !== 'undoing') {
      await new Promise((r) => setTimeout(r, 30));
      return (await readJob(id)) as T;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`job ${id} never settled`);
}

describe('startPageRun', () => {
  it('stores the page job the screen asked for, saves its connection, and the run writes the answer', async () => {
    const pageId = newPage('Trip plan');
    world.models.script({ text: 'Day one: Kyoto.' });
    const outcome = await startPageRun(request(pageId, { connectionName: '  Travel  ', allowImages: true }));
    if (!outcome.ok) throw new Error(outcome.problem.message);
    const job = (await readJob(outcome.value.jobId)) as PageJob;
    expect(job).toMatchObject({
      kind: 'page',
      targetId: pageId,
      targetTitle: 'Trip plan',
      prompt: 'Write the plan',
      useContext: false,
      mode: 'append',
      connectionId: outcome.value.connectionId,
      engine: { engine: 'compatible', model: 'llama3.2:latest', baseUrl: sandbox.modelBaseUrl, limitPreset: 'local' },
      allowImages: true,
    });
    expect(job.budgetOverride).toBeUndefined();
    expect(job.targetUrl).toMatch(/^https:\/\/www\.notion\.so\//);
    const done = await settled<PageJob>(job.id);
    expect(done.status).toBe('done');
    expect(lines(pageId)).toEqual(['paragraph: Mine.', 'paragraph: Day one: Kyoto.']);
    expect(await getConnection(outcome.value.connectionId)).toMatchObject({
      name: 'Travel',
      kind: 'page',
      targetId: pageId,
      prompt: 'Write the plan',
      engine: 'compatible',
      options: { useContext: false, mode: 'append' },
      lastRun: { jobId: job.id, status: 'done' },
    });
  });

  it('starts a new page job in the generating phase, with nothing written yet, and images from anywhere only when asked', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Fine.', delayMs: 200 });
    const outcome = await startPageRun(request(pageId, { mode: 'replace', useContext: true }));
    if (!outcome.ok) throw new Error(outcome.problem.message);
    const job = (await readJob(outcome.value.jobId)) as PageJob;
    expect(job).toMatchObject({
      status: 'running',
      phase: 'generating',
      createdIds: [],
      mode: 'replace',
      useContext: true,
    });
    expect(job.allowImages).toBeUndefined();
    await settled(job.id);
  });

  it('reuses the page’s connection for the next run on it, keeping its name', async () => {
    const pageId = newPage('Recipes');
    world.models.script({ text: 'Bread.' });
    const first = await startPageRun(request(pageId, { connectionName: 'Baking' }));
    if (!first.ok) throw new Error(first.problem.message);
    await settled(first.value.jobId);
    const second = await startPageRun(request(pageId, { prompt: 'Write more' }));
    if (!second.ok) throw new Error(second.problem.message);
    await settled(second.value.jobId);
    expect(second.value.connectionId).toBe(first.value.connectionId);
    expect(await getConnection(first.value.connectionId)).toMatchObject({
      name: 'Baking',
      prompt: 'Write more',
      lastRun: { jobId: second.value.jobId },
    });
  });

  it('refuses a run on a page that already has one going, naming that run, and stores nothing', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Slow.', delayMs: 300 });
    const first = await startPageRun(request(pageId));
    if (!first.ok) throw new Error(first.problem.message);
    const second = await startPageRun(request(pageId));
    expect(second).toMatchObject({ ok: false, problem: { kind: 'busy', jobId: first.value.jobId } });
    expect((await listJobIndex()).map((e) => e.id)).toEqual([first.value.jobId]);
    await settled(first.value.jobId);
  });

  const refusals: Array<
    [
      string,
      () => Promise<unknown>,
      StartPageRunRequest | ((pageId: string) => StartPageRunRequest),
      { kind: string; message?: string },
    ]
  > = [
    [
      'no prompt',
      async () => undefined,
      (pageId) => request(pageId, { prompt: '   ' }),
      { kind: 'no_prompt', message: 'Write a prompt first.' },
    ],
    [
      'no Notion secret',
      () => saved({}, { notionToken: '' }),
      (pageId) => request(pageId),
      { kind: 'no_token', message: 'Add your Notion internal integration secret in Settings first.' },
    ],
    [
      'no server address',
      () => saved({ baseUrl: '' }),
      (pageId) => request(pageId),
      { kind: 'no_key', message: 'Add the server’s Base URL in Settings first.' },
    ],
    [
      'a page not shared with the integration',
      async () => undefined,
      request(FIXTURES.privatePageId),
      { kind: 'not_shared' },
    ],
    [
      'a database',
      async () => undefined,
      request(FIXTURES.topicsDatabaseId),
      { kind: 'wrong_kind', message: 'This is a database: generate into its rows instead.' },
    ],
    ['a spent budget', () => saved({ monthlyBudgetUsd: 0 }), (pageId) => request(pageId), { kind: 'budget' }],
  ];
  for (const [what, arrange, ask, problem] of refusals) {
    it(`refuses to start with ${what}, before any model call, and stores no job`, async () => {
      const pageId = newPage();
      await arrange();
      const outcome = await startPageRun(typeof ask === 'function' ? ask(pageId) : ask);
      expect(outcome).toMatchObject({ ok: false, problem });
      expect(await listJobIndex()).toEqual([]);
      expect(world.models.calls).toEqual([]);
      expect(lines(pageId)).toEqual(['paragraph: Mine.']);
    });
  }
});

/** A new database of `rows` ticked topics, and the setup the screen would send for it. */
async function setupFor(rows: number): Promise<{ setup: DatabaseRunSetup; dataSourceId: string }> {
  const db = world.notion.createDatabase({
    title: `Topics ${crypto.randomUUID().slice(0, 8)}`,
    properties: { Topic: 'title', Generate: 'checkbox', Output: 'rich_text' },
    rows: Array.from({ length: rows }, (_, i) => ({ Topic: `Topic ${i + 1}`, Generate: true })),
  });
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  return {
    dataSourceId: db.dataSourceId,
    setup: {
      databaseId: db.databaseId,
      template: 'Translate the topic to Japanese',
      outputs: [{ id: properties.find((p) => p.name === 'Output')!.id }],
      selection: 'ticked',
      checkboxId: properties.find((p) => p.name === 'Generate')!.id,
      overwrite: false,
      untick: true,
      expectedRows: rows,
      overBudgetOk: true,
    },
  };
}

describe('startDatabaseRun', () => {
  it('stores the database job the screen set up, and the run writes every chosen row', async () => {
    const { setup, dataSourceId } = await setupFor(3);
    const outcome = await startDatabaseRun(setup);
    if (!outcome.ok) throw new Error(outcome.problem.message);
    const job = (await readJob(outcome.value.jobId)) as DatabaseJob;
    expect(job).toMatchObject({
      kind: 'database',
      dataSourceId,
      template: 'Translate the topic to Japanese',
      selection: 'ticked',
      untick: true,
      overwrite: false,
      expectedRows: 3,
      budgetOverride: true,
    });
    expect(job.checkbox?.name).toBe('Generate');
    const done = await settled<DatabaseJob>(job.id);
    expect(done.status).toBe('done');
    expect((await readRows(job.id, done.chunks)).map((r) => r.state)).toEqual(['written', 'written', 'written']);
    const outputs = world.notion
      .queryRows(dataSourceId)
      .map((row) =>
        (row.properties.Output as { rich_text: Array<{ plain_text: string }> }).rich_text
          .map((t) => t.plain_text)
          .join(''),
      );
    expect(outputs).toEqual(['「Topic 1」(ja)', '「Topic 2」(ja)', '「Topic 3」(ja)']);
    expect(await getConnection(outcome.value.connectionId)).toMatchObject({
      kind: 'database',
      options: { selection: 'ticked', untick: true, overwrite: false },
    });
  });

  it('refuses a setup the database no longer fits, and a database with a run going', async () => {
    const { setup } = await setupFor(2);
    expect(await startDatabaseRun({ ...setup, outputs: [] })).toMatchObject({
      ok: false,
      problem: { kind: 'no_output' },
    });
    expect(await startDatabaseRun({ ...setup, databaseId: FIXTURES.privatePageId })).toMatchObject({
      ok: false,
      problem: { kind: 'not_shared' },
    });
    world.models.script({ delayMs: 300, text: 'Slow.' });
    const first = await startDatabaseRun(setup);
    if (!first.ok) throw new Error(first.problem.message);
    expect(await startDatabaseRun(setup)).toMatchObject({
      ok: false,
      problem: { kind: 'busy', jobId: first.value.jobId },
    });
    await settled(first.value.jobId);
    await saved({ monthlyBudgetUsd: 0 });
    expect(await startDatabaseRun(setup)).toMatchObject({ ok: false, problem: { kind: 'budget' } });
    await saved({}, { notionToken: '' });
    expect(await startDatabaseRun(setup)).toMatchObject({ ok: false, problem: { kind: 'no_token' } });
  });
});
