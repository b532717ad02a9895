// The sample page and sample database a new user is offered, made under a page they pick in the
// in-process Notion API: what they find there, that Inkling can reach what it made, and that a run on
// it works straight away (the prompts the Create tab suggests, against the sandbox's model server).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES } from '../../tests/sandbox/notion/index.ts';
import { checkSetup } from '../jobs/database-setup';
import { runDatabaseJob } from '../jobs/database-job';
import { createJob } from '../jobs/job-store';
import { runPageJob } from '../jobs/page-job';
import { databaseJob } from '../jobs/start';
import { EMPTY_USAGE, type DatabaseJob, type PageJob } from '../shared/job';
import { toNotionProblem } from '../notion/errors';
import { resolveTarget } from '../notion/target';
import { type DatabaseTarget } from '../shared/notion-shapes';
import { clearAllStorage, isRegisteredKey } from '../storage';
import { createSampleDatabase, createSamplePage, SAMPLE_DATABASE_TITLE, SAMPLE_PAGE_TITLE } from './samples';

let world: JobWorld;

beforeAll(async () => {
  world = await startJobWorld();
});
afterAll(() => world.close());
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});
beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  world.notion.reset();
  world.notion.clearRequestLog();
  world.models.reset();
});

/** The sample database, as the Target Inkling returns for it (a database's, with its data source). */
async function sampleDatabase(parentPageId: string): Promise<DatabaseTarget> {
  const target = await createSampleDatabase(world.client(), parentPageId);
  if (target.kind !== 'database') throw new Error(`the sample database came back as a ${target.kind}`);
  return target;
}

const plain = (items: unknown) =>
  (items as Array<{ plain_text?: string; text?: { content: string } }>)
    .map((t) => t.plain_text ?? t.text?.content ?? '')
    .join('');
const base = (id: string, title: string, url: string) => {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    connectionId: crypto.randomUUID(),
    targetId: id,
    targetTitle: title,
    targetUrl: url,
    status: 'running' as const,
    createdAt: now,
    updatedAt: now,
    engine: { engine: 'compatible' as const, model: 'llama3.2:latest', baseUrl: '', limitPreset: 'local' },
    usage: EMPTY_USAGE,
  };
};

describe('the sample page', () => {
  it('is made under the chosen page, titled, with the instruction a new user reads first', async () => {
    const parent = world.notion.createPage({ title: 'Getting started' });
    const target = await createSamplePage(world.client(), parent);

    const page = world.notion.getPage(target.id)!;
    expect(page.parent).toMatchObject({ type: 'page_id', page_id: parent });
    expect(target).toEqual({ kind: 'page', id: page.id, title: SAMPLE_PAGE_TITLE, url: page.url });
    expect(plain(page.properties.title!.title)).toBe('Inkling sample page');
    const blocks = world.notion.getBlockTree(target.id);
    expect(blocks.map((b) => b.type)).toEqual(['paragraph']);
    expect(plain((blocks[0]!.paragraph as { rich_text: unknown }).rich_text)).toBe(
      'Open Inkling on this page, write a prompt such as “Write me a blog on Notion in 100 words”, and Generate.',
    );
  });

  it('is one Inkling can reach and write into straight away', async () => {
    const target = await createSamplePage(world.client(), FIXTURES.playgroundPageId);
    expect(await resolveTarget(world.client(), { id: target.id })).toMatchObject({
      kind: 'page',
      id: target.id,
      title: SAMPLE_PAGE_TITLE,
    });

    const job: PageJob = {
      ...base(target.id, target.title, target.url),
      kind: 'page',
      prompt: 'Write me a blog on Notion in 100 words',
      useContext: true,
      mode: 'append',
      phase: 'generating',
      createdIds: [],
    };
    const done = await runPageJob((await createJob(job)) as PageJob, world.context());
    expect(done.status).toBe('done');
    const blocks = world.notion.getBlockTree(target.id);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks[0]!.id).not.toBe(done.createdIds[0]);
    expect(blocks.slice(1).map((b) => b.id)).toEqual(done.createdIds);
  });

  it('under a page the integration cannot see, fails as not shared, and nothing is made', async () => {
    const error = await createSamplePage(world.client(), FIXTURES.privatePageId).catch((e: unknown) => e);
    expect(toNotionProblem(error, 'page').kind).toBe('not_shared');
    expect(world.notion.getBlockTree(FIXTURES.privatePageId).map((b) => b.child_page)).not.toContainEqual({
      title: SAMPLE_PAGE_TITLE,
    });
  });
});

describe('the sample database', () => {
  it('is made under the chosen page with Topic, Generate, Output and Category, and three ticked topics', async () => {
    const parent = world.notion.createPage({ title: 'Getting started' });
    const target = await sampleDatabase(parent);

    const database = world.notion.getDatabase(target.id)!;
    expect(database.parent).toMatchObject({ type: 'page_id', page_id: parent });
    expect(target).toMatchObject({
      kind: 'database',
      id: database.id,
      title: SAMPLE_DATABASE_TITLE,
      url: database.url,
      dataSourceId: database.data_sources[0]!.id,
    });
    expect(plain(database.title)).toBe('Inkling sample database');
    const columns = Object.values(world.notion.getDataSource(target.dataSourceId)!.properties);
    expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).toEqual({
      Topic: 'title',
      Generate: 'checkbox',
      Output: 'rich_text',
      Category: 'select',
    });
    expect(target.properties.find((p) => p.name === 'Category')?.options).toEqual([
      { name: 'Learning', color: 'blue' },
      { name: 'Tools', color: 'green' },
      { name: 'Society', color: 'orange' },
    ]);

    const rows = world.notion.queryRows(target.dataSourceId).map((row) => {
      const p = row.properties as Record<string, { title?: unknown; checkbox?: boolean; rich_text?: unknown }>;
      return { topic: plain(p.Topic!.title), ticked: p.Generate!.checkbox, output: plain(p.Output!.rich_text) };
    });
    expect(rows).toEqual([
      { topic: 'Learning is fun', ticked: true, output: '' },
      { topic: 'Notion is best tool', ticked: true, output: '' },
      { topic: 'Social media is a boon', ticked: true, output: '' },
    ]);
  });

  it('is ready to run: the ticked topics get their Output and are unticked', async () => {
    const target = await sampleDatabase(FIXTURES.playgroundPageId);
    const output = target.properties.find((p) => p.name === 'Output')!;
    const generate = target.properties.find((p) => p.name === 'Generate')!;
    const setup = {
      databaseId: target.id,
      template: 'Translate the topic to Japanese',
      outputs: [{ id: output.id }],
      selection: 'ticked' as const,
      checkboxId: generate.id,
      overwrite: false,
      untick: true,
    };
    const checked = await checkSetup(world.client(), setup);
    const job = (await createJob(
      databaseJob(base(target.id, target.title, target.url), checked, setup),
    )) as DatabaseJob;

    const done = await runDatabaseJob(job, world.context());
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ total: 3, written: 3, failed: 0 });
    const rows = world.notion.queryRows(target.dataSourceId).map((row) => {
      const p = row.properties as Record<string, { checkbox?: boolean; rich_text?: unknown }>;
      return [plain(p.Output!.rich_text), p.Generate!.checkbox];
    });
    expect(rows).toEqual([
      ['「Learning is fun」(ja)', false],
      ['「Notion is best tool」(ja)', false],
      ['「Social media is a boon」(ja)', false],
    ]);
  });

  it('under a page the integration cannot see, fails as not shared', async () => {
    const error = await createSampleDatabase(world.client(), FIXTURES.privatePageId).catch((e: unknown) => e);
    expect(toNotionProblem(error, 'page').kind).toBe('not_shared');
    expect(world.notion.requestLog.filter((e) => e.route === 'POST /v1/pages')).toEqual([]);
  });
});
