// "Slow and cheap (batch)" against the in-process Notion API and the sandbox's OpenAI Batch API: every
// row goes in one batch, the run waits paused until it is answered, then writes each row once; a
// batch sent just before the worker stopped is found again, never sent twice; an expired batch fails
// the rows it never answered, saying so; an engine without a batch API is refused with what to do.
import { describe, expect, it } from 'vitest';
import { runBase } from '../../tests/sandbox/job-world.ts';
import { savedConnection, useJobWorld } from '../../tests/sandbox/use-job-world.ts';
import { retrieveDatabase } from '../notion/target';
import { InklingError } from '../shared/problem';
import type { DatabaseJob } from '../shared/job';
import type { DatabaseRunSetup } from '../shared/intents';
import type { JobContext } from './context';
import { checkSetup } from './database-setup';
import { runDatabaseJob } from './database-job';
import { createJob, readJob, readRows, updateJob } from './job-store';
import { checkBatch } from './batch-run';
import { databaseJob } from './start';

const world = useJobWorld();

async function batchJob(count: number): Promise<{ job: DatabaseJob; dataSourceId: string }> {
  const db = world.notion.createDatabase({
    title: `Topics ${Date.now()}`,
    properties: { Topic: 'title', Summary: 'rich_text' },
    rows: Array.from({ length: count }, (_, i) => ({ Topic: `Topic ${i + 1}` })),
  });
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  const setup: DatabaseRunSetup = {
    databaseId: db.databaseId,
    template: 'Summarise {{Topic}}',
    outputs: [{ id: properties.find((p) => p.name === 'Summary')!.id }],
    selection: 'all',
    overwrite: false,
    untick: false,
    batch: true,
  };
  const checked = await checkSetup(world.client(), setup);
  const base = runBase(checked, 'local');
  await savedConnection(base.connectionId, db.databaseId);
  const job = await createJob({ ...databaseJob(base, checked, setup), batch: { round: 0, keys: [] } });
  return { job: job as DatabaseJob, dataSourceId: db.dataSourceId };
}

/** The run carried on, as the runner does when its wait is over. */
async function lookAgain(id: string, ctx: JobContext): Promise<DatabaseJob> {
  await updateJob<DatabaseJob>(id, (j) => {
    j.status = 'running';
    delete j.problem;
  });
  return runDatabaseJob((await readJob(id)) as DatabaseJob, ctx);
}

const writes = () => world.notion.requestLog.filter((e) => e.route === 'PATCH /v1/pages/:id' && e.status === 200);

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InklingError) return error.problem.message;
  }
  return 'not refused';
}

describe('Slow and cheap (batch)', () => {
  it('sends every row in one batch, waits paused while it is answered, then writes each row once', async () => {
    world.models.configure({ batchTurnaroundMs: 60_000 });
    const { job, dataSourceId } = await batchJob(25);
    const ctx = world.context(undefined, undefined, 'openai');
    world.notion.clearRequestLog();
    const waiting = await runDatabaseJob(job, ctx);
    expect(waiting).toMatchObject({ status: 'paused', problem: { kind: 'batch_waiting' } });
    expect(waiting.batch).toMatchObject({ round: 0, id: expect.stringMatching(/^batch_/) });
    expect(waiting.batch!.keys).toHaveLength(25);
    expect(waiting.resumeAt).toBeGreaterThan(Date.now());
    // A look while it is being answered sends nothing again.
    expect(await lookAgain(job.id, ctx)).toMatchObject({ status: 'paused' });
    expect(world.models.calls).toEqual([]);

    await world.models.batches.finish(waiting.batch!.id!);
    const done = await lookAgain(job.id, ctx);
    expect(done).toMatchObject({ status: 'done', counts: { total: 25, written: 25, failed: 0 } });
    expect(world.models.calls).toHaveLength(25);
    expect(world.models.calls.every((c) => c.batch === waiting.batch!.id)).toBe(true);
    expect(writes()).toHaveLength(25);
    expect(done.usage.calls).toBe(25);
    const summaries = world.notion
      .queryRows(dataSourceId)
      .map((r) => (r.properties as Record<string, { rich_text: unknown[] }>).Summary!.rich_text.length);
    expect(summaries.every((n) => n > 0)).toBe(true);
  });

  it('never sends a batch twice when the worker stops between sending it and saving its id', async () => {
    const { job } = await batchJob(20);
    const ctx = world.context(undefined, undefined, 'openai');
    const batch = ctx.engine.batch!;
    const cutOff: JobContext = {
      ...ctx,
      engine: {
        ...ctx.engine,
        batch: {
          ...batch,
          submit: async (...args) => {
            await batch.submit(...args);
            throw new Error('The worker stopped.');
          },
        },
      },
    };
    await expect(runDatabaseJob(job, cutOff)).rejects.toThrow('The worker stopped.');
    expect((await readJob(job.id)) as DatabaseJob).toMatchObject({ batch: { keys: expect.any(Array) } });
    // Carried on: the batch sent is found by its label, and answered once.
    let carried = await runDatabaseJob((await readJob(job.id)) as DatabaseJob, ctx);
    for (let i = 0; i < 50 && carried.status === 'paused'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      carried = await lookAgain(job.id, ctx);
    }
    expect(carried).toMatchObject({ status: 'done', counts: { written: 20 } });
    expect(world.models.calls).toHaveLength(20);
  });

  it('fails the rows an expired batch never answered, saying so', async () => {
    world.models.configure({ batchTurnaroundMs: 60_000 });
    const { job } = await batchJob(20);
    const ctx = world.context(undefined, undefined, 'openai');
    const waiting = await runDatabaseJob(job, ctx);
    world.models.batches.expire(waiting.batch!.id!);
    const done = await lookAgain(job.id, ctx);
    expect(done).toMatchObject({ status: 'done', counts: { written: 0, failed: 20 } });
    const rows = await readRows(done.id, done.chunks);
    expect(new Set(rows.map((r) => r.reason))).toEqual(
      new Set(['The batch’s 24 hours ran out before this row was answered. Retry failed sends it again.']),
    );
  });

  it('writes what a partly failed batch answered, and fails each row it could not answer with why', async () => {
    world.models.script({ match: 'Topic 7', fault: 'model_not_found' });
    const { job } = await batchJob(20);
    const ctx = world.context(undefined, undefined, 'openai');
    let run = await runDatabaseJob(job, ctx);
    for (let i = 0; i < 50 && run.status === 'paused'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      run = await lookAgain(job.id, ctx);
    }
    expect(run).toMatchObject({ status: 'done', counts: { written: 19, failed: 1 } });
    const failed = (await readRows(run.id, run.chunks)).filter((r) => r.state === 'failed');
    expect(failed.map((r) => r.title)).toEqual(['Topic 7']);
    expect(failed[0]!.reason).toMatch(/gpt-5\.5-mini/);
  });

  it('on Cancel, stops the batch at the provider and still writes what it answered by then', async () => {
    // Topics 1 to 9 are answered at once; the others are still being answered when Cancel comes.
    world.models.script({ match: /Topic (1\d|2\d)\b/, text: 'late', delayMs: 600_000 });
    const { job } = await batchJob(20);
    const ctx = world.context(undefined, undefined, 'openai');
    world.notion.clearRequestLog();
    const waiting = await runDatabaseJob(job, ctx);
    const id = waiting.batch!.id!;
    await new Promise((r) => setTimeout(r, 300));
    await updateJob<DatabaseJob>(job.id, (j) => void (j.batch!.cancel = 'asked'));
    // The provider takes a while to stop a batch (the sandbox a turn): the run waits for it.
    let done = await lookAgain(job.id, ctx);
    for (let i = 0; i < 50 && done.status === 'paused'; i++) {
      expect(done.problem?.message).toMatch(/Cancelling the batch: the rows it answered by then are written/);
      await new Promise((r) => setTimeout(r, 20));
      done = await lookAgain(job.id, ctx);
    }
    expect(done.batch).toMatchObject({ cancel: 'sent', collected: true });
    expect(done).toMatchObject({ status: 'done', counts: { written: 9, failed: 11 } });
    expect(writes()).toHaveLength(9);
    const rows = await readRows(done.id, done.chunks);
    expect(new Set(rows.filter((r) => r.state === 'failed').map((r) => r.reason))).toEqual(
      new Set(['The batch was cancelled before this row was answered. Retry failed sends it again.']),
    );
    expect(world.models.calls.every((c) => c.batch === id)).toBe(true);
  });

  it('on Cancel before the batch was sent, sends none; a Cancel the provider did not take is asked again', async () => {
    const { job } = await batchJob(20);
    const ctx = world.context(undefined, undefined, 'openai');
    await updateJob<DatabaseJob>(job.id, (j) => void (j.batch = { round: 0, keys: ['a row'], cancel: 'asked' }));
    await expect(runDatabaseJob((await readJob(job.id)) as DatabaseJob, ctx)).rejects.toThrow('Cancelled.');
    expect(world.models.calls).toEqual([]);

    world.models.configure({ batchTurnaroundMs: 60_000 });
    const other = await batchJob(20);
    const waiting = await runDatabaseJob(other.job, ctx);
    await updateJob<DatabaseJob>(other.job.id, (j) => void (j.batch!.cancel = 'asked'));
    const refusing: JobContext = {
      ...ctx,
      engine: {
        ...ctx.engine,
        batch: { ...ctx.engine.batch!, cancel: () => Promise.reject(new Error('The network is down.')) },
      },
    };
    const still = await lookAgain(other.job.id, refusing);
    expect(still).toMatchObject({ status: 'paused', batch: { cancel: 'asked' } });
    expect(still.problem?.message).toContain('Cancelling the batch');
    expect(await lookAgain(other.job.id, ctx)).toMatchObject({ batch: { id: waiting.batch!.id, cancel: 'sent' } });
  });

  it('is refused, with what to do, where a batch cannot go', () => {
    expect(refusal(() => checkBatch('compatible', { template: 'x' }))).toBe(
      'The OpenAI-compatible server has no batch API: choose GPT (OpenAI) or Gemini in Settings → AI engine, or in Compare models, or untick Slow and cheap (batch).',
    );
    expect(refusal(() => checkBatch('openai', { template: 'x', webSearch: true }))).toContain(
      'Web search does not go in a batch',
    );
    expect(refusal(() => checkBatch('gemini', { template: 'x' }))).toBe('not refused');
  });
});
