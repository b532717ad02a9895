// Before a database run: the panel's choices checked against the database as it is now (each refusal
// with its own problem), Preview answering the first chosen rows without writing anything, and the
// estimate counting the rows a run would do and pricing them — against the in-process Notion API and
// model server.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { MODEL_BOUND_LIMITS, runBase, startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES } from '../../tests/sandbox/notion/index.ts';
import { InklingError } from '../shared/problem';
import type { EngineConfig } from '../llm/factory';
import type { DatabaseRunSetup } from '../shared/intents';
import { retrieveDatabase } from '../notion/target';
import { clearAllStorage, isRegisteredKey, settingsItem } from '../storage';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { recordUsage } from '../usage/ledger';
import { checkSetup } from './database-setup';
import { estimateRun } from './run-estimate';
import { previewRows } from './database-preview';
import { runDatabaseJob } from './database-job';
import { createJob } from './job-store';
import { databaseJob } from './start';

let world: JobWorld;

beforeAll(async () => {
  world = await startJobWorld();
});
afterAll(() => world.close());
beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  world.notion.reset();
  world.notion.clearRequestLog();
  world.models.reset();
});
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});

const PROMPT = 'Translate the topic to Japanese';

type Seed = { Topic: string; Generate: boolean; Output?: string };

/** A Topics-like database: title, checkbox, a text output, a select and a formula. */
function topicsWith(rows: Seed[]) {
  const db = world.notion.createDatabase({
    title: 'Topics',
    properties: {
      Topic: 'title',
      Generate: 'checkbox',
      Output: 'rich_text',
      Mood: { select: { options: [{ name: 'Calm' }, { name: 'Bold' }] } },
      Length: { formula: { expression: 'length(prop("Topic"))' } },
    },
    rows,
  });
  return db;
}

const topics = (count: number, ticked = (_i: number) => true) =>
  topicsWith(
    Array.from({ length: count }, (_, i) => ({
      Topic: `Topic ${String(i + 1).padStart(2, '0')}`,
      Generate: ticked(i),
    })),
  );

/** 3 ticked and empty, 1 ticked and filled, 2 not ticked (1 of them filled). */
const mixed = () =>
  topicsWith([
    { Topic: 'A', Generate: true },
    { Topic: 'B', Generate: true },
    { Topic: 'C', Generate: true, Output: 'Already here.' },
    { Topic: 'D', Generate: false },
    { Topic: 'E', Generate: true },
    { Topic: 'F', Generate: false, Output: 'Mine.' },
  ]);

/** Each row's Mood as Notion holds it now, in row order. */
const moodsOf = (dataSourceId: string) =>
  world.notion
    .queryRows(dataSourceId)
    .map((row) => (row.properties as Record<string, { select?: { name: string } | null }>).Mood?.select?.name ?? '');

async function columns(databaseId: string): Promise<Record<string, string>> {
  const { properties } = await retrieveDatabase(world.client(), databaseId);
  return Object.fromEntries(properties.map((p) => [p.name, p.id]));
}

async function setupFor(databaseId: string, extra: Partial<DatabaseRunSetup> = {}): Promise<DatabaseRunSetup> {
  const ids = await columns(databaseId);
  return {
    databaseId,
    template: PROMPT,
    outputs: [{ id: ids.Output! }],
    selection: 'ticked',
    checkboxId: ids.Generate!,
    overwrite: false,
    untick: true,
    ...extra,
  };
}

/** The problem checkSetup refuses with (fails the test when it accepts). */
async function refusal(setup: DatabaseRunSetup) {
  try {
    await checkSetup(world.client(), setup);
  } catch (error) {
    if (error instanceof InklingError) return { kind: error.problem.kind, message: error.problem.message };
    throw error;
  }
  throw new Error('checkSetup accepted the setup');
}

const outputsOf = (dataSourceId: string) =>
  world.notion
    .queryRows(dataSourceId)
    .map((row) =>
      (row.properties.Output as { rich_text: Array<{ plain_text: string }> }).rich_text
        .map((t) => t.plain_text)
        .join(''),
    );

/** Requests that change something in Notion. */
const writes = () => world.notion.requestLog.filter((e) => e.method !== 'GET' && !e.route.endsWith('/query'));

describe('checkSetup', () => {
  it('accepts a setup that fits the database, with the outputs, checkbox and names the run will use', async () => {
    const db = topics(2);
    const ids = await columns(db.databaseId);
    const checked = await checkSetup(
      world.client(),
      await setupFor(db.databaseId, {
        outputs: [
          { id: ids.Output!, allowNewOptions: true },
          { id: ids.Mood!, allowNewOptions: true },
        ],
        template: '  Describe {{Topic}}  ',
      }),
    );
    expect(checked.target).toMatchObject({ id: db.databaseId, dataSourceId: db.dataSourceId, title: 'Topics' });
    expect(checked.template).toBe('Describe {{Topic}}');
    // Options go with a select; new options are allowed only where Notion can add them.
    expect(checked.outputs).toEqual([
      { id: ids.Output, name: 'Output', type: 'rich_text' },
      { id: ids.Mood, name: 'Mood', type: 'select', options: ['Calm', 'Bold'], allowNewOptions: true },
    ]);
    expect(checked.titleColumn).toEqual({ id: ids.Topic, name: 'Topic', type: 'title' });
    expect(checked.checkbox).toEqual({ id: ids.Generate, name: 'Generate', type: 'checkbox' });
    expect(checked.propertyNames.toSorted()).toEqual(['Generate', 'Length', 'Mood', 'Output', 'Topic']);
    expect(writes()).toEqual([]);
  });

  it('follows an output column renamed since it was chosen, by its id', async () => {
    const db = topics(1);
    const setup = await setupFor(db.databaseId);
    world.notion.editColumn(db.dataSourceId, 'Output', { name: 'Japanese' });
    const checked = await checkSetup(world.client(), setup);
    expect(checked.outputs.map((o) => o.name)).toEqual(['Japanese']);
  });

  it('refuses an output column that no longer exists', async () => {
    const db = topics(1);
    const setup = await setupFor(db.databaseId);
    world.notion.editColumn(db.dataSourceId, 'Output', null);
    expect(await refusal(setup)).toEqual({
      kind: 'output_missing',
      message:
        'An output column no longer exists in this database (renamed or deleted?). Choose it again under Output property.',
    });
  });

  it('refuses an output Notion computes', async () => {
    const db = topics(1);
    const ids = await columns(db.databaseId);
    expect(
      await refusal(await setupFor(db.databaseId, { outputs: [{ id: ids.Output! }, { id: ids.Length! }] })),
    ).toEqual({
      kind: 'wrong_type',
      message: '“Length” is a formula column, which Notion computes: it cannot be an output.',
    });
  });

  it('refuses an output of a type Inkling cannot write, naming the column and its type', async () => {
    const ids = await columns(FIXTURES.allTypesDatabaseId);
    for (const name of ['Owner', 'Attachments', 'Topic', 'Topic count', 'ID']) {
      const problem = await refusal({
        databaseId: FIXTURES.allTypesDatabaseId,
        template: PROMPT,
        outputs: [{ id: ids[name]! }],
        selection: 'all',
        overwrite: false,
        untick: false,
      });
      expect(problem.kind, name).toBe('wrong_type');
      expect(problem.message, name).toMatch(new RegExp(`^“${name}” is an? [a-z ]+ column[,.] .+\\.$`));
    }
  });

  it('names a type of several words in words, and never says Notion computes a column a person fills in', async () => {
    const ids = await columns(FIXTURES.allTypesDatabaseId);
    const refusalOf = async (name: string) =>
      (
        await refusal({
          databaseId: FIXTURES.allTypesDatabaseId,
          template: PROMPT,
          outputs: [{ id: ids[name]! }],
          selection: 'all',
          overwrite: false,
          untick: false,
        })
      ).message;
    expect(await refusalOf('Edited')).toBe(
      '“Edited” is a last edited time column, which Notion computes: it cannot be an output.',
    );
    expect(await refusalOf('Edited by')).toBe(
      '“Edited by” is a last edited by column, which Notion computes: it cannot be an output.',
    );
    for (const name of ['Owner', 'Attachments', 'Topic']) {
      const message = await refusalOf(name);
      expect(message, name).not.toContain('which Notion computes');
      expect(message, name).toMatch(/Inkling does not write .* columns: choose a text, select, number/);
    }
  });

  it('refuses a checkbox column that is not a checkbox, or is gone', async () => {
    const db = topics(1);
    const ids = await columns(db.databaseId);
    const notACheckbox = {
      kind: 'no_checkbox',
      message: 'The checkbox column that picks rows is gone. Choose it again.',
    };
    expect(await refusal(await setupFor(db.databaseId, { checkboxId: ids.Mood! }))).toEqual(notACheckbox);
    const setup = await setupFor(db.databaseId);
    world.notion.editColumn(db.dataSourceId, 'Generate', null);
    expect(await refusal(setup)).toEqual(notACheckbox);
  });

  it('refuses to run the ticked rows without a checkbox column, but runs all rows without one', async () => {
    const db = topics(1);
    expect(await refusal(await setupFor(db.databaseId, { checkboxId: undefined }))).toEqual({
      kind: 'no_checkbox',
      message: 'To run the ticked rows, this database needs a checkbox column (like the seed’s “Generate”).',
    });
    const all = await checkSetup(
      world.client(),
      await setupFor(db.databaseId, { checkboxId: undefined, selection: 'all' }),
    );
    expect(all.checkbox).toBeUndefined();
  });

  it('refuses a template naming a property the database does not have, suggesting the nearest', async () => {
    const db = topics(1);
    expect(await refusal(await setupFor(db.databaseId, { template: 'Translate {{Topik}} and {{Colour}}' }))).toEqual({
      kind: 'template',
      message:
        '{{Topik}} is not a property of this database. Did you mean {{Topic}}? {{Colour}} is not a property of this database. Properties: Topic, Generate, Output, Mood, Length.',
    });
  });

  it('takes a Sources column with web search only: a text column of its own, not an output', async () => {
    const db = world.notion.createDatabase({
      title: 'Leads',
      properties: { Company: 'title', Summary: 'rich_text', Sources: 'rich_text', Tier: { select: { options: [] } } },
      rows: [{ Company: 'Acme' }],
    });
    const ids = await columns(db.databaseId);
    const setup = (extra: Partial<DatabaseRunSetup>): DatabaseRunSetup => ({
      databaseId: db.databaseId,
      template: 'What does {{Company}} do?',
      outputs: [{ id: ids.Summary! }],
      selection: 'all',
      overwrite: false,
      untick: false,
      ...extra,
    });
    const checked = await checkSetup(world.client(), setup({ webSearch: true, sourcesId: ids.Sources! }));
    expect(checked).toMatchObject({
      webSearch: true,
      sources: { id: ids.Sources, name: 'Sources', type: 'rich_text' },
    });
    // Without web search there are no sources to keep.
    expect((await checkSetup(world.client(), setup({ sourcesId: ids.Sources! }))).sources).toBeUndefined();
    expect(await refusal(setup({ webSearch: true, sourcesId: ids.Tier! }))).toEqual({
      kind: 'wrong_type',
      message: '“Tier” is not a text column: Sources are written as links in a text column.',
    });
    expect(await refusal(setup({ webSearch: true, sourcesId: ids.Summary! }))).toEqual({
      kind: 'wrong_type',
      message: '“Summary” is already an output: choose another text column for Sources.',
    });
    world.notion.editColumn(db.dataSourceId, 'Sources', null);
    expect(await refusal(setup({ webSearch: true, sourcesId: ids.Sources! }))).toEqual({
      kind: 'output_missing',
      message: 'The Sources column no longer exists in this database. Choose it again under Sources.',
    });
  });

  it('takes a view’s filter for “this view”, read when the run is set up; a view gone or of another database is named', async () => {
    const db = mixed();
    const other = topics(1);
    const viewId = world.notion.createView({
      databaseId: db.databaseId,
      name: 'Bold ones',
      filter: { property: 'Topic', title: { contains: 'B' } },
    });
    const checked = await checkSetup(world.client(), await setupFor(db.databaseId, { selection: 'view', viewId }));
    expect(checked.view).toEqual({
      id: viewId,
      name: 'Bold ones',
      dataSourceId: db.dataSourceId,
      filter: { property: 'Topic', title: { contains: 'B' } },
    });
    const otherView = world.notion.createView({ databaseId: other.databaseId, name: 'Elsewhere' });
    expect(await refusal(await setupFor(db.databaseId, { selection: 'view', viewId: otherView }))).toEqual({
      kind: 'view_missing',
      message: 'The view “Elsewhere” shows another database’s rows. Choose other rows under Rows.',
    });
    world.notion.deleteView(viewId);
    expect(await refusal(await setupFor(db.databaseId, { selection: 'view', viewId }))).toMatchObject({
      kind: 'view_missing',
      message: expect.stringContaining('The view in this link is gone'),
    });
    expect(await refusal(await setupFor(db.databaseId, { selection: 'view' }))).toMatchObject({ kind: 'view_missing' });
  });

  it('refuses an empty prompt and a setup without outputs', async () => {
    const db = topics(1);
    expect(await refusal(await setupFor(db.databaseId, { template: ' \n ' }))).toEqual({
      kind: 'no_prompt',
      message: 'Write a prompt first.',
    });
    expect(await refusal(await setupFor(db.databaseId, { outputs: [] }))).toEqual({
      kind: 'no_output',
      message: 'Choose at least one Output property.',
    });
  });
});

describe('previewRows', () => {
  it('answers the first few chosen rows and writes nothing to Notion', async () => {
    const db = topics(6, (i) => i !== 1);
    const setup = await setupFor(db.databaseId);
    const checked = await checkSetup(world.client(), setup);
    world.notion.clearRequestLog();
    const { rows, usage } = await previewRows(checked, setup, world.context(), 3);
    // Row 2 is not ticked: the first three chosen rows are 1, 3 and 4.
    expect(rows.map((r) => ({ title: r.title, outputs: r.outputs, reason: r.reason }))).toEqual([
      { title: 'Topic 01', outputs: { Output: '「Topic 01」(ja)' }, reason: undefined },
      { title: 'Topic 03', outputs: { Output: '「Topic 03」(ja)' }, reason: undefined },
      { title: 'Topic 04', outputs: { Output: '「Topic 04」(ja)' }, reason: undefined },
    ]);
    expect(rows.map((r) => r.id)).toEqual([db.rowIds[0], db.rowIds[2], db.rowIds[3]]);
    expect(usage).toHaveLength(3);
    expect(world.models.calls).toHaveLength(3);
    expect(writes()).toEqual([]);
    expect(outputsOf(db.dataSourceId)).toEqual(['', '', '', '', '', '']);
    // Nothing about a run was stored either.
    expect(Object.keys(await fakeBrowser.storage.local.get(null)).filter((k) => k.startsWith('job'))).toEqual([]);
  });

  it('shows why a row has no answer, and still answers the others', async () => {
    const db = topics(3);
    const ids = await columns(db.databaseId);
    const setup = await setupFor(db.databaseId, {
      outputs: [{ id: ids.Mood! }],
      template: 'Pick a mood for {{Topic}}',
    });
    const checked = await checkSetup(world.client(), setup);
    world.models.script({ match: 'Topic 02', fault: 'model_not_found' });
    world.models.script({ match: 'Topic 03', json: { mood: 'Furious' } });
    world.models.script({ match: 'Topic 01', json: { mood: 'Calm' } });
    const { rows } = await previewRows(checked, setup, world.context(), 3);
    const byTitle = Object.fromEntries(rows.map((r) => [r.title, r]));
    expect(byTitle['Topic 01']).toMatchObject({ outputs: { Mood: 'Calm' } });
    expect(byTitle['Topic 01']!.reason).toBeUndefined();
    expect(byTitle['Topic 02']).toEqual({
      id: db.rowIds[1],
      title: 'Topic 02',
      outputs: {},
      reason: expect.stringMatching(/has no model named “llama3\.2:latest”/),
    });
    expect(byTitle['Topic 03']).toMatchObject({
      outputs: { Mood: '' },
      reason: 'The model answered “Furious” for “Mood”, which is not one of its options (Calm, Bold).',
    });
    expect(writes()).toEqual([]);
  });

  it('packs its rows as the run would, and shows exactly what the packed run then writes', async () => {
    const db = topics(20);
    const ids = await columns(db.databaseId);
    const setup = await setupFor(db.databaseId, {
      outputs: [{ id: ids.Mood! }],
      // (With {{Topic}} each topic would come twice in a row's part, and the sandbox's hash, whose lowest bit is
      // the parity of the text, would then pick the same option for every row.)
      template: 'Pick a mood for this row',
    });
    const checked = await checkSetup(world.client(), setup);
    const modelBound = world.context(undefined, MODEL_BOUND_LIMITS);
    const { rows, usage } = await previewRows(checked, setup, modelBound, 3);
    expect(usage).toHaveLength(1);
    expect(world.models.calls[0]!.prompt).toContain('<row id="r3">');
    const job = databaseJob(runBase(checked, 'free'), checked, setup);
    await createJob(job);
    const done = await runDatabaseJob(job, modelBound);
    expect(done.counts).toMatchObject({ total: 20, written: 20 });
    // The run's packs are 15 and 5 rows, not Preview's 3: each row's answer is still the one Preview showed.
    expect(world.models.calls).toHaveLength(3);
    const moods = moodsOf(db.dataSourceId);
    expect(rows.map((r) => r.outputs.Mood)).toEqual(moods.slice(0, 3));
    expect(new Set(moods).size).toBeGreaterThan(1);
  });

  it('shows the reason on every row when the packed call fails for good', async () => {
    const db = topics(3);
    const setup = await setupFor(db.databaseId);
    const checked = await checkSetup(world.client(), setup);
    world.models.script({ fault: 'model_not_found' });
    const modelBound = world.context(undefined, MODEL_BOUND_LIMITS);
    const { rows } = await previewRows(checked, setup, modelBound, 3);
    expect(rows.map((r) => r.reason)).toEqual(Array(3).fill(expect.stringMatching(/has no model named/)));
    expect(world.models.calls).toHaveLength(1);
  });

  it('reads only the rows it shows', async () => {
    const db = topics(30);
    const setup = await setupFor(db.databaseId, { selection: 'all' });
    const checked = await checkSetup(world.client(), setup);
    world.notion.clearRequestLog();
    const { rows } = await previewRows(checked, setup, world.context(), 2);
    expect(rows.map((r) => r.title)).toEqual(['Topic 01', 'Topic 02']);
    const queries = world.notion.requestLog.filter((e) => e.route === 'POST /v1/data_sources/:id/query');
    expect(queries.map((q) => (q.body as { page_size: number }).page_size)).toEqual([2]);
  });
});

describe('estimateRun', () => {
  const OPENAI: EngineConfig = { engine: 'openai', model: 'gpt-5.5-mini', apiKey: '', baseUrl: '' };
  /** OpenAI's tier 1: Notion, not the model, bounds the run, so rows go one a call. */
  const TIER1 = { concurrency: 16, requestsPerMinute: 500 };

  async function estimate(databaseId: string, extra: Partial<DatabaseRunSetup>, engine = OPENAI) {
    const setup = await setupFor(databaseId, extra);
    return estimateRun(world.client(), await checkSetup(world.client(), setup), setup, engine, TIER1);
  }

  it('counts the ticked rows, skipping those already filled unless they are to be written over', async () => {
    const db = mixed();
    expect(await estimate(db.databaseId, {})).toMatchObject({ rows: 3, skipped: 1 });
    expect(await estimate(db.databaseId, { overwrite: true })).toMatchObject({ rows: 4, skipped: 0 });
  });

  it('counts the rows a view shows, skipping those already filled', async () => {
    const db = mixed();
    const viewId = world.notion.createView({
      databaseId: db.databaseId,
      name: 'Not ticked, or C',
      filter: {
        or: [
          { property: 'Generate', checkbox: { equals: false } },
          { property: 'Topic', title: { equals: 'C' } },
        ],
      },
    });
    // C, D and F are in the view; C and F are filled.
    expect(await estimate(db.databaseId, { selection: 'view', viewId })).toMatchObject({ rows: 1, skipped: 2 });
  });

  it('counts every row, or only the rows whose outputs are empty', async () => {
    const db = mixed();
    expect(await estimate(db.databaseId, { selection: 'all' })).toMatchObject({ rows: 4, skipped: 2 });
    expect(await estimate(db.databaseId, { selection: 'all', overwrite: true })).toMatchObject({ rows: 6, skipped: 0 });
    expect(await estimate(db.databaseId, { selection: 'empty' })).toMatchObject({ rows: 4, skipped: 0 });
  });

  it('counts each row once across many reading pages', async () => {
    const db = topics(230, (i) => i % 2 === 0);
    expect(await estimate(db.databaseId, {})).toMatchObject({ rows: 115, skipped: 0 });
    expect(await estimate(db.databaseId, { selection: 'all' })).toMatchObject({ rows: 230, skipped: 0 });
  });

  it('prices the rows at the model’s price: input from each row’s prompt, output from a guess per column type', async () => {
    const db = mixed();
    const ids = await columns(db.databaseId);
    const one = await estimate(db.databaseId, {});
    expect(one.outputTokens).toBe(3 * 150);
    expect(one.inputTokens).toBeGreaterThan(3 * 20);
    expect(one.free).toBe(false);
    // gpt-5.5-mini: $0.25 per million input tokens, $2 per million output tokens.
    expect(one.costUsd).toBeCloseTo((one.inputTokens * 0.25 + one.outputTokens * 2) / 1e6, 12);
    // Twice the rows, about twice the input (the rows' prompts differ only in their topic).
    const all = await estimate(db.databaseId, { selection: 'all', overwrite: true });
    expect(all.outputTokens).toBe(6 * 150);
    expect(all.inputTokens / one.inputTokens).toBeCloseTo(2, 1);
    // Two outputs: a text and a select, plus room for the JSON around them.
    const two = await estimate(db.databaseId, { outputs: [{ id: ids.Output! }, { id: ids.Mood! }] });
    expect(two.outputTokens).toBe(3 * (150 + 4 + 10));
    expect(two.inputTokens).toBeGreaterThan(one.inputTokens);
  });

  it('says how many rows go in a call when the engine’s requests a minute bound the run, and prices the packs', async () => {
    const db = topics(30);
    const setup = await setupFor(db.databaseId);
    const checked = await checkSetup(world.client(), setup);
    const hosted = await estimateRun(world.client(), checked, setup, OPENAI, TIER1);
    const free = await estimateRun(world.client(), checked, setup, OPENAI, MODEL_BOUND_LIMITS);
    const off = await estimateRun(world.client(), checked, { ...setup, packRows: false }, OPENAI, MODEL_BOUND_LIMITS);
    expect([hosted.rowsPerCall, free.rowsPerCall, off.rowsPerCall]).toEqual([1, 15, 1]);
    expect(off.inputTokens).toBe(hosted.inputTokens);
    // The instructions go once a pack: far fewer input tokens, the same answers to pay for.
    expect(free.inputTokens).toBeLessThan(hosted.inputTokens * 0.6);
    expect(free.outputTokens).toBe(hosted.outputTokens);
  });

  it('counts a modest page for each row when the prompt uses the page content', async () => {
    const db = mixed();
    const plain = await estimate(db.databaseId, { template: 'Summarise {{Topic}}' });
    const withPage = await estimate(db.databaseId, { template: 'Summarise {{Topic}} {{page}}' });
    expect(withPage.inputTokens - plain.inputTokens).toBeGreaterThanOrEqual(3 * 500 - 3);
    expect(withPage.inputTokens - plain.inputTokens).toBeLessThanOrEqual(3 * 500 + 10);
  });

  it('says a local server is free and an unknown model has no price', async () => {
    const db = mixed();
    expect(
      await estimate(
        db.databaseId,
        {},
        { engine: 'compatible', model: 'llama3.2', apiKey: '', baseUrl: 'http://localhost:11434/v1' },
      ),
    ).toMatchObject({ rows: 3, costUsd: 0, free: true });
    expect(
      await estimate(db.databaseId, {}, { engine: 'openai', model: 'o-imaginary', apiKey: '', baseUrl: '' }),
    ).toMatchObject({ rows: 3, costUsd: null, free: false });
  });

  it('offers a batch at about half the price from 20 rows, and says why not where the engine has no batch API', async () => {
    const db = topics(20);
    const openai = await estimate(db.databaseId, {});
    expect(openai.batchCostUsd).toBeCloseTo(openai.costUsd! / 2, 12);
    expect(openai.batchUnavailable).toBeUndefined();
    const local = {
      engine: 'compatible',
      model: 'llama3.2',
      apiKey: '',
      baseUrl: 'http://localhost:11434/v1',
    } as const;
    const compatible = await estimate(db.databaseId, {}, local);
    expect(compatible.batchCostUsd).toBeUndefined();
    expect(compatible.batchUnavailable).toBe(
      'The OpenAI-compatible server has no batch API, and costs nothing to run here: Slow and cheap (batch) is for GPT (OpenAI) and Gemini, at about half their price.',
    );
    const hosted = await estimate(db.databaseId, {}, { ...local, baseUrl: 'https://openrouter.ai/api/v1' });
    expect(hosted.batchUnavailable).toBe(
      'Slow and cheap (batch), at about half the price, is not offered here. The OpenAI-compatible server has no batch API: choose GPT (OpenAI) or Gemini in Settings → AI engine, or in Compare models.',
    );
    // Fewer rows, or a run one batch cannot carry anyway: nothing to say.
    const few = await estimate(topics(19).databaseId, {}, local);
    const searching = await estimate(db.databaseId, { webSearch: true });
    expect([few, searching].map((e) => [e.batchCostUsd, e.batchUnavailable])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it('warns before a run that would pass the monthly budget, and refuses once it is spent', async () => {
    const db = topics(40);
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, monthlyBudgetUsd: 0.01 });
    await recordUsage({ engine: 'openai', model: 'gpt-5.5-mini', connectionId: '', calls: 1, costUsd: 0.00999 });
    const near = await estimate(db.databaseId, {});
    expect(near.rows).toBe(40);
    expect(near.budgetWarning).toMatch(
      /^This run would take you past your monthly budget: \$0\.0100 spent of \$0\.0100, and this run costs about \$0\.\d{4}\. Start it anyway\?$/,
    );
    // Within the budget: no warning.
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, monthlyBudgetUsd: 100 });
    expect((await estimate(db.databaseId, {})).budgetWarning).toBeUndefined();
    // Spent: the estimate itself says so.
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, monthlyBudgetUsd: 0.005 });
    await expect(estimate(db.databaseId, {})).rejects.toMatchObject({
      problem: { kind: 'budget', message: expect.stringMatching(/^Your monthly budget of \$0\.0050 is used up/) },
    });
  });
});
