// The stored shape of a run. A job lives in storage, not in memory: the worker may die at any
// moment and the next wake carries on from what is stored here. It never holds a secret.
import type { Source } from './sources';
import type { Problem } from './problem';
import type {
  WriteLedger,
  BlockTree,
  OutputSpec,
  PropertyRequestValue,
  ColumnRef,
  DatabaseView,
  RowsPosition,
  RowSelection,
} from './notion-shapes';
import type { EngineId } from './engines';
import type { CorrectionExample, RowInputs, RowMark } from './row-marks';

/** `paused`: waiting for a provider's quota to come back (at `resumeAt`), nothing lost. */
export type JobStatus = 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'undoing' | 'undone';

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
  /** Web searches the calls made (charged on top of the tokens). */
  searches?: number;
}

export const EMPTY_USAGE: JobUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };

export interface JobBase {
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
  /** The user chose to go past the monthly budget: the run does not stop when it is spent. */
  budgetOverride?: boolean;
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
  /** The user let the answer bring images from anywhere (else only addresses in the prompt or page become images). */
  allowImages?: boolean;
  /** The model searches the web; the pages it cites follow the answer as a "Sources" list. */
  webSearch?: boolean;
  /** Image addresses of the answer that may become image blocks (worked out once, when it is paid for). */
  allowedImages?: string[];
  /** Every block the write created, by its place in the answer, and the request in flight (block-writer.ts). */
  ledger?: WriteLedger;
  /** Top-level blocks this job created, in order (from the ledger): what Undo may delete. */
  createdIds: string[];
  /** Blocks Undo left because a person had changed them since the run. */
  keptOnUndo?: number;
  /** For a replace: what was on the page, the ids Inkling moved to the trash, and how putting them back goes. */
  replaced?: { blocks: BlockTree[]; removedIds: string[]; keptCount: number; restoreLedger?: WriteLedger };
  /** Writing progress: blocks written (every level) of the total. */
  progress?: { done: number; total: number };
  /** Append requests the write took (for the note on efficiency). */
  requests?: number;
  /** Which part did not land, when a write failed part-way. */
  notWritten?: string;
}

/** One row's journey: pending → generated (answer kept) → written | skipped | failed; undone by Undo. */
export type RowState = 'pending' | 'generated' | 'written' | 'skipped' | 'failed' | 'undone';

/** A cell in update-request form, keyed by property id. */
export type Cells = Record<string, PropertyRequestValue>;

export interface JobRow {
  id: string;
  title: string;
  /** The reading page it came from (DatabaseJob.pages): it is read again from there, many rows a query. */
  page: number;
  /** The row's readable values the prompt needs, as read; dropped once the row is done. */
  values?: Record<string, string>;
  state: RowState;
  /**
   * The baseline: every cell the run may change (outputs, and the checkbox of a ticked run), as read
   * just before the row's answer was asked for. The row is written only while it still holds these,
   * and Undo puts them back.
   */
  baseline: Cells;
  /** The update to send, worked out from the paid answer: the one stored copy of it. */
  write?: Cells;
  /** When the write was sent with its outcome not yet known; cleared once it is (checked-write.ts). */
  sentAt?: number;
  /** Why the row failed or was skipped, or what Undo left as it was. */
  reason?: string;
  /** An answer that could not be used, each output as the model gave it (shown with the reason). */
  display?: Record<string, string>;
  /** A chained run's answers of the steps done so far (paid for), which Retry failed goes on from. */
  answered?: { cells: Cells; sources?: Source[] };
  /** What the answer was made from, kept with it: the row's mark once it is written. */
  inputs?: RowInputs;
  /** The row's mark before this run (from an earlier one), which Undo gives back. */
  prior?: RowMark;
  /** A refresh asks for it only if its page changed (its columns are as they were). */
  pageCheck?: true;
}

/**
 * One model call of a chained run's row: a prompt and the outputs it answers. A later step's prompt
 * may name an earlier step's output ({{Summary}}) and gets that row's answer in its place.
 */
export interface RunStep {
  template: string;
  outputIds: string[];
}

/** A run's row as the panel shows it: its state, why, and its answers by output property id once it has them. */
export type JobRowView = Pick<JobRow, 'id' | 'title' | 'state' | 'reason' | 'display'> & {
  answers?: Record<string, string>;
};

export interface RowCounts {
  total: number;
  pending: number;
  generated: number;
  written: number;
  skipped: number;
  failed: number;
  undone: number;
}

export const EMPTY_COUNTS: RowCounts = {
  total: 0,
  pending: 0,
  generated: 0,
  written: 0,
  skipped: 0,
  failed: 0,
  undone: 0,
};

/**
 * A database run: its rows are read just in time, a small page at a time right before their answers
 * are asked for and written, and stored in chunks of ROWS_PER_CHUNK (`local:jobrows:<job id>:<n>`), so
 * saving one row rewrites one chunk.
 */
export interface DatabaseJob extends JobBase {
  kind: 'database';
  dataSourceId: string;
  template: string;
  /** Every property name when the run started (for the template and for spotting renames). */
  propertyNames: string[];
  titleColumn: ColumnRef;
  outputs: OutputSpec[];
  /** A chained run's calls for each row, in order (absent: one call, `template`, for every output). */
  steps?: RunStep[];
  /** Files columns the prompts name: each row's files uploaded there go to the model with its call. */
  fileColumns?: string[];
  /** The columns each answer is made from ('page': the row's page), whose values a row's mark keeps. */
  inputColumns?: string[];
  /**
   * "Slow and cheap (batch)" (jobs/batch-run.ts): the rows' prompts go as one batch, labelled by the
   * job's id and its round (Retry failed sends a new round); the keys are saved before it is submitted,
   * its id as soon as it is. Cancel asks the provider to stop it ('asked', then 'sent' once it was told):
   * what it answered by then is still written.
   */
  batch?: {
    round: number;
    keys: string[];
    id?: string;
    submittedAt?: number;
    collected?: boolean;
    cancel?: 'asked' | 'sent';
  };
  /** For "Refresh changed rows": when the connection began; a row added since, with nothing in its outputs, is new. */
  refreshSince?: number;
  /** Rows a person corrected, found at Start, that each prompt carries as examples (Learn from corrections). */
  examples?: CorrectionExample[];
  selection: RowSelection;
  checkbox?: ColumnRef;
  /** Write over outputs that already have a value. */
  overwrite: boolean;
  /** Untick the checkbox of each row once it is written. */
  untick: boolean;
  /** False when the user turned packing off: one row to a model call, whatever the engine's limits. */
  packRows?: boolean;
  /** The model searches the web for each row (one row a call, so each answer keeps its own sources). */
  webSearch?: boolean;
  /** The text column each row's sources are written to, as links (with web search only). */
  sources?: OutputSpec;
  /** The view a "view" run covers, with its filter as it was when the run started. */
  view?: DatabaseView;
  phase: 'running' | 'finished';
  /** Where reading the chosen rows goes on (null: every chosen row has been read). */
  readFrom: RowsPosition | null;
  /** Where each page read so far started, so a row can be read again with the rows around it. */
  pages: RowsPosition[];
  /** How many rows the estimate counted, for progress until every row has been read. */
  expectedRows?: number;
  chunks: number;
  counts: RowCounts;
  /** When rows started being processed, for the ETA. */
  runningSince?: number;
  /** For a paused job: when the provider said it could go on. */
  resumeAt?: number;
  /** Undo left these cells as they were, because a person changed them after the run wrote them. */
  keptOnUndo?: number;
}

export const ROWS_PER_CHUNK = 50;

export type Job = PageJob | DatabaseJob;

/** A finished run is kept (and can be undone) this long after it last changed; then it is removed. */
export const JOB_RETENTION_DAYS = 30;
export const JOB_RETENTION_MS = JOB_RETENTION_DAYS * 24 * 60 * 60_000;

/** Until when a finished run can still be undone. */
export function undoableUntil(job: Pick<Job, 'updatedAt'>): number {
  return job.updatedAt + JOB_RETENTION_MS;
}

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
  return job.kind === 'page' && job.replaced ? { ...job, replaced: { ...job.replaced, blocks: [] } } : job;
}

export function isActive(status: JobStatus): boolean {
  return status === 'running' || status === 'undoing';
}

/** A run that has stopped for good (it is pruned once its retention ends); a paused one is still going. */
export function isFinished(status: JobStatus): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled' || status === 'undone';
}

export function countRows(rows: readonly JobRow[]): RowCounts {
  const counts = { ...EMPTY_COUNTS, total: rows.length };
  for (const row of rows) counts[row.state] += 1;
  return counts;
}

/** Sums two usage records; an unknown cost makes the sum unknown rather than too low. */
export function addUsage(a: JobUsage, b: JobUsage): JobUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
    calls: a.calls + b.calls,
    ...(a.searches || b.searches ? { searches: (a.searches ?? 0) + (b.searches ?? 0) } : {}),
  };
}
