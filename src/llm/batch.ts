// Batch runs ("Slow and cheap (batch)"): many requests sent at once to a provider's batch API, answered
// within its window (OpenAI: 24 hours; Gemini: 48) at about half the price. One interface for both
// providers; the run that uses it (jobs/) keeps the batch's id, so a worker that stops, or a browser
// that restarts, picks the same batch up again and never submits it twice (`find` by its label).
import type { Problem } from '../shared/problem';
import type { GenerateRequest, Usage } from './types';

/** One request of a batch, under a key of the caller's (a row's id). Streaming and signals do not apply. */
export interface BatchItem {
  key: string;
  request: Omit<GenerateRequest, 'signal' | 'onText' | 'webSearch'>;
}

/** `running` until the provider has finished with it: `done` (each answer or failure known), or ended early. */
export type BatchState = 'running' | 'done' | 'expired' | 'cancelled' | 'failed';

export interface BatchStatus {
  state: BatchState;
  /** Requests answered and failed so far, where the provider says (OpenAI does; Gemini does not). */
  counts?: { total: number; done: number; failed: number };
  /** Why the whole batch failed (a malformed input, say). */
  problem?: Problem;
}

/** What a batch gave one request: its text and usage, or why it has none. */
export type BatchAnswer = { key: string } & ({ text: string; usage: Usage } | { problem: Problem });

export interface BatchEngine {
  /** Submits the requests as one batch labelled `label` (the job's id); returns the batch's id. */
  submit(items: readonly BatchItem[], label: string, signal?: AbortSignal): Promise<string>;
  /** The id of a batch already submitted under `label`, if the provider has one (a submit cut off before its id was kept). */
  find(label: string, signal?: AbortSignal): Promise<string | undefined>;
  status(id: string, signal?: AbortSignal): Promise<BatchStatus>;
  /**
   * Once it is no longer running: the answer or failure of each of `keys` (the requests submitted),
   * one that expired or was never reached saying so.
   */
  answers(id: string, keys: readonly string[], signal?: AbortSignal): Promise<BatchAnswer[]>;
  cancel(id: string): Promise<void>;
}
