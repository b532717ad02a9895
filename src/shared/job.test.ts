// What the stored shape of a run says about it: whether it is going on, whether it is over (and so
// pruned once its retention ends), until when it can be undone, how its rows stand, and what the UI
// is shown of it.
import { describe, expect, it } from 'vitest';
import {
  countRows,
  EMPTY_USAGE,
  isActive,
  isFinished,
  JOB_RETENTION_DAYS,
  jobView,
  undoableUntil,
  type DatabaseJob,
  type JobRow,
  type JobStatus,
  type PageJob,
  type RowState,
} from './job';

const STATUSES: JobStatus[] = ['running', 'paused', 'done', 'failed', 'cancelled', 'undoing', 'undone'];

describe('a run’s status', () => {
  it('is active while it runs or undoes: a paused run waits, it is not working', () => {
    expect(STATUSES.filter(isActive)).toEqual(['running', 'undoing']);
  });

  it('is finished once it is done, failed, cancelled or undone; a paused or undoing run is still going', () => {
    expect(STATUSES.filter(isFinished)).toEqual(['done', 'failed', 'cancelled', 'undone']);
    expect(STATUSES.filter((s) => isActive(s) && isFinished(s))).toEqual([]);
  });
});

describe('undoableUntil', () => {
  it('is 30 days after the run last changed', () => {
    expect(JOB_RETENTION_DAYS).toBe(30);
    const updatedAt = Date.parse('2026-11-01T08:30:00Z');
    expect(new Date(undoableUntil({ updatedAt })).toISOString()).toBe('2026-12-01T08:30:00.000Z');
  });
});

const row = (state: RowState, i: number): JobRow => ({ id: `r${i}`, title: `Row ${i}`, page: 0, state, baseline: {} });

describe('countRows', () => {
  it('counts the rows in each state, and all of them', () => {
    const states: RowState[] = [
      'pending',
      'pending',
      'generated',
      'written',
      'written',
      'written',
      'skipped',
      'failed',
      'undone',
      'undone',
    ];
    expect(countRows(states.map(row))).toEqual({
      total: 10,
      pending: 2,
      generated: 1,
      written: 3,
      skipped: 1,
      failed: 1,
      undone: 2,
    });
  });

  it('is all zeros for no rows', () => {
    expect(countRows([])).toEqual({ total: 0, pending: 0, generated: 0, written: 0, skipped: 0, failed: 0, undone: 0 });
  });
});

describe('jobView', () => {
  const page: PageJob = {
    id: 'a1',
    kind: 'page',
    connectionId: 'c1',
    targetId: 't1',
    targetTitle: 'Notes',
    targetUrl: 'https://www.notion.so/Notes',
    status: 'done',
    createdAt: 1,
    updatedAt: 2,
    engine: { engine: 'gemini', model: 'gemini-3.8-flash', baseUrl: '', limitPreset: 'free' },
    usage: EMPTY_USAGE,
    prompt: 'Rewrite the page',
    useContext: true,
    mode: 'replace',
    phase: 'written',
    answer: 'New text.',
    createdIds: ['b9'],
  };
  const snapshot = [
    { type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Old text.' } }] } },
  ] as unknown as NonNullable<PageJob['replaced']>['blocks'];

  it('leaves out the snapshot of a replaced page’s blocks, keeping what Undo reports', () => {
    const job: PageJob = { ...page, replaced: { blocks: snapshot, removedIds: ['b1', 'b2'], keptCount: 1 } };
    const view = jobView(job) as PageJob;
    expect(view.replaced).toEqual({ blocks: [], removedIds: ['b1', 'b2'], keptCount: 1 });
    expect(JSON.stringify(view)).not.toContain('Old text.');
    expect({ ...view, replaced: undefined }).toEqual({ ...job, replaced: undefined });
    // The stored job keeps its snapshot: Undo needs it.
    expect(job.replaced?.blocks).toBe(snapshot);
  });

  it('shows an appended page run and a database run as they are', () => {
    expect(jobView(page)).toEqual(page);
    const database = { ...page, kind: 'database' } as unknown as DatabaseJob;
    expect(jobView(database)).toBe(database);
  });
});
