// Jobs in storage: each job one item, plus an index. Writes to one job are serialised, so a
// progress update and a status change never overwrite each other. A write the browser refuses for
// lack of space becomes the "storage full" problem, which pauses the run (runner.ts).
import { InklingError, type Problem } from '../shared/problem';
import { jobIndexItem, jobKey, jobRowsKey, serialised, storage } from '../storage';
import { isFinished, JOB_RETENTION_MS, type Job, type JobIndexEntry, type JobRow } from '../shared/job';

export const STORAGE_FULL_PROBLEM: Problem = {
  source: 'inkling',
  kind: 'storage_full',
  message:
    'Storage full: the browser has no room left for this run’s progress, so Inkling paused it before writing anything it could not keep. Free some disk space, then click Resume.',
  retryable: false,
};

/** Chrome says "QUOTA_BYTES quota exceeded"; Firefox throws a QuotaExceededError. */
function isQuotaError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'QuotaExceededError' || /quota/i.test(error.message));
}

/** A storage write, with a quota error said as what it is. */
async function stored<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isQuotaError(error)) throw new InklingError(STORAGE_FULL_PROBLEM, { cause: error });
    throw error;
  }
}

export function readJob(id: string): Promise<Job | null> {
  return storage.getItem<Job>(jobKey(id));
}

function indexEntry(job: Job): JobIndexEntry {
  return {
    id: job.id,
    kind: job.kind,
    targetId: job.targetId,
    connectionId: job.connectionId,
    status: job.status,
    createdAt: job.createdAt,
  };
}

function updateIndex(change: (index: JobIndexEntry[]) => JobIndexEntry[]): Promise<void> {
  return serialised('index', async () =>
    stored(async () => jobIndexItem.setValue(change(await jobIndexItem.getValue()))),
  );
}

export async function createJob(job: Job): Promise<Job> {
  await serialised(jobKey(job.id), () => stored(() => storage.setItem(jobKey(job.id), job)));
  await updateIndex((index) => [...index, indexEntry(job)]);
  return job;
}

/**
 * Applies `change` to the stored job and saves it. Returns the saved job, or null when the job is
 * gone (cleared). The index is touched only when the status changes.
 */
export function updateJob<T extends Job>(id: string, change: (job: T) => T | void): Promise<T | null> {
  return serialised(jobKey(id), async () => {
    const current = await storage.getItem<T>(jobKey(id));
    if (!current) return null;
    const draft = structuredClone(current);
    const next = { ...(change(draft) ?? draft), updatedAt: Date.now() } as T;
    await stored(() => storage.setItem(jobKey(id), next));
    if (next.status !== current.status) {
      await updateIndex((index) => index.map((entry) => (entry.id === id ? indexEntry(next) : entry)));
    }
    return next;
  });
}

// ---- Rows of database jobs, in chunks.

export async function readRows(jobId: string, chunks: number): Promise<JobRow[]> {
  const keys = Array.from({ length: chunks }, (_, i) => jobRowsKey(jobId, i));
  const values = await storage.getItems(keys);
  return values.flatMap((entry) => (entry.value as JobRow[] | null) ?? []);
}

/** Jobs removed from storage (Clear) while this worker was driving them: their rows are not saved again. */
const removed = new Set<string>();

export function markRemoved(jobId: string): void {
  removed.add(jobId);
}

export function writeRowChunk(jobId: string, chunk: number, rows: JobRow[]): Promise<void> {
  return serialised(jobRowsKey(jobId, chunk), async () => {
    if (!removed.has(jobId)) await stored(() => storage.setItem(jobRowsKey(jobId, chunk), rows));
  });
}

export async function listJobIndex(): Promise<JobIndexEntry[]> {
  return jobIndexItem.getValue();
}

/** The newest job for a page or database. */
export async function latestJobFor(targetId: string): Promise<Job | null> {
  const entry = (await listJobIndex()).filter((e) => e.targetId === targetId).at(-1);
  return entry ? readJob(entry.id) : null;
}

/**
 * Removes finished runs whose retention is over: the job, its rows and its index entry. (Their
 * connection keeps its own summary of the last run.) Returns how many were removed.
 */
export async function pruneFinishedJobs(now = Date.now()): Promise<number> {
  const index = await listJobIndex();
  const expired: string[] = [];
  for (const entry of index) {
    if (!isFinished(entry.status)) continue;
    const job = await readJob(entry.id);
    if (job && job.updatedAt + JOB_RETENTION_MS > now) continue;
    expired.push(entry.id);
    const chunks = job?.kind === 'database' ? job.chunks : 0;
    await storage.removeItems([jobKey(entry.id), ...Array.from({ length: chunks }, (_, i) => jobRowsKey(entry.id, i))]);
  }
  if (expired.length > 0) await updateIndex((current) => current.filter((entry) => !expired.includes(entry.id)));
  return expired.length;
}
