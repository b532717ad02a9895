// The messages behind a database in the panel, delivered as Chrome delivers them, against the
// in-process Notion API and model server: the rows table, adding and ticking rows, Preview, the
// estimate, a run, and a run's rows by state.
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  eventually,
  FIXTURES,
  sandboxedNotionClient,
  saveSandboxSettings,
  SENDERS,
  type Ask,
  type WorkerWorld,
} from '../../tests/sandbox/worker-world.ts';
import { useWorkerWorld } from '../../tests/sandbox/use-worker-world.ts';
import { connectionsItem } from '../storage';
import { createJob, readJob } from '../jobs/job-store';
import { cancelJob } from '../jobs/runner';
import { EMPTY_USAGE, type DatabaseJob, type Job } from '../shared/job';
import type { DatabaseRunSetup } from '../shared/intents';
import { registerDatabaseHandlers, TABLE_PAGE_SIZE } from './database-handlers';

const sandbox = vi.hoisted(() => ({ notionUrl: '' }));
vi.mock('../notion/client', async (importOriginal) => sandboxedNotionClient(await importOriginal(), sandbox));

let world: WorkerWorld;
let ask: Ask;
useWorkerWorld(sandbox, registerDatabaseHandlers, (started, asker) => {
  world = started;
  ask = asker;
});

/** The Topics database's column ids by name. */
function columns(dataSourceId: string = FIXTURES.topicsDataSourceId): Record<string, string> {
  return Object.fromEntries(
    Object.values(world.notion.getDataSource(dataSourceId)!.properties).map((p) => [p.name, p.id]),
  );
}

function setup(extra: Partial<DatabaseRunSetup> = {}): DatabaseRunSetup {
  const ids = columns();
  return {
    databaseId: FIXTURES.topicsDatabaseId,
    template: 'Translate {{Topic}} to Japanese',
    outputs: [{ id: ids.Output! }],
    selection: 'ticked',
    checkboxId: ids.Generate!,
    overwrite: false,
    untick: true,
    ...extra,
  };
}

/** Topic, Output and Generate of every row, as Notion holds them. */
function rows(dataSourceId: string = FIXTURES.topicsDataSourceId) {
  return world.notion.queryRows(dataSourceId).map((row) => {
    const props = row.properties as Record<
      string,
      { title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }>; checkbox?: boolean }
    >;
    return {
      topic: props.Topic!.title!.map((t) => t.plain_text).join(''),
      output: (props.Output?.rich_text ?? []).map((t) => t.plain_text).join(''),
      ticked: props.Generate!.checkbox!,
    };
  });
}

const writes = () => world.notion.requestLog.filter((r) => r.method !== 'GET' && !r.route.endsWith('/query'));

async function settled(jobId: string, statuses: Job['status'][]): Promise<Job> {
  return eventually(async () => {
    const job = await readJob(jobId);
    return job && statuses.includes(job.status) ? job : undefined;
  });
}

describe('the rows table', () => {
  it('listRows answers a page of rows: title, the checkbox, and the cells asked for', async () => {
    const ids = columns();
    const result = await ask(
      'listRows',
      { dataSourceId: FIXTURES.topicsDataSourceId, columns: [ids.Output!, ids.Topic!], checkboxId: ids.Generate! },
      SENDERS.panel,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        rows: [
          {
            id: FIXTURES.topicsRowIds[0],
            title: 'Learning is fun',
            ticked: true,
            cells: { [ids.Output!]: '', [ids.Topic!]: 'Learning is fun' },
          },
          {
            id: FIXTURES.topicsRowIds[1],
            title: 'Notion is best tool',
            ticked: true,
            cells: { [ids.Output!]: '', [ids.Topic!]: 'Notion is best tool' },
          },
          {
            id: FIXTURES.topicsRowIds[2],
            title: 'Social media is a boon',
            ticked: false,
            cells: { [ids.Output!]: '', [ids.Topic!]: 'Social media is a boon' },
          },
        ],
        nextCursor: null,
      },
    });
  });

  it('listRows pages through a long database, and leaves `ticked` out without a checkbox column', async () => {
    const db = world.notion.createDatabase({
      title: 'Long',
      properties: { Topic: 'title', Generate: 'checkbox' },
      rows: Array.from({ length: TABLE_PAGE_SIZE + 5 }, (_, i) => ({ Topic: `Topic ${i + 1}`, Generate: i % 2 === 0 })),
    });
    const first = await ask('listRows', { dataSourceId: db.dataSourceId, columns: [] }, SENDERS.popup);
    expect(first.ok && first.value.rows).toHaveLength(TABLE_PAGE_SIZE);
    expect(first.ok && first.value.rows[0]).toEqual({ id: expect.any(String), title: 'Topic 1', cells: {} });
    const cursor = first.ok ? first.value.nextCursor : null;
    expect(cursor).toEqual(expect.any(String));
    const rest = await ask('listRows', { dataSourceId: db.dataSourceId, columns: [], cursor: cursor! }, SENDERS.popup);
    expect(rest.ok && rest.value.rows.map((r) => r.title)).toEqual([
      'Topic 26',
      'Topic 27',
      'Topic 28',
      'Topic 29',
      'Topic 30',
    ]);
    expect(rest.ok && rest.value.nextCursor).toBeNull();
  });

  it('listRows of a database Inkling cannot see, or without a secret, answers the problem', async () => {
    expect(
      await ask('listRows', { dataSourceId: '0b4c3a6e-8f1d-4c2b-9a7e-5d6f1e2a3b4c', columns: [] }, SENDERS.panel),
    ).toMatchObject({
      ok: false,
      problem: { source: 'notion', kind: 'not_shared', message: expect.stringContaining('database') },
    });
    await saveSandboxSettings(world, { secrets: {} });
    expect(
      await ask('listRows', { dataSourceId: FIXTURES.topicsDataSourceId, columns: [] }, SENDERS.panel),
    ).toMatchObject({ ok: false, problem: { kind: 'no_token' } });
  });

  it('addRow adds a row with the title (trimmed), ticked when a checkbox column is named', async () => {
    const ids = columns();
    const ticked = await ask(
      'addRow',
      { databaseId: FIXTURES.topicsDatabaseId, title: '  Cats are great  ', checkboxId: ids.Generate! },
      SENDERS.panel,
    );
    expect(ticked).toEqual({
      ok: true,
      value: { id: expect.any(String), title: 'Cats are great', ticked: true, cells: {} },
    });
    const plain = await ask('addRow', { databaseId: FIXTURES.topicsDatabaseId, title: 'Dogs too' }, SENDERS.panel);
    expect(plain).toEqual({ ok: true, value: { id: expect.any(String), title: 'Dogs too', cells: {} } });
    // A checkbox id that is not a checkbox column is not ticked.
    expect(
      await ask(
        'addRow',
        { databaseId: FIXTURES.topicsDatabaseId, title: 'Birds', checkboxId: ids.Output! },
        SENDERS.panel,
      ),
    ).toMatchObject({ ok: true, value: { title: 'Birds' } });
    expect(rows().slice(3)).toEqual([
      { topic: 'Cats are great', output: '', ticked: true },
      { topic: 'Dogs too', output: '', ticked: false },
      { topic: 'Birds', output: '', ticked: false },
    ]);
  });

  it('addRow to a database Inkling cannot see answers the problem', async () => {
    expect(
      await ask('addRow', { databaseId: '0b4c3a6e-8f1d-4c2b-9a7e-5d6f1e2a3b4c', title: 'x' }, SENDERS.panel),
    ).toMatchObject({ ok: false, problem: { kind: 'not_shared' } });
  });

  it('setRowTicked ticks and unticks a row in Notion', async () => {
    const ids = columns();
    expect(
      await ask(
        'setRowTicked',
        { rowId: FIXTURES.topicsRowIds[2], checkboxId: ids.Generate!, ticked: true },
        SENDERS.panel,
      ),
    ).toEqual({ ok: true, value: null });
    expect(
      await ask(
        'setRowTicked',
        { rowId: FIXTURES.topicsRowIds[0], checkboxId: ids.Generate!, ticked: false },
        SENDERS.popup,
      ),
    ).toEqual({ ok: true, value: null });
    expect(rows().map((r) => r.ticked)).toEqual([false, true, true]);
    expect(
      await ask(
        'setRowTicked',
        { rowId: FIXTURES.privatePageId, checkboxId: ids.Generate!, ticked: true },
        SENDERS.panel,
      ),
    ).toMatchObject({
      ok: false,
      problem: { kind: 'not_shared', message: expect.stringContaining('page') },
    });
  });
});

describe('Preview and the estimate', () => {
  it('previewRows answers the first chosen rows as the model would fill them, writing nothing', async () => {
    const result = await ask('previewRows', setup(), SENDERS.panel);
    expect(result.ok).toBe(true);
    const preview = result.ok ? result.value : [];
    expect(preview.map((r) => [r.id, r.title])).toEqual([
      [FIXTURES.topicsRowIds[0], 'Learning is fun'],
      [FIXTURES.topicsRowIds[1], 'Notion is best tool'],
    ]);
    for (const row of preview) expect(row.outputs.Output).toEqual(expect.stringMatching(/\S/));
    expect(world.models.calls).toHaveLength(2);
    expect(writes()).toEqual([]);
    expect(rows().map((r) => r.output)).toEqual(['', '', '']);
  });

  it('previewRows answers what is wrong with a setup before asking the model', async () => {
    expect(await ask('previewRows', setup({ outputs: [{ id: 'gone' }] }), SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'output_missing' },
    });
    expect(await ask('previewRows', setup({ template: 'Translate {{Nope}}' }), SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'template' },
    });
    expect(
      await ask('previewRows', setup({ databaseId: '0b4c3a6e-8f1d-4c2b-9a7e-5d6f1e2a3b4c' }), SENDERS.panel),
    ).toMatchObject({
      ok: false,
      problem: { kind: 'not_shared', message: expect.stringContaining('database') },
    });
    expect(world.models.calls).toEqual([]);
  });

  it('estimateRun counts the chosen rows and prices them (a local server is free)', async () => {
    expect(await ask('estimateRun', setup(), SENDERS.panel)).toMatchObject({
      ok: true,
      value: { rows: 2, skipped: 0, free: true },
    });
    expect(await ask('estimateRun', setup({ selection: 'all' }), SENDERS.popup)).toMatchObject({
      ok: true,
      value: { rows: 3 },
    });
    expect(world.models.calls).toEqual([]);
  });

  it('stopRequest stops a Preview still waiting for the model: its calls are cut, nothing is written', async () => {
    world.models.configure({ timeToFirstTokenMs: 60_000 });
    const requestId = crypto.randomUUID();
    const answer = ask('previewRows', { ...setup(), requestId }, SENDERS.panel);
    await eventually(() => world.models.calls.length > 0);
    await ask('stopRequest', { requestId }, SENDERS.panel);
    expect(await answer).toMatchObject({
      ok: false,
      problem: { kind: 'stopped', message: expect.stringMatching(/^Stopped/) },
    });
    await eventually(() => world.models.calls.every((call) => call.aborted));
    expect(writes()).toEqual([]);
    // A late Cancel, or one for a request that never was, does nothing.
    await ask('stopRequest', { requestId }, SENDERS.panel);
    world.models.configure({ timeToFirstTokenMs: 0 });
    expect(await ask('previewRows', { ...setup(), requestId: crypto.randomUUID() }, SENDERS.panel)).toMatchObject({
      ok: true,
    });
  });

  it('stopRequest stops an estimate counting a big database: its Notion reads stop', async () => {
    const db = world.notion.createDatabase({
      title: 'Many',
      properties: { Name: 'title', Output: 'rich_text' },
      rows: Array.from({ length: 2_000 }, (_, i) => ({ Name: `Row ${i}` })),
    });
    const ids = columns(db.dataSourceId);
    const requestId = crypto.randomUUID();
    const many = {
      databaseId: db.databaseId,
      template: 'Say {{Name}}',
      outputs: [{ id: ids.Output! }],
      selection: 'all' as const,
      overwrite: false,
      untick: false,
    };
    const queries = () => world.notion.requestLog.filter((r) => r.route.endsWith('/query')).length;
    const answer = ask('estimateRun', { ...many, requestId }, SENDERS.panel);
    await eventually(() => queries() >= 1);
    await ask('stopRequest', { requestId }, SENDERS.panel);
    expect(await answer).toMatchObject({ ok: false, problem: { kind: 'stopped' } });
    const after = queries();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // 2,000 rows take 20 reads; a stopped count makes at most the one it was making.
    expect(queries()).toBeLessThanOrEqual(after + 1);
    expect(after).toBeLessThan(20);
  });

  it('refuses web search on an engine that cannot search, before anything is read or paid for', async () => {
    const refused = {
      ok: false,
      problem: {
        kind: 'unsupported',
        message:
          'The OpenAI-compatible server cannot search the web. Web search needs GPT (OpenAI) or Gemini: choose one in Settings → AI engine, or turn off Use web search.',
      },
    };
    for (const name of ['previewRows', 'estimateRun', 'startDatabaseRun'] as const)
      expect(await ask(name, setup({ webSearch: true }), SENDERS.panel)).toMatchObject(refused);
    expect(world.models.calls).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it('estimateRun says so when a run is already going on the database', async () => {
    world.models.configure({ timeToFirstTokenMs: 60_000 });
    const started = await ask('startDatabaseRun', setup(), SENDERS.panel);
    const jobId = started.ok ? started.value.jobId : '';
    expect(await ask('estimateRun', setup(), SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'busy', jobId },
    });
    await cancelJob(jobId);
    await settled(jobId, ['cancelled']);
    expect(await ask('estimateRun', setup(), SENDERS.panel)).toMatchObject({ ok: true });
  });
});

describe('a database run', () => {
  it('startDatabaseRun stores the job and its connection; the run fills the ticked rows and unticks them', async () => {
    const result = await ask('startDatabaseRun', setup({ connectionName: 'Japanese', expectedRows: 2 }), SENDERS.panel);
    expect(result.ok).toBe(true);
    const { jobId, connectionId } = result.ok ? result.value : { jobId: '', connectionId: '' };
    expect(await readJob(jobId)).toMatchObject({
      kind: 'database',
      targetId: FIXTURES.topicsDatabaseId,
      dataSourceId: FIXTURES.topicsDataSourceId,
      connectionId,
      template: 'Translate {{Topic}} to Japanese',
      outputs: [{ name: 'Output', type: 'rich_text' }],
      selection: 'ticked',
      expectedRows: 2,
    });
    expect((await connectionsItem.getValue())[connectionId]).toMatchObject({
      name: 'Japanese',
      kind: 'database',
      targetId: FIXTURES.topicsDatabaseId,
    });

    const done = (await settled(jobId, ['done', 'failed'])) as DatabaseJob;
    expect(done).toMatchObject({ status: 'done', counts: { total: 2, written: 2, failed: 0 } });
    const after = rows();
    expect(after.map((r) => r.ticked)).toEqual([false, false, false]);
    expect(after.map((r) => r.output !== '')).toEqual([true, true, false]);

    const written = await ask('jobRows', { jobId, state: 'written' }, SENDERS.panel);
    expect(written).toMatchObject({
      ok: true,
      value: [
        { id: FIXTURES.topicsRowIds[0], title: 'Learning is fun', state: 'written' },
        { id: FIXTURES.topicsRowIds[1], title: 'Notion is best tool', state: 'written' },
      ],
    });
    // Each written row comes with its answer, as it landed in the row's output column.
    const views = written.ok ? written.value : [];
    expect(views.map((view) => Object.values(view.answers ?? {}))).toEqual([[after[0]!.output], [after[1]!.output]]);
    expect(await ask('jobRows', { jobId, state: 'failed' }, SENDERS.popup)).toEqual({ ok: true, value: [] });
  });

  it('jobRows names why rows failed', async () => {
    world.models.script({ match: 'Notion is best tool', fault: 'context_length' });
    const result = await ask('startDatabaseRun', setup(), SENDERS.panel);
    const jobId = result.ok ? result.value.jobId : '';
    await settled(jobId, ['done', 'failed']);
    const failed = await ask('jobRows', { jobId, state: 'failed' }, SENDERS.panel);
    expect(failed).toEqual({
      ok: true,
      value: [
        { id: FIXTURES.topicsRowIds[1], title: 'Notion is best tool', state: 'failed', reason: expect.any(String) },
      ],
    });
  });

  it('jobRows of a page run or a run that does not exist is empty', async () => {
    const now = Date.now();
    const page = await createJob({
      id: crypto.randomUUID(),
      kind: 'page',
      connectionId: crypto.randomUUID(),
      targetId: FIXTURES.playgroundPageId,
      targetTitle: 'Inkling Playground',
      targetUrl: '',
      status: 'done',
      createdAt: now,
      updatedAt: now,
      engine: { engine: 'compatible', model: 'm', baseUrl: '', limitPreset: 'local' },
      usage: EMPTY_USAGE,
      prompt: 'p',
      useContext: false,
      mode: 'append',
      phase: 'written',
      createdIds: [],
    });
    expect(await ask('jobRows', { jobId: page.id, state: 'written' }, SENDERS.panel)).toEqual({ ok: true, value: [] });
    expect(await ask('jobRows', { jobId: crypto.randomUUID(), state: 'written' }, SENDERS.panel)).toEqual({
      ok: true,
      value: [],
    });
  });

  it('startDatabaseRun refuses a setup that does not fit the database, and a second run on it', async () => {
    expect(await ask('startDatabaseRun', setup({ checkboxId: undefined }), SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'no_checkbox' },
    });
    expect(await ask('startDatabaseRun', setup({ outputs: [] }), SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'no_output' },
    });
    expect(await fakeBrowser.storage.local.get('jobIndex')).toEqual({});

    world.models.configure({ timeToFirstTokenMs: 60_000 });
    const first = await ask('startDatabaseRun', setup(), SENDERS.panel);
    const jobId = first.ok ? first.value.jobId : '';
    expect(await ask('startDatabaseRun', setup(), SENDERS.popup)).toMatchObject({
      ok: false,
      problem: { kind: 'busy', jobId },
    });
    await cancelJob(jobId);
    await settled(jobId, ['cancelled']);
  });

  it('startDatabaseRun without a secret says so', async () => {
    await saveSandboxSettings(world, { secrets: {} });
    expect(await ask('startDatabaseRun', setup(), SENDERS.panel)).toMatchObject({
      ok: false,
      problem: { kind: 'no_token' },
    });
    expect(world.notion.requestLog).toEqual([]);
  });
});
