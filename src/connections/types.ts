// The connection record: one per page or database Inkling generated into, as the seed app kept them.
import type { JobStatus, JobUsage } from '../jobs/types';
import type { EngineId } from '../storage';

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
