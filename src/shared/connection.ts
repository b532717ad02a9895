// The connection record: one per page or database Inkling generated into, as the seed app kept them.
import type { JobStatus, JobUsage } from './job';
import type { EngineId } from './engines';

export interface ConnectionRun {
  jobId: string;
  at: number;
  status: JobStatus;
  rowsDone?: number;
  rowsFailed?: number;
  usage: JobUsage;
}

export interface Connection {
  id: string;
  name: string;
  kind: 'page' | 'database';
  targetId: string;
  targetTitle: string;
  targetUrl: string;
  prompt: string;
  engine: EngineId;
  model: string;
  createdAt: number;
  updatedAt: number;
  lastRun?: ConnectionRun;
  /** Totals over every run. */
  usage: JobUsage;
  /** How the run was set up, so resuming the connection restores it. */
  options: Record<string, unknown>;
}

/** How often Keep up to date looks at the connections it keeps (background/keep-up.ts). */
export const KEEP_UP_PERIOD_MINUTES = 15;

/** Keep up to date's last look at a connection: the refresh it started (of how many rows), or why none. */
export interface KeepUpLook {
  at: number;
  refreshing?: number;
  skipped?: string;
  /** Whether what stopped it needs the person (a database unshared, the budget): not "Nothing changed." */
  problem?: boolean;
}

/** A connection as the panel resumes it, on the page or database it is about. */
export type PanelResume = Pick<Connection, 'id' | 'name' | 'targetId' | 'prompt' | 'options'>;

export interface MirrorOp {
  connectionId: string;
  op: 'upsert' | 'delete';
  /** The connection as it was when the change was made (a delete still needs nothing more than the id). */
  connection?: Connection;
}

export interface MirrorState {
  pending: MirrorOp[];
  /** Row ids found or created, by connection id, to update without searching. */
  rows: Record<string, string>;
  /** Why the last attempt did not go through, for the Connections tab. */
  lastError?: string;
}
