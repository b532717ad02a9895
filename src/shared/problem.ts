// The shape every failure takes once it reaches the user: a kind the UI can switch on, and one
// sentence that says what happened and what to do. Raw provider text goes to the log, never a secret.

export type ProblemSource = 'notion' | 'model' | 'inkling';

export interface Problem {
  source: ProblemSource;
  /** A stable, literal code such as "not_shared" or "bad_key" (see notion/errors.ts, llm/errors.ts). */
  kind: string;
  /** What happened and what to do, for the user. */
  message: string;
  /** Worth trying again later (rate limits, outages, network), as opposed to needing the user. */
  retryable: boolean;
  /** When the provider said how long to wait. */
  retryAfterMs?: number;
  /** The run this is about (a run already going on the same target: the screen offers to show it). */
  jobId?: string;
}

/** An Error that carries a Problem, so code can throw it and handlers can return it as data. */
export class InklingError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(problem.message, options);
    this.name = 'InklingError';
    this.problem = problem;
  }
}

/** A refusal of Inkling's own (a setup that cannot run), which waiting would not change. */
export function setupProblem(kind: string, message: string): Problem {
  return { source: 'inkling', kind, message, retryable: false };
}

export function isAbortError(error: unknown): boolean {
  return (
    (error instanceof DOMException && error.name === 'AbortError') ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError'))
  );
}

/** Logs the raw error for the developer console without credentials that may sit in messages. */
export function logRaw(context: string, error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.warn(`[inkling] ${context}:`, redactSecrets(text));
}

/** Removes anything shaped like an API key or Notion secret from a text. */
export function redactSecrets(text: string): string {
  return text.replace(/\b(ntn_|secret_|sk-|AIza)[A-Za-z0-9_-]{8,}/g, '$1…').replace(/(Bearer\s+)[^\s"']+/gi, '$1…');
}
