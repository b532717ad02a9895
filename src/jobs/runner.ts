// Drives stored jobs: starts them, resumes them when the worker wakes, cancels and undoes them.
// The only in-memory state is which jobs this worker instance is driving (a cache of the store).
import { browser } from 'wxt/browser';
import { recordRun } from '../connections/connections';
import { InklingError, isAbortError, type Problem } from '../shared/problem';
import { toModelProblem } from '../llm/errors';
import { toNotionProblem } from '../notion/errors';
import { createJobContext } from './context';
import { createJob, listJobIndex, markRemoved, pruneFinishedJobs, readJob, updateJob } from './job-store';
import { recordUsage } from '../usage/ledger';
import { RowBook } from './row-book';
import { runDatabaseJob } from './database-job';
import { undoDatabaseJob } from './database-undo';
import { runPageJob, undoPageJob } from './page-job';
import { isActive, type Job, type JobIndexEntry, type JobStatus } from '../shared/job';
import { formatTime } from '../shared/format';

/** A running job calls a cheap extension API this often, so Chrome does not stop the worker mid-run. */
export const KEEPALIVE_INTERVAL_MS = 20_000;
/** An alarm that wakes a stopped worker to resume its runs (the shortest Chrome allows). */
export const RESUME_ALARM = 'inkling-resume';
const RESUME_ALARM_PERIOD_MINUTES = 0.5;

const driving = new Map<string, AbortController>();
/** Runs a Cancel came to while they were being driven, to cancel once more when the drive ends. */
const driveAgain = new Set<string>();
let keepAlive: ReturnType<typeof setInterval> | undefined;

type TextListener = (job: Pick<Job, 'id' | 'targetId'>, text: string) => void;
let textListener: TextListener = () => undefined;

/** A job removed from storage (by Clear) stops at once, wherever it is. Call once, at startup. */
export function watchRemovedJobs(): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local') return;
    for (const [key, change] of Object.entries(changes)) {
      if (!key.startsWith('job:') || change.newValue !== undefined) continue;
      const id = key.slice('job:'.length);
      markRemoved(id);
      driving.get(id)?.abort();
    }
  });
}

/** Where streamed text goes (the state port). */
export function onJobText(listener: TextListener): void {
  textListener = listener;
}

function problemFrom(error: unknown, job: Job): Problem {
  if (error instanceof InklingError) return error.problem;
  if (isAbortError(error)) return { source: 'inkling', kind: 'aborted', message: 'Stopped.', retryable: false };
  // Notion's errors come from the SDK; anything else is the model's or ours.
  const notion = toNotionProblem(error, 'page');
  return notion.kind === 'network' ? toModelProblem(error, { engine: job.engine.engine }) : notion;
}

function startKeepAlive(): void {
  keepAlive ??= setInterval(() => void browser.runtime.getPlatformInfo(), KEEPALIVE_INTERVAL_MS);
  void browser.alarms.create(RESUME_ALARM, { periodInMinutes: RESUME_ALARM_PERIOD_MINUTES });
}

function stopKeepAliveIfIdle(): void {
  if (driving.size > 0) return;
  clearInterval(keepAlive);
  keepAlive = undefined;
  // Keep the alarm while a paused run waits for its quota.
  void listJobIndex().then((index) => {
    if (!index.some((e) => e.status === 'paused')) void browser.alarms.clear(RESUME_ALARM);
  });
}

// A job picked up after the worker died needs no wait: a write the old worker had in flight is
// recorded as sent, and the checked writer looks for it in Notion before sending anything again.
async function drive(id: string): Promise<void> {
  if (driving.has(id)) return;
  const controller = new AbortController();
  driving.set(id, controller);
  startKeepAlive();
  const job = await readJob(id);
  try {
    if (!job || !isActive(job.status)) return;
    const ctx = await createJobContext(
      job.engine,
      controller.signal,
      (text) => textListener(job, text),
      job.connectionId,
    );
    if (job.kind === 'page') {
      if (job.status === 'undoing') await undoPageJob(job, ctx);
      else await runPageJob(job, ctx);
    } else if (job.status === 'undoing') await undoDatabaseJob(job, ctx);
    else await runDatabaseJob(job, ctx);
  } catch (error) {
    if (job) {
      const problem = problemFrom(error, job);
      await updateJob(id, (j) => {
        if (j.status === 'undoing') {
          // An Undo that failed leaves the run as it was, with the reason: it can be tried again.
          j.status = 'done';
          j.problem = problem;
        } else if (j.status === 'running') {
          // No room to save progress: paused, with nothing lost, until the user resumes it.
          j.status = problem.kind === 'aborted' ? 'cancelled' : problem.kind === 'storage_full' ? 'paused' : 'failed';
          if (problem.kind !== 'aborted') j.problem = problem;
        }
      });
    }
  } finally {
    driving.delete(id);
    // A Cancel that came during this drive is applied again now, to what the drive left.
    if (driveAgain.delete(id)) void cancelJob(id);
    stopKeepAliveIfIdle();
    const settled = await readJob(id);
    if (settled) await recordRun(settled);
  }
}

/** Failed rows go back to pending (answered rows whose write failed go back to generated). */
async function resetFailedRows(job: Job & { kind: 'database' }): Promise<void> {
  const book = await RowBook.load(job);
  for (const row of book.rows) {
    if (row.state !== 'failed') continue;
    await book.update(row.id, (r) => {
      r.state = r.write ? 'generated' : 'pending';
      delete r.reason;
      delete r.display;
    });
  }
  await book.flushCounts();
}

/** Runs that hold their page or database: nothing else may start on it meanwhile. */
const HOLDS_TARGET: ReadonlySet<JobStatus> = new Set(['running', 'undoing', 'paused']);

/** The run going on a page or database (other than `except`), if any. */
async function activeJobOn(targetId: string, except?: string): Promise<JobIndexEntry | undefined> {
  return (await listJobIndex()).find(
    (entry) => entry.targetId === targetId && entry.id !== except && HOLDS_TARGET.has(entry.status),
  );
}

/** Why a second run (or an Undo) could not start on a target now, if another run holds it. */
export async function targetBusy(targetId: string, except?: string): Promise<Problem | undefined> {
  const busy = await activeJobOn(targetId, except);
  return busy ? busyProblem(busy) : undefined;
}

/** Why a second run (or an Undo) on a target cannot start while another is going. */
async function busyProblem(entry: JobIndexEntry): Promise<Problem> {
  const job = await readJob(entry.id);
  const title = job?.targetTitle ?? 'this page';
  const started = formatTime(entry.createdAt);
  const message =
    entry.status === 'undoing'
      ? `Inkling is undoing a run on “${title}”. Try again once it is done.`
      : entry.status === 'paused'
        ? `A run on “${title}” (started ${started}) is paused and carries on by itself. Cancel it first to start another.`
        : `A run is already going on “${title}” (started ${started}). Wait for it to finish, or Cancel it first.`;
  return { source: 'inkling', kind: 'busy', message, retryable: false, jobId: entry.id };
}

/**
 * Does `change` only while no other run holds the target, checked and done under one lock per
 * target, so two Generates at once (two tabs, a double click) start one run, not two.
 */
function exclusively<T>(targetId: string, except: string | undefined, change: () => Promise<T>): Promise<T> {
  return navigator.locks.request(`inkling-target:${targetId}`, async () => {
    const busy = await targetBusy(targetId, except);
    if (busy) throw new InklingError(busy);
    return change();
  });
}

export async function startJob(job: Job): Promise<void> {
  await exclusively(job.targetId, undefined, () => createJob(job));
  await recordUsage({ engine: job.engine.engine, model: job.engine.model, connectionId: job.connectionId, runs: 1 });
  await recordRun(job);
  void drive(job.id);
}

/** On every wake: carry on with whatever was running when the worker stopped, and with paused runs whose wait is over. */
export async function resumeJobs(): Promise<void> {
  await pruneFinishedJobs();
  const index = await listJobIndex();
  let waiting = false;
  for (const entry of index) {
    if (isActive(entry.status)) void drive(entry.id);
    if (entry.status !== 'paused') continue;
    const job = await readJob(entry.id);
    // A run paused for a quota carries on once its wait is over; one paused for another reason (storage full) waits for Resume.
    if (job?.kind === 'database' && job.resumeAt !== undefined && job.resumeAt <= Date.now()) {
      await updateJob(entry.id, (j) => {
        j.status = 'running';
        delete j.problem;
      });
      void drive(entry.id);
    } else waiting = true;
  }
  // A paused run needs a wake-up call when its wait is over.
  if (waiting) void browser.alarms.create(RESUME_ALARM, { periodInMinutes: RESUME_ALARM_PERIOD_MINUTES });
}

export async function cancelJob(id: string): Promise<void> {
  let batchCancel = false;
  await updateJob(id, (j) => {
    if (j.status !== 'running' && j.status !== 'paused') return;
    // A batch sent (or being sent: its keys are saved first) is stopped at the provider instead, and
    // what it answered by then (paid for) is still written: the run carries on until the provider
    // says the batch has stopped.
    if (j.kind === 'database' && j.batch && !j.batch.collected && (j.batch.id || j.batch.keys.length > 0)) {
      j.batch.cancel ??= 'asked';
      j.status = 'running';
      delete j.resumeAt;
      delete j.problem;
      batchCancel = true;
    } else j.status = 'cancelled';
  });
  if (!batchCancel) driving.get(id)?.abort();
  // A look going on now may have read the run before Cancel: it is driven once more when it ends.
  else if (driving.has(id)) driveAgain.add(id);
  else void drive(id);
}

export async function undoJob(id: string): Promise<void> {
  const job = await readJob(id);
  if (!job)
    throw new InklingError({
      source: 'inkling',
      kind: 'missing',
      message: 'This run no longer exists.',
      retryable: false,
    });
  if (job.status === 'running')
    throw new InklingError({
      source: 'inkling',
      kind: 'busy',
      message: 'Stop the run before undoing it.',
      retryable: false,
    });
  if (job.status === 'undone') return;
  await exclusively(job.targetId, id, () =>
    updateJob(id, (j) => {
      j.status = 'undoing';
      delete j.problem;
    }),
  );
  void drive(id);
}

/**
 * Carries a stopped run on. A page run writes its kept answer again (no new model call). A database
 * run goes on with the rows not yet done — rows already answered are written without asking the
 * model again — and runs its failed rows once more.
 */
export async function retryJob(id: string): Promise<void> {
  const job = await readJob(id);
  if (!job || !['failed', 'cancelled', 'paused', 'done'].includes(job.status)) return;
  await exclusively(job.targetId, id, async () => {
    if (job.kind === 'database') await resetFailedRows(job);
    await updateJob(id, (j) => {
      j.status = 'running';
      if (j.kind === 'database' && j.phase === 'finished') j.phase = 'running';
      delete j.problem;
    });
  });
  void drive(id);
}
