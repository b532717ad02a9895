// The local list of connections. Every run saves (or updates) its connection here; the Connections
// tab and the Notion mirror build on it.
import { connectionsItem } from '../storage';
import { addUsage } from '../jobs/usage';
import type { Job, JobUsage } from '../jobs/types';
import type { Connection } from './types';

let chain: Promise<unknown> = Promise.resolve();

/** Read-modify-write of the connection list, one at a time (several runs may finish together). */
function update<T>(change: (all: Record<string, Connection>) => T): Promise<T> {
  const next = chain.then(async () => {
    const all = { ...(await connectionsItem.getValue()) };
    const result = change(all);
    await connectionsItem.setValue(all);
    return result;
  });
  chain = next.catch(() => undefined);
  return next;
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
    return connection;
  });
}

/** Records a job's state as its connection's last run; usage is added once, when a run settles. */
export function recordRun(job: Job, usageDelta?: JobUsage): Promise<void> {
  return update((all) => {
    const connection = all[job.connectionId];
    if (!connection) return;
    all[job.connectionId] = {
      ...connection,
      updatedAt: Date.now(),
      lastRun: { jobId: job.id, at: job.updatedAt, status: job.status, usage: job.usage },
      usage: usageDelta ? addUsage(connection.usage, usageDelta) : connection.usage,
    };
  });
}

export function removeConnection(id: string): Promise<void> {
  return update((all) => {
    delete all[id];
  });
}
