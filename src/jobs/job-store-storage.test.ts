// Runs in storage, as the worker leaves them for its next wake: a job and its rows in chunks, the index
// that finds them, finished runs removed once their retention is over (never a running or paused
// one), and a browser out of room said as "storage full" with what was stored before left intact.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { InklingError } from '../shared/problem';
import { clearAllStorage, isRegisteredKey } from '../storage';
import {
  createJob,
  latestJobFor,
  listJobIndex,
  markRemoved,
  pruneFinishedJobs,
  readJob,
  readRows,
  STORAGE_FULL_PROBLEM,
  updateJob,
  writeRowChunk,
} from './job-store';
import {
  EMPTY_COUNTS,
  EMPTY_USAGE,
  JOB_RETENTION_MS,
  type DatabaseJob,
  type JobRow,
  type JobStatus,
  type PageJob,
} from '../shared/job';

beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
});
afterEach(async () => {
  vi.restoreAllMocks();
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});

const DAY = 24 * 60 * 60_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');

function base(status: JobStatus, updatedAt: number, targetId: string = crypto.randomUUID()) {
  return {
    id: crypto.randomUUID(),
    connectionId: crypto.randomUUID(),
    targetId,
    targetTitle: 'Target',
    targetUrl: 'https://www.notion.so/Target',
    status,
    createdAt: updatedAt,
    updatedAt,
    engine: { engine: 'gemini' as const, model: 'gemini-3.8-flash', baseUrl: '', limitPreset: 'free' },
    usage: EMPTY_USAGE,
  };
}

const pageJob = (status: JobStatus, updatedAt = NOW, targetId?: string): PageJob => ({
  ...base(status, updatedAt, targetId),
  kind: 'page',
  prompt: 'Write an intro',
  useContext: false,
  mode: 'append',
  phase: 'generating',
  createdIds: [],
});

const databaseJob = (status: JobStatus, updatedAt = NOW, chunks = 0): DatabaseJob => ({
  ...base(status, updatedAt),
  kind: 'database',
  dataSourceId: crypto.randomUUID(),
  template: 'Translate {{Topic}}',
  propertyNames: ['Topic', 'Output'],
  titleColumn: { id: 'title', name: 'Topic', type: 'title' },
  outputs: [{ id: 'out', name: 'Output', type: 'rich_text' }],
  selection: 'all',
  overwrite: false,
  untick: false,
  phase: 'running',
  readFrom: null,
  pages: [],
  chunks,
  counts: EMPTY_COUNTS,
});

const rows = (from: number, count: number): JobRow[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `row-${from + i}`,
    title: `Row ${from + i}`,
    page: 0,
    state: 'pending',
    baseline: {},
  }));

/** Every key storage holds for a job. */
const keysOf = async (jobId: string) =>
  Object.keys(await fakeBrowser.storage.local.get(null)).filter((key) => key.includes(jobId));

/** Makes storage.local refuse writes, as a full browser does, while `full()` says so. */
function fillStorage(error: () => Error, full: (items: Record<string, unknown>) => boolean = () => true) {
  const set = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
  return vi.spyOn(fakeBrowser.storage.local, 'set').mockImplementation(async (items: Record<string, unknown>) => {
    if (full(items)) throw error();
    return set(items);
  });
}

const chromeQuota = () => new Error('Resource::kQuotaBytes quota exceeded');
const firefoxQuota = () =>
  Object.assign(new Error('The current transaction exceeded its quota limitations.'), { name: 'QuotaExceededError' });

describe('a job in storage', () => {
  it('is read back as created, and each change is saved with its time', async () => {
    const job = pageJob('running', 1_000);
    expect(await readJob(job.id)).toBeNull();
    await createJob(job);
    expect(await readJob(job.id)).toEqual(job);
    const changed = await updateJob<PageJob>(job.id, (j) => void (j.answer = 'Hello.'));
    expect(changed?.answer).toBe('Hello.');
    expect(changed!.updatedAt).toBeGreaterThan(1_000);
    expect(await readJob(job.id)).toEqual(changed);
  });

  it('is listed in the index with its status as it changes, and found as its target’s newest', async () => {
    const target = crypto.randomUUID();
    const first = await createJob(pageJob('running', 1, target));
    const second = await createJob(pageJob('running', 2, target));
    const other = await createJob(databaseJob('running', 3));
    await updateJob(first.id, (j) => void (j.status = 'done'));
    await updateJob(other.id, (j) => void (j.status = 'paused'));
    expect(await listJobIndex()).toEqual([
      { id: first.id, kind: 'page', targetId: target, connectionId: first.connectionId, status: 'done', createdAt: 1 },
      {
        id: second.id,
        kind: 'page',
        targetId: target,
        connectionId: second.connectionId,
        status: 'running',
        createdAt: 2,
      },
      {
        id: other.id,
        kind: 'database',
        targetId: other.targetId,
        connectionId: other.connectionId,
        status: 'paused',
        createdAt: 3,
      },
    ]);
    expect((await latestJobFor(target))?.id).toBe(second.id);
    expect(await latestJobFor(crypto.randomUUID())).toBeNull();
  });

  it('keeps every status change when many land at once', async () => {
    const jobs = await Promise.all(Array.from({ length: 8 }, () => createJob(pageJob('running'))));
    await Promise.all(jobs.map((job, i) => updateJob(job.id, (j) => void (j.status = i % 2 ? 'done' : 'failed'))));
    expect((await listJobIndex()).map((e) => e.status)).toEqual(jobs.map((_, i) => (i % 2 ? 'done' : 'failed')));
  });

  it('is not brought back by a change after it was cleared', async () => {
    const job = await createJob(pageJob('running'));
    await clearAllStorage();
    expect(await updateJob(job.id, (j) => void (j.status = 'done'))).toBeNull();
    expect(await keysOf(job.id)).toEqual([]);
  });
});

describe('a database job’s rows', () => {
  it('are stored in chunks and read back in order', async () => {
    const job = await createJob(databaseJob('running', NOW, 3));
    await writeRowChunk(job.id, 0, rows(0, 50));
    await writeRowChunk(job.id, 1, rows(50, 50));
    await writeRowChunk(job.id, 2, rows(100, 7));
    const read = await readRows(job.id, 3);
    expect(read.map((r) => r.id)).toEqual(Array.from({ length: 107 }, (_, i) => `row-${i}`));
    // Saving one row rewrites its chunk only.
    await writeRowChunk(
      job.id,
      1,
      rows(50, 50).map((r) => (r.id === 'row-60' ? { ...r, state: 'written' } : r)),
    );
    const again = await readRows(job.id, 3);
    expect(again.filter((r) => r.state === 'written').map((r) => r.id)).toEqual(['row-60']);
    expect(again).toHaveLength(107);
  });

  it('read as none for a chunk never written', async () => {
    const job = await createJob(databaseJob('running', NOW, 2));
    await writeRowChunk(job.id, 1, rows(0, 2));
    expect((await readRows(job.id, 2)).map((r) => r.id)).toEqual(['row-0', 'row-1']);
    expect(await readRows(job.id, 0)).toEqual([]);
  });

  it('are not saved again for a job Clear removed while it was running', async () => {
    const job = await createJob(databaseJob('running', NOW, 1));
    await writeRowChunk(job.id, 0, rows(0, 3));
    await clearAllStorage();
    markRemoved(job.id);
    await writeRowChunk(job.id, 0, rows(0, 3));
    expect(await keysOf(job.id)).toEqual([]);
  });
});

describe('pruneFinishedJobs', () => {
  it('removes finished runs whose retention is over: the job, its rows and its index entry', async () => {
    const old = NOW - JOB_RETENTION_MS - 1;
    const expired = await Promise.all(
      (['done', 'failed', 'cancelled', 'undone'] as const).map((s) => createJob(databaseJob(s, old, 2))),
    );
    for (const job of expired) {
      await writeRowChunk(job.id, 0, rows(0, 50));
      await writeRowChunk(job.id, 1, rows(50, 1));
    }
    const oldPage = await createJob(pageJob('done', old));
    const recent = await createJob(databaseJob('done', NOW - JOB_RETENTION_MS + DAY, 1));
    await writeRowChunk(recent.id, 0, rows(0, 1));

    expect(await pruneFinishedJobs(NOW)).toBe(5);
    for (const job of [...expired, oldPage]) {
      expect(await keysOf(job.id)).toEqual([]);
      expect(await readJob(job.id)).toBeNull();
    }
    expect((await listJobIndex()).map((e) => e.id)).toEqual([recent.id]);
    expect(await readRows(recent.id, 1)).toHaveLength(1);
    // A finished run can be undone until its retention is over: kept a day before, gone after.
    expect(await pruneFinishedJobs(NOW + DAY - 1)).toBe(0);
    expect(await pruneFinishedJobs(NOW + DAY + 1)).toBe(1);
    expect(await listJobIndex()).toEqual([]);
  });

  it('never removes a running, paused or undoing run, however old', async () => {
    const ancient = NOW - 10 * JOB_RETENTION_MS;
    const kept = await Promise.all(
      (['running', 'paused', 'undoing'] as const).map((s) => createJob(databaseJob(s, ancient, 1))),
    );
    for (const job of kept) await writeRowChunk(job.id, 0, rows(0, 2));
    expect(await pruneFinishedJobs(NOW)).toBe(0);
    expect((await listJobIndex()).map((e) => e.id)).toEqual(kept.map((j) => j.id));
    for (const job of kept) {
      expect(await readJob(job.id)).toEqual(job);
      expect(await readRows(job.id, 1)).toHaveLength(2);
    }
  });

  it('drops an index entry whose finished job is already gone', async () => {
    const job = await createJob(pageJob('running'));
    await updateJob(job.id, (j) => void (j.status = 'done'));
    await fakeBrowser.storage.local.remove(`job:${job.id}`);
    expect(await pruneFinishedJobs(NOW)).toBe(1);
    expect(await listJobIndex()).toEqual([]);
  });
});

describe('a browser out of room', () => {
  it.each([
    ['Chrome', chromeQuota],
    ['Firefox', firefoxQuota],
  ])('refuses a new job as “storage full” (%s)', async (_browser, quota) => {
    fillStorage(quota);
    const job = pageJob('running');
    const error = await createJob(job).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InklingError);
    expect((error as InklingError).problem).toEqual(STORAGE_FULL_PROBLEM);
    expect(STORAGE_FULL_PROBLEM).toMatchObject({
      kind: 'storage_full',
      retryable: false,
      message: expect.stringMatching(/^Storage full: .* click Resume\.$/),
    });
  });

  it('refuses a change as “storage full” and keeps the job as it was, and the next change lands once there is room', async () => {
    const job = await createJob(databaseJob('running', NOW, 1));
    let full = true;
    fillStorage(chromeQuota, () => full);
    await expect(updateJob(job.id, (j) => void (j.status = 'done'))).rejects.toMatchObject({
      problem: { kind: 'storage_full' },
    });
    expect(await readJob(job.id)).toEqual(job);
    expect((await listJobIndex())[0]?.status).toBe('running');
    await expect(writeRowChunk(job.id, 0, rows(0, 1))).rejects.toMatchObject({ problem: { kind: 'storage_full' } });
    expect(await readRows(job.id, 1)).toEqual([]);
    full = false;
    await updateJob(job.id, (j) => void (j.status = 'paused'));
    await writeRowChunk(job.id, 0, rows(0, 1));
    expect((await readJob(job.id))?.status).toBe('paused');
    expect((await listJobIndex())[0]?.status).toBe('paused');
    expect(await readRows(job.id, 1)).toHaveLength(1);
  });

  it('passes on a write failure that is not about room as it is', async () => {
    const job = await createJob(pageJob('running'));
    fillStorage(() => new Error('Extension context invalidated.'));
    const error = await updateJob(job.id, (j) => void (j.status = 'done')).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InklingError);
    expect((error as Error).message).toBe('Extension context invalidated.');
  });
});
