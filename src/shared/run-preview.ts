// What a database run shows before it starts: Preview's rows, the two columns of Compare models, and
// the estimate the confirm shows (rows, tokens, cost, and for a refresh what changed).
import type { Source } from './sources';
import type { EngineId } from './engines';
import type { JobUsage } from './job';

export interface PreviewRow {
  id: string;
  title: string;
  outputs: Record<string, string>;
  /** The pages the answer cites (with web search). */
  sources?: Source[];
  reason?: string;
  /** A chained run's step (1, 2, …) that answered each output, by output name. */
  steps?: Record<string, number>;
}

/** One side of Compare models: an engine's answers to Preview's rows, what they used and cost, and how long. */
export interface ComparedModel {
  engine: EngineId;
  model: string;
  rows: PreviewRow[];
  usage: JobUsage;
  ms: number;
  /** Why this engine gave no answers at all. */
  problem?: string;
}

export interface RunEstimate {
  rows: number;
  skipped: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  free: boolean;
  /** Rows answered per model call (more than 1 when the run packs rows). */
  rowsPerCall: number;
  /** Web searches the run is expected to make (one a row), priced in costUsd. */
  searches?: number;
  /** Set when the run would pass the monthly budget: what to ask before starting it. */
  budgetWarning?: string;
  /**
   * For "Refresh changed rows": of the rows to do, those new (never written by Inkling), those whose
   * inputs changed, and those whose page is read to tell (their columns are as they were).
   */
  refresh?: { new: number; changed: number; check: number };
  /** With Learn from corrections: the rows whose corrected answers go with each prompt, by title. */
  examples?: string[];
  /** What the run would cost as one batch ("Slow and cheap (batch)"), where it can go as one. */
  batchCostUsd?: number | null;
  /** Why "Slow and cheap (batch)" is not offered for a run it would suit (the engine has no batch API), in a sentence. */
  batchUnavailable?: string;
}
