// Chained outputs against the in-process Notion API and model server: each row's later call is built
// from its own earlier answer, Preview shows both steps, a circle is refused before anything is paid
// for, and a row whose second call fails keeps its paid first answer for Retry failed.
import { describe, expect, it } from 'vitest';
import { useJobWorld } from '../../tests/sandbox/use-job-world.ts';
import { MODEL_BOUND_LIMITS, runBase, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { retrieveDatabase } from '../notion/target';
import { InklingError } from '../shared/problem';
import type { DatabaseJob } from '../shared/job';
import type { DatabaseRunSetup } from '../shared/intents';
import { checkSetup } from './database-setup';
import { estimateRun } from './run-estimate';
import { previewRows } from './database-preview';
import { runDatabaseJob } from './database-job';
import { createJob, readRows, updateJob } from './job-store';
import { RowBook } from './row-book';
import { databaseJob } from './start';

const world = useJobWorld();

const SUMMARISE = 'Summarise {{Topic}} in one line';
const CLASSIFY = 'Classify this summary: {{Summary}}';

async function chainedSetup(
  count: number,
  classify = CLASSIFY,
  template = SUMMARISE,
): Promise<{ setup: DatabaseRunSetup; db: ReturnType<JobWorld['notion']['createDatabase']> }> {
  const db = world.notion.createDatabase({
    title: `Notes ${Date.now()}`,
    properties: {
      Topic: 'title',
      Summary: 'rich_text',
      Category: { select: { options: [{ name: 'Science' }, { name: 'Art' }] } },
    },
    rows: Array.from({ length: count }, (_, i) => ({ Topic: `Topic ${i + 1}` })),
  });
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  const id = (name: string) => properties.find((p) => p.name === name)!.id;
  const setup: DatabaseRunSetup = {
    databaseId: db.databaseId,
    template,
    // Category is chosen first, but its prompt needs Summary's answer.
    outputs: [{ id: id('Category'), prompt: classify }, { id: id('Summary') }],
    selection: 'all',
    overwrite: false,
    untick: false,
  };
  return { setup, db };
}

const cellsOf = (dataSourceId: string) =>
  world.notion.queryRows(dataSourceId).map((row) => {
    const props = row.properties as Record<
      string,
      { rich_text?: Array<{ plain_text: string }>; select?: { name: string } | null }
    >;
    return {
      summary: props.Summary!.rich_text!.map((t) => t.plain_text).join(''),
      category: props.Category!.select?.name,
    };
  });

const callsMatching = (text: string) => world.models.calls.filter((c) => c.prompt.includes(text));

async function newJob(setup: DatabaseRunSetup): Promise<DatabaseJob> {
  const checked = await checkSetup(world.client(), setup);
  return (await createJob(databaseJob(runBase(checked, 'local'), checked, setup))) as DatabaseJob;
}

describe('a chained run', () => {
  it('asks each row’s second call with the first call’s answer, and writes both outputs once', async () => {
    const { setup, db } = await chainedSetup(3);
    // Even where the engine's limits would pack rows, a chained row goes alone: its second call is its own.
    const done = await runDatabaseJob(await newJob(setup), world.context(undefined, MODEL_BOUND_LIMITS));
    expect(done.counts).toMatchObject({ total: 3, written: 3, failed: 0 });
    const cells = cellsOf(db.dataSourceId);
    expect(world.models.calls).toHaveLength(6);
    for (const [i, { summary, category }] of cells.entries()) {
      expect(summary).not.toBe('');
      expect(['Science', 'Art']).toContain(category);
      // The row's Category call came after its Summary answer, and carried it.
      const summaryCall = world.models.calls.findIndex((c) => c.prompt.includes(`Summarise Topic ${i + 1} in one`));
      const classifyCall = world.models.calls.findIndex((c) => c.prompt.includes(`Classify this summary: ${summary}`));
      expect(summaryCall).toBeGreaterThanOrEqual(0);
      expect(classifyCall).toBeGreaterThan(summaryCall);
    }
    expect(world.notion.requestLog.filter((e) => e.route === 'PATCH /v1/pages/:id')).toHaveLength(3);
  });

  it('keeps a row’s paid first answer when its second fails, and Retry failed asks only the second again', async () => {
    const { setup, db } = await chainedSetup(2);
    world.models.script({
      match: 'Classify this summary: Answer: Summarise Topic 2',
      json: { category: 'Cooking' },
      times: 1,
    });
    const first = await runDatabaseJob(await newJob(setup), world.context());
    expect(first.counts).toMatchObject({ written: 1, failed: 1 });
    const failed = (await readRows(first.id, first.chunks)).find((r) => r.state === 'failed')!;
    expect(failed.reason).toMatch(/Cooking/);
    expect(Object.keys(failed.answered?.cells ?? {})).toHaveLength(1);
    expect(callsMatching('\n\nSummarise Topic 2 in one')).toHaveLength(1);

    // Retry failed: the failed row goes back to pending (as the runner does), and the run carries on.
    const book = await RowBook.load(first);
    await book.update(failed.id, (r) => {
      r.state = 'pending';
      delete r.reason;
    });
    await book.flushCounts();
    const running = await updateJob<DatabaseJob>(first.id, (j) => {
      j.status = 'running';
      j.phase = 'running';
    });
    const again = await runDatabaseJob(running!, world.context());
    expect(again.counts).toMatchObject({ written: 2, failed: 0 });
    expect(callsMatching('\n\nSummarise Topic 2 in one')).toHaveLength(1);
    expect(callsMatching('Classify this summary: Answer: Summarise Topic 2')).toHaveLength(2);
    const rows = await readRows(again.id, again.chunks);
    expect(rows.every((r) => r.answered === undefined)).toBe(true);
    expect(cellsOf(db.dataSourceId).every((c) => c.summary !== '' && c.category !== undefined)).toBe(true);
  });

  it('previews both steps of each row, in their order, writing nothing', async () => {
    const { setup, db } = await chainedSetup(2);
    const checked = await checkSetup(world.client(), setup);
    const { rows } = await previewRows(checked, setup, world.context(), 2);
    expect(rows.map((r) => r.steps)).toEqual([
      { Summary: 1, Category: 2 },
      { Summary: 1, Category: 2 },
    ]);
    expect(Object.keys(rows[0]!.outputs)).toEqual(['Summary', 'Category']);
    expect(world.models.calls).toHaveLength(4);
    expect(cellsOf(db.dataSourceId).every((c) => c.summary === '')).toBe(true);
  });

  it('counts both calls of each row in the estimate', async () => {
    const { setup } = await chainedSetup(4);
    const checked = await checkSetup(world.client(), setup);
    const engine = { engine: 'compatible' as const, model: 'llama3.2:latest', baseUrl: '' };
    const chained = await estimateRun(world.client(), checked, setup, engine as never, MODEL_BOUND_LIMITS);
    const single = { ...setup, outputs: setup.outputs.map(({ id }) => ({ id })) };
    const alone = await estimateRun(
      world.client(),
      await checkSetup(world.client(), single),
      { ...single, packRows: false },
      engine as never,
      MODEL_BOUND_LIMITS,
    );
    expect(chained.rowsPerCall).toBe(1);
    expect(chained.rows).toBe(4);
    // Two calls a row, each with its own instructions: more input than one call for both outputs.
    expect(chained.inputTokens).toBeGreaterThan(alone.inputTokens * 1.5);
  });

  it('refuses a circle of prompts before anything is paid for', async () => {
    const { setup } = await chainedSetup(1, CLASSIFY, 'Summarise {{Topic}} as {{Category}}');
    const refused = await checkSetup(world.client(), setup).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InklingError);
    expect((refused as InklingError).problem.message).toBe(
      'These prompts need each other’s answers first, so none of them can go first: the Prompt uses {{Category}}, the prompt for “Category” uses {{Summary}}. Take one of those out.',
    );
    expect(world.models.calls).toHaveLength(0);
  });
});
