// The runner, as the background drives it: jobs started and carried on in the background with the
// context it builds from the stored secret (its Notion client and pacer, reaching the in-process
// Notion at api.notion.com), resumed when the worker wakes, one run per target, paused when storage
// is full, cancelled with nothing sent after, undone, written again, and pruned once retention ends.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES, type BlockTreeNode } from '../../tests/sandbox/notion/index.ts';
import { notionValidationError, startPageRunWorld, type PageRunWorld } from '../../tests/sandbox/page-run-world.ts';
import { InklingError, type Problem } from '../shared/problem';
import type * as PacerModule from '../notion/pacer';
import { retrieveDatabase } from '../notion/target';
import { clearAllStorage, isRegisteredKey, writeSecrets } from '../storage';
import { readUsage } from '../usage/ledger';
import { checkSetup } from './database-setup';
import { createJob, listJobIndex, readJob, readRows } from './job-store';
import {
  cancelJob,
  onJobText,
  resumeJobs,
  RESUME_ALARM,
  retryJob,
  startJob,
  targetBusy,
  undoJob,
  watchRemovedJobs,
} from './runner';
import { databaseJob } from './start';
import { EMPTY_USAGE, JOB_RETENTION_MS, type DatabaseJob, type Job, type JobStatus, type PageJob } from '../shared/job';

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
  watchRemovedJobs();
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
  vi.restoreAllMocks();
  await clearAllStorage();
  await browser.alarms.clearAll();
  await sandbox.reset();
  world.notion.reset();
  world.notion.clearRequestLog();
  world.models.reset();
  await writeSecrets({ notionToken: FIXTURES.token });
});

const paragraph = (content: string) => ({
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', text: { content } }] },
});

function newPage(children: unknown[] = []): string {
  return world.notion.createPage({ title: `Notes ${crypto.randomUUID().slice(0, 8)}`, children });
}

function pageJob(targetId: string, extra: Partial<PageJob> = {}): PageJob {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    connectionId: crypto.randomUUID(),
    kind: 'page',
    targetId,
    targetTitle: world.notion.resolveTitle(targetId)?.title ?? 'Notes',
    targetUrl: `https://www.notion.so/${targetId.replace(/-/g, '')}`,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine: { engine: 'compatible', model: 'llama3.2:latest', baseUrl: sandbox.modelBaseUrl, limitPreset: 'local' },
    usage: EMPTY_USAGE,
    prompt: 'Write the plan',
    useContext: false,
    mode: 'append',
    phase: 'generating',
    createdIds: [],
    ...extra,
  };
}

const textOf = (node: BlockTreeNode): string =>
  ((node[node.type] as { rich_text?: Array<{ plain_text: string }> } | undefined)?.rich_text ?? [])
    .map((t) => t.plain_text)
    .join('');
const lines = (pageId: string) => world.notion.getBlockTree(pageId).map((node) => `${node.type}: ${textOf(node)}`);
const appends = () => world.notion.requestLog.filter((e) => e.route === 'PATCH /v1/blocks/:id/children');
const paidCalls = () => world.models.calls.filter((call) => call.status === 200 && !call.aborted).length;
const manyParagraphs = (count: number) => Array.from({ length: count }, (_, i) => `Paragraph ${i + 1}.`).join('\n\n');

async function until(test: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1_500; i++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** Waits until the runner has let go of the job (its status is no longer running or undoing), and returns it. */
async function settled<T extends Job = PageJob>(id: string, status?: JobStatus): Promise<T> {
  await until(
    async () => {
      const job = await readJob(id);
      return job !== null && (status ? job.status === status : job.status !== 'running' && job.status !== 'undoing');
    },
    `job ${id} settles${status ? ` as ${status}` : ''}`,
  );
  // The runner's last saves (the connection's summary) after the status.
  await new Promise((r) => setTimeout(r, 30));
  return (await readJob(id)) as T;
}

async function problemOf(work: Promise<unknown>): Promise<Problem> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InklingError);
  return (error as InklingError).problem;
}

describe('a started run', () => {
  it('runs in the background to done, streams its text, and counts the run and its call in the usage ledger', async () => {
    const pageId = newPage([paragraph('Mine.')]);
    world.models.script({ text: 'Streamed answer.' });
    const streamed: string[] = [];
    onJobText((job, text) => {
      if (job.targetId === pageId) streamed.push(text);
    });
    const job = pageJob(pageId);
    await startJob(job);
    expect(await browser.alarms.get(RESUME_ALARM)).toBeDefined();
    const done = await settled(job.id);
    expect(done).toMatchObject({ status: 'done', phase: 'written' });
    expect(lines(pageId)).toEqual(['paragraph: Mine.', 'paragraph: Streamed answer.']);
    expect(streamed.at(-1)).toBe('Streamed answer.');
    const usage = (await readUsage()).filter((e) => e.connectionId === job.connectionId);
    expect(usage.reduce((n, e) => n + e.runs, 0)).toBe(1);
    expect(usage.reduce((n, e) => n + e.calls, 0)).toBe(1);
    // Nothing left to wake up for.
    expect(await browser.alarms.get(RESUME_ALARM)).toBeUndefined();
  });

  it('fails with the model’s problem when the model refuses the call, and writes nothing', async () => {
    const pageId = newPage();
    world.models.script({ fault: 'model_not_found' });
    const job = pageJob(pageId);
    await startJob(job);
    const failed = await settled(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.problem?.source).toBe('model');
    expect(failed.problem?.kind).toBe('model_not_found');
    expect(appends()).toEqual([]);
  });
});

describe('one run per target', () => {
  it('refuses a second run on a page while one is going, with the busy problem naming the running job', async () => {
    const pageId = newPage();
    world.models.script({ text: 'First.', delayMs: 300 });
    const first = pageJob(pageId);
    await startJob(first);
    const second = pageJob(pageId);
    const problem = await problemOf(startJob(second));
    expect(problem).toMatchObject({ source: 'inkling', kind: 'busy', jobId: first.id, retryable: false });
    expect(problem.message).toMatch(
      new RegExp(
        `^A run is already going on “${first.targetTitle}” \\(started .+\\)\\. Wait for it to finish, or Cancel it first\\.$`,
      ),
    );
    expect(await readJob(second.id)).toBeNull();
    expect((await listJobIndex()).map((e) => e.id)).toEqual([first.id]);
    await settled(first.id);
    // Once it is done, the page is free again.
    const third = pageJob(pageId);
    await startJob(third);
    expect((await settled(third.id)).status).toBe('done');
  });

  it('starts one run, not two, when two Generates come at once', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Once.' });
    const [a, b] = [pageJob(pageId), pageJob(pageId)];
    const results = await Promise.allSettled([startJob(a), startJob(b)]);
    expect(results.map((r) => r.status).toSorted()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as InklingError).problem).toMatchObject({ kind: 'busy', jobId: winner.id });
    await settled(winner.id);
    expect(lines(pageId)).toEqual(['paragraph: Once.']);
    expect(paidCalls()).toBe(1);
  });

  it('says a paused run or an Undo holds the page, and a finished run does not', async () => {
    const paused = await createJob(pageJob(newPage(), { status: 'paused' }));
    expect((await targetBusy(paused.targetId))?.message).toMatch(
      /^A run on “.+” \(started .+\) is paused and carries on by itself\. Cancel it first to start another\.$/,
    );
    expect(await targetBusy(paused.targetId, paused.id)).toBeUndefined();
    const undoing = await createJob(pageJob(newPage(), { status: 'undoing' }));
    expect(await targetBusy(undoing.targetId)).toMatchObject({
      kind: 'busy',
      jobId: undoing.id,
      message: `Inkling is undoing a run on “${undoing.targetTitle}”. Try again once it is done.`,
    });
    const done = await createJob(pageJob(newPage(), { status: 'done' }));
    expect(await targetBusy(done.targetId)).toBeUndefined();
  });
});

/** A database run over a new database of `rows` ticked topics, as start.ts would make it. */
async function topicsJob(rows = 3): Promise<{ job: DatabaseJob; rowIds: string[] }> {
  const db = world.notion.createDatabase({
    title: `Topics ${crypto.randomUUID().slice(0, 8)}`,
    properties: { Topic: 'title', Generate: 'checkbox', Output: 'rich_text' },
    rows: Array.from({ length: rows }, (_, i) => ({ Topic: `Topic ${i + 1}`, Generate: true })),
  });
  const notion = world.client();
  const { properties } = await retrieveDatabase(notion, db.databaseId);
  const setup = {
    databaseId: db.databaseId,
    template: 'Translate the topic to Japanese',
    outputs: [{ id: properties.find((p) => p.name === 'Output')!.id }],
    selection: 'ticked' as const,
    checkboxId: properties.find((p) => p.name === 'Generate')!.id,
    overwrite: false,
    untick: true,
  };
  const checked = await checkSetup(notion, setup);
  const base = { ...pageJob(db.databaseId), targetTitle: checked.target.title };
  return { job: databaseJob(base, checked, setup), rowIds: db.rowIds };
}

describe('when the worker wakes', () => {
  it('carries on the runs that were going, and a run paused for a quota once its wait is over; a run paused for storage waits for Resume', async () => {
    world.models.script({ match: 'Write the plan', text: 'Resumed.' });
    const running = await createJob(pageJob(newPage()));
    const quota = await createJob({
      ...(await topicsJob()).job,
      status: 'paused',
      resumeAt: Date.now() - 1_000,
      problem: { source: 'model', kind: 'rate_limited', message: 'Wait.', retryable: true },
    });
    const later = await createJob({ ...(await topicsJob()).job, status: 'paused', resumeAt: Date.now() + 60_000 });
    const full = await createJob(pageJob(newPage(), { status: 'paused' }));
    await resumeJobs();
    expect((await settled(running.id)).status).toBe('done');
    expect(lines(running.targetId)).toEqual(['paragraph: Resumed.']);
    const resumed = await settled<DatabaseJob>(quota.id, 'done');
    expect(resumed.problem).toBeUndefined();
    expect(resumed.counts).toMatchObject({ total: 3, written: 3 });
    expect((await readRows(quota.id, resumed.chunks)).every((row) => row.state === 'written')).toBe(true);
    expect((await readJob(later.id))?.status).toBe('paused');
    expect((await readJob(full.id))?.status).toBe('paused');
    // The paused runs need a wake-up call.
    expect(await browser.alarms.get(RESUME_ALARM)).toBeDefined();
  });

  it('removes finished runs whose retention is over, and keeps the others', async () => {
    const old = Date.now() - JOB_RETENTION_MS - 60_000;
    const expired = await createJob(pageJob(newPage(), { status: 'done', createdAt: old, updatedAt: old }));
    const recent = await createJob(
      pageJob(newPage(), { status: 'undone', createdAt: old, updatedAt: Date.now() - 60_000 }),
    );
    const pausedLongAgo = await createJob(pageJob(newPage(), { status: 'paused', createdAt: old, updatedAt: old }));
    await resumeJobs();
    expect(await readJob(expired.id)).toBeNull();
    expect((await listJobIndex()).map((e) => e.id).toSorted()).toEqual([recent.id, pausedLongAgo.id].toSorted());
    expect(await readJob(recent.id)).not.toBeNull();
  });
});

describe('storage full', () => {
  it('pauses the run with nothing lost, and Resume writes the answer without asking the model again', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Kept in memory.' });
    const job = pageJob(pageId);
    const set = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    let full = true;
    vi.spyOn(fakeBrowser.storage.local, 'set').mockImplementation(async (items: Record<string, unknown>) => {
      const saving = items[`job:${job.id}`] as PageJob | undefined;
      if (full && saving?.answer !== undefined) throw new Error('Resource::kQuotaBytes quota exceeded');
      return set(items);
    });
    await startJob(job);
    const paused = await settled(job.id);
    expect(paused.status).toBe('paused');
    expect(paused.problem).toMatchObject({ kind: 'storage_full' });
    expect(paused.problem?.message).toMatch(/^Storage full/);
    expect(appends()).toEqual([]);
    expect(await browser.alarms.get(RESUME_ALARM)).toBeDefined();

    full = false;
    await retryJob(job.id);
    const done = await settled(job.id);
    expect(done).toMatchObject({ status: 'done', answer: 'Kept in memory.' });
    expect(done.problem).toBeUndefined();
    expect(lines(pageId)).toEqual(['paragraph: Kept in memory.']);
    expect(paidCalls()).toBe(1);
  });
});

describe('Cancel', () => {
  it('stops a run mid-write with nothing sent after, and “Write it again” finishes it without doubling a block', async () => {
    const pageId = newPage();
    world.models.script({ text: manyParagraphs(250) });
    // The first hundred blocks land; the next request is still with Notion when the user cancels.
    const slow = sandbox.hold('PATCH', /\/children$/, 1);
    const job = pageJob(pageId);
    await startJob(job);
    await until(() => slow.count() === 1, 'the second append is held');
    await cancelJob(job.id);
    const cancelled = await settled(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.problem).toBeUndefined();
    await slow.release();
    await new Promise((r) => setTimeout(r, 200));
    // The request in flight landed; nothing was sent after the Cancel.
    expect(appends()).toHaveLength(2);
    expect(lines(pageId)).toHaveLength(200);

    await retryJob(job.id);
    const done = await settled(job.id);
    expect(done.status).toBe('done');
    expect(lines(pageId)).toEqual(Array.from({ length: 250 }, (_, i) => `paragraph: Paragraph ${i + 1}.`));
    expect(appends()).toHaveLength(3);
    expect(paidCalls()).toBe(1);
  });

  it('while the model answers: nothing reaches Notion, before or after', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Never written.', delayMs: 300 });
    const job = pageJob(pageId);
    await startJob(job);
    await until(() => world.models.calls.length === 1, 'the model is asked');
    await cancelJob(job.id);
    expect((await settled(job.id)).status).toBe('cancelled');
    await until(() => world.models.calls[0]?.aborted === true, 'the model call is cut');
    await new Promise((r) => setTimeout(r, 100));
    expect(appends()).toEqual([]);
    expect(lines(pageId)).toEqual([]);
  });

  it('a run removed from storage (Clear) stops where it is', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Never written.', delayMs: 300 });
    const job = pageJob(pageId);
    await startJob(job);
    await until(() => world.models.calls.length === 1, 'the model is asked');
    await browser.storage.local.remove(`job:${job.id}`);
    // A browser tells of a removed item with its old value only (the fake browser adds newValue: null).
    await fakeBrowser.storage.onChanged.trigger({ [`job:${job.id}`]: { oldValue: job } }, 'local');
    await until(() => world.models.calls[0]?.aborted === true, 'the model call is cut');
    await new Promise((r) => setTimeout(r, 100));
    expect(appends()).toEqual([]);
    expect(await readJob(job.id)).toBeNull();
  });
});

describe('Undo and “Write it again” through the runner', () => {
  it('undoes a finished run; refuses a running one and one that no longer exists', async () => {
    const pageId = newPage([paragraph('Mine.')]);
    world.models.script({ text: 'One.\n\nTwo.', delayMs: 100 });
    const job = pageJob(pageId);
    await startJob(job);
    expect(await problemOf(undoJob(job.id))).toMatchObject({
      kind: 'busy',
      message: 'Stop the run before undoing it.',
    });
    await settled(job.id);
    await undoJob(job.id);
    const undone = await settled(job.id);
    expect(undone.status).toBe('undone');
    expect(lines(pageId)).toEqual(['paragraph: Mine.']);
    // Undone is undone: a second Undo does nothing.
    world.notion.clearRequestLog();
    await undoJob(job.id);
    expect((await readJob(job.id))?.status).toBe('undone');
    expect(world.notion.requestLog).toEqual([]);
    expect(await problemOf(undoJob(crypto.randomUUID()))).toMatchObject({
      kind: 'missing',
      message: 'This run no longer exists.',
    });
  });

  it('an Undo that fails leaves the run done, with the reason, and can be tried again', async () => {
    const pageId = newPage();
    world.models.script({ text: 'One.\n\nTwo.' });
    const job = pageJob(pageId);
    await startJob(job);
    await settled(job.id);
    sandbox.failNotion({
      method: 'DELETE',
      status: 403,
      body: { object: 'error', status: 403, code: 'restricted_resource', message: 'Insufficient permissions.' },
    });
    await undoJob(job.id);
    const failed = await settled(job.id);
    expect(failed.status).toBe('done');
    expect(failed.problem?.kind).toBe('restricted');
    await undoJob(job.id);
    expect((await settled(job.id)).status).toBe('undone');
    expect(lines(pageId)).toEqual([]);
  });

  it('a write Notion refused fails the run with what was not written, and “Write it again” writes it with the kept answer', async () => {
    const pageId = newPage();
    world.models.script({ text: 'One.\n\nTwo.' });
    sandbox.failNotion({
      method: 'PATCH',
      path: /\/children$/,
      status: 400,
      body: notionValidationError('Try later.'),
    });
    const job = pageJob(pageId);
    await startJob(job);
    const failed = await settled(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.problem?.message).toBe(
      'Notion rejected the request: Try later. Not written: blocks 1–2 of 2 (from the paragraph "One."). What was written is kept; Undo removes it.',
    );
    // Only a stopped run can be written again.
    await retryJob(crypto.randomUUID());
    await retryJob(job.id);
    const done = await settled(job.id);
    expect(done.status).toBe('done');
    expect(done.problem).toBeUndefined();
    expect(lines(pageId)).toEqual(['paragraph: One.', 'paragraph: Two.']);
    expect(paidCalls()).toBe(1);
  });

  it('“Write it again” on a database run runs its failed rows once more', async () => {
    const { job, rowIds } = await topicsJob(2);
    // Notion refuses the second row's write once: the row fails with its answer kept.
    const second = rowIds[1]!;
    sandbox.failNotion({
      method: 'PATCH',
      path: new RegExp(`^/v1/pages/(${second}|${second.replace(/-/g, '')})$`),
      status: 400,
      body: notionValidationError('Row is locked.'),
    });
    await startJob(job);
    const first = await settled<DatabaseJob>(job.id);
    expect(first.counts).toMatchObject({ written: 1, failed: 1 });
    expect((await readRows(job.id, first.chunks)).find((r) => r.id === second)).toMatchObject({
      state: 'failed',
      reason: 'Notion rejected the request: Row is locked.',
    });
    await retryJob(job.id);
    const done = await settled<DatabaseJob>(job.id);
    expect(done.status).toBe('done');
    // Written with the kept answer: one model call per row in all.
    expect(paidCalls()).toBe(2);
    expect(done.counts).toMatchObject({ written: 2, failed: 0 });
  });
});
