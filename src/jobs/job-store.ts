// Jobs in storage: each job one item, plus an index. Writes to one job are serialised, so a
// progress update and a status change never overwrite each other.
import { jobIndexItem, jobKey, storage } from '../storage';
import type { Job, JobIndexEntry, JobRow } from './types';

const chains = new Map<string, Promise<unknown>>();

function serialise<T>(key: string, work: () => Promise<T>): Promise<T> {
  const next = (chains.get(key) ?? Promise.resolve()).then(work);
  chains.set(key, next.catch(() => undefined));
  return next;
}

export function readJob(id: string): Promise<Job | null> {
  return storage.getItem<Job>(jobKey(id));
}

function indexEntry(job: Job): JobIndexEntry {
  return { id: job.id, kind: job.kind, targetId: job.targetId, connectionId: job.connectionId, status: job.status, createdAt: job.createdAt };
}

function updateIndex(change: (index: JobIndexEntry[]) => JobIndexEntry[]): Promise<void> {
  return serialise('index', async () => jobIndexItem.setValue(change(await jobIndexItem.getValue())));
}

export async function createJob(job: Job): Promise<Job> {
  await serialise(job.id, () => storage.setItem(jobKey(job.id), job));
  await updateIndex((index) => [...index, indexEntry(job)]);
  return job;
}

/**
 * Applies `change` to the stored job and saves it. Returns the saved job, or null when the job is
 * gone (cleared). The index is touched only when the status changes.
 */
export function updateJob<T extends Job>(id: string, change: (job: T) => T | void): Promise<T | null> {
  return serialise(id, async () => {
    const current = await storage.getItem<T>(jobKey(id));
    if (!current) return null;
    const draft = structuredClone(current);
    const next = { ...(change(draft) ?? draft), updatedAt: Date.now() } as T;
    await storage.setItem(jobKey(id), next);
    if (next.status !== current.status) {
      await updateIndex((index) => index.map((entry) => (entry.id === id ? indexEntry(next) : entry)));
    }
    return next;
  });
}

// ---- Rows of database jobs, in chunks.

const rowsKey = (jobId: string, chunk: number) => `local:jobrows:${jobId}:${chunk}` as const;

export async function readRows(jobId: string, chunks: number): Promise<JobRow[]> {
  const keys = Array.from({ length: chunks }, (_, i) => rowsKey(jobId, i));
  const values = await storage.getItems(keys);
  return values.flatMap((entry) => (entry.value as JobRow[] | null) ?? []);
}

/** Jobs removed from storage (Clear) while this worker was driving them: their rows are not saved again. */
const removed = new Set<string>();

export function markRemoved(jobId: string): void {
  removed.add(jobId);
}

export function writeRowChunk(jobId: string, chunk: number, rows: JobRow[]): Promise<void> {
  return serialise(rowsKey(jobId, chunk), async () => {
    if (!removed.has(jobId)) await storage.setItem(rowsKey(jobId, chunk), rows);
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
