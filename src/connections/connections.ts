// The local list of connections. Every run saves (or updates) its connection here; the Connections
// tab and the Notion mirror build on it.
import { connectionsItem, rowMarksItem, updateItem } from '../storage';
import { addUsage, EMPTY_USAGE, type Job, type JobUsage } from '../shared/job';
import { enqueueMirror, requestMirrorFlush } from './mirror';
import { type MirrorOp, type Connection } from '../shared/connection';
import type { ImportedConnection } from './connections-database';

/** Every change reaches the connections database in Notion too (queued until Notion takes it). */
function mirror(op: MirrorOp): void {
  void enqueueMirror(op).then(requestMirrorFlush);
}

/** Read-modify-write of the connection list, one at a time (several runs may finish together). */
function update<T>(change: (all: Record<string, Connection>) => T): Promise<T> {
  return updateItem(connectionsItem, change);
}

export async function listConnections(): Promise<Connection[]> {
  return Object.values(await connectionsItem.getValue());
}

export async function getConnection(id: string): Promise<Connection | undefined> {
  return (await connectionsItem.getValue())[id];
}

/** The connection for this target, if one exists (a panel run reuses it). */
export async function findConnectionFor(targetId: string): Promise<Connection | undefined> {
  return (await listConnections()).find((c) => c.targetId === targetId);
}

export type ConnectionDraft = Omit<Connection, 'createdAt' | 'updatedAt' | 'usage' | 'lastRun'>;

/** Saves a connection as a run starts: new, or updated with the run's prompt and engine. */
export function upsertConnection(draft: ConnectionDraft): Promise<Connection> {
  return update((all) => {
    const now = Date.now();
    const existing = all[draft.id];
    const connection: Connection = existing
      ? { ...existing, ...draft, updatedAt: now }
      : { ...draft, createdAt: now, updatedAt: now, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 } };
    all[draft.id] = connection;
    mirror({ connectionId: connection.id, op: 'upsert', connection });
    return connection;
  });
}

/** Usage a minus usage b (what a run added since it was last recorded). */
function usageSince(a: JobUsage, b: JobUsage): JobUsage {
  return {
    inputTokens: a.inputTokens - b.inputTokens,
    outputTokens: a.outputTokens - b.outputTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd - b.costUsd,
    calls: a.calls - b.calls,
  };
}

/** Records a job's state as its connection's last run, adding what the run used since last recorded. */
export function recordRun(job: Job): Promise<void> {
  return update((all) => {
    const connection = all[job.connectionId];
    if (!connection) return;
    const lastRun: Connection['lastRun'] = { jobId: job.id, at: job.updatedAt, status: job.status, usage: job.usage };
    if (job.kind === 'database') {
      lastRun.rowsDone = job.counts.written;
      lastRun.rowsFailed = job.counts.failed;
    }
    const recorded = connection.lastRun?.jobId === job.id ? connection.lastRun.usage : EMPTY_USAGE;
    const updated: Connection = {
      ...connection,
      updatedAt: Date.now(),
      lastRun,
      usage: addUsage(connection.usage, usageSince(job.usage, recorded)),
    };
    all[job.connectionId] = updated;
    mirror({ connectionId: updated.id, op: 'upsert', connection: updated });
  });
}

/**
 * Turns Keep up to date off for a connection (after an Undo: the timer would otherwise ask again for
 * the rows just put back). Returns whether it was on.
 */
export function stopKeepingUp(id: string): Promise<boolean> {
  return update((all) => {
    const connection = all[id];
    if (!connection || connection.options.keepUpToDate !== true) return false;
    const options = { ...connection.options };
    delete options.keepUpToDate;
    all[id] = { ...connection, options, updatedAt: Date.now() };
    mirror({ connectionId: id, op: 'upsert', connection: all[id] });
    return true;
  });
}

export async function removeConnection(id: string): Promise<void> {
  await update((all) => {
    delete all[id];
    mirror({ connectionId: id, op: 'delete' });
  });
  // What Inkling remembered of the rows it wrote goes with it.
  await rowMarksItem(id).removeValue();
}

/**
 * Import: connections from the Notion database join the local list (Notion's copy wins for the same
 * id), and their row marks join the local ones (this browser's own win for the same row).
 */
export async function mergeConnections(imported: readonly ImportedConnection[]): Promise<number> {
  const count = await update((all) => {
    // Notion's row keeps only rounded totals: a connection this browser has keeps its own exact usage.
    // Keep up to date stays with the browser that turned it on: two browsers keeping one database up to
    // date would each pay for every refresh, and race each other to write it.
    for (const { rowMarks: _marks, ...connection } of imported) {
      const existing = all[connection.id];
      const { keepUpToDate: _elsewhere, ...options } = connection.options;
      if (existing?.options.keepUpToDate === true) options.keepUpToDate = true;
      all[connection.id] = existing
        ? { ...existing, ...connection, options, usage: existing.usage }
        : { ...connection, options };
    }
    return imported.length;
  });
  for (const { id, rowMarks } of imported) {
    // Inkling's own ids only: a hand-edited Connection ID names no storage of its own.
    if (rowMarks && /^[0-9a-f-]{36}$/.test(id))
      await updateItem(rowMarksItem(id), (marks) => void Object.assign(marks, { ...rowMarks, ...marks }));
  }
  return count;
}
