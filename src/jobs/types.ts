// The stored shape of a run. A job lives in storage, not in memory: the worker may die at any
// moment and the next wake carries on from what is stored here. It never holds a secret.
import type { Problem } from '../errors';
import type { BlockTree } from '../notion/markdown-to-blocks';
import type { EngineId } from '../storage';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'undoing' | 'undone';

/** Which engine and model a job uses: its public half (keys are read from secrets at run time). */
export interface JobEngine {
  engine: EngineId;
  model: string;
  baseUrl: string;
  limitPreset: string;
}

export interface JobUsage {
  inputTokens: number;
  outputTokens: number;
  /** USD, or null when a call's model has no known price. */
  costUsd: number | null;
  calls: number;
}

export const EMPTY_USAGE: JobUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };

interface JobBase {
  id: string;
  connectionId: string;
  /** The page or database the job writes into. */
  targetId: string;
  targetTitle: string;
  targetUrl: string;
  status: JobStatus;
  createdAt: number;
  updatedAt: number;
  engine: JobEngine;
  usage: JobUsage;
  /** Why the job stopped, when it did not finish. */
  problem?: Problem;
}

/**
 * A page run: generate → (snapshot and clear, for a replace) → write → done.
 * `phase` moves forward only, and is saved before each step begins.
 */
export type PagePhase = 'generating' | 'clearing' | 'writing' | 'written';

export interface PageJob extends JobBase {
  kind: 'page';
  prompt: string;
  useContext: boolean;
  mode: 'append' | 'replace';
  phase: PagePhase;
  /** Partial answer while generating (saved now and then, for a panel that reopens). */
  partial?: string;
  /** The model's full answer: kept from the moment it is paid for until the job is undone. */
  answer?: string;
  /** Set when page content was cut to fit the prompt. */
  contextNote?: string;
  /** How many children the page had before Inkling wrote anything (for checking and resuming). */
  childrenBefore?: number;
  /** Top-level blocks this job created, in order: Undo deletes exactly these. */
  createdIds: string[];
  /** For a replace: what was on the page, and the ids Inkling moved to the trash. */
  replaced?: { blocks: BlockTree[]; removedIds: string[]; keptCount: number; restoreFrom?: number };
  /** Writing progress: blocks written (every level) of the total. */
  progress?: { done: number; total: number };
  /** Append requests the write took (for the note on efficiency). */
  requests?: number;
  /** Which part did not land, when a write failed part-way. */
  notWritten?: string;
  /** After a clean failure: the first top-level block not written, so writing again carries on from it. */
  resumeAt?: number;
}

export type Job = PageJob;

/** What the job index keeps per job, to find jobs without reading them all. */
export interface JobIndexEntry {
  id: string;
  kind: Job['kind'];
  targetId: string;
  connectionId: string;
  status: JobStatus;
  createdAt: number;
}

/** A job as the UI sees it: without the snapshot of a replaced page's blocks, which only Undo needs. */
export function jobView(job: Job): Job {
  return job.replaced ? { ...job, replaced: { ...job.replaced, blocks: [] } } : job;
}

export function isActive(status: JobStatus): boolean {
  return status === 'running' || status === 'undoing';
}
