// The one retry layer for model calls (the SDKs' own retries are off). Each engine gets one queue
// that keeps to its limits; a rate limit pauses every call to that engine, not just the one that met it.
import PQueue from 'p-queue';
import { InklingError, isAbortError, type Problem } from '../shared/problem';
import { modelProblem } from './errors';
import type { EngineLimits } from '../shared/limit-presets';
import { sleep } from '../shared/sleep';

/** Attempts for a call that met an outage, a dropped connection or a timeout. */
export const MODEL_TRANSIENT_MAX_ATTEMPTS = 3;
export const MODEL_TRANSIENT_BASE_DELAY_MS = 1_000;
/** Wait after a rate limit that named no time. */
export const MODEL_DEFAULT_RETRY_AFTER_MS = 10_000;
/** A rate limit that lasts longer than this is reported instead of waited out. */
export const MODEL_RATE_LIMIT_MAX_WAIT_MS = 5 * 60_000;
/**
 * One model call may take this long (counted from when it leaves the queue) before it is aborted
 * and counted as a timeout: long articles on slow local models take minutes.
 */
export const MODEL_ATTEMPT_TIMEOUT_MS = 300_000;

export interface SchedulerOptions {
  transientBaseDelayMs?: number;
  attemptTimeoutMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Told before a retry, so a caller can drop text streamed by the failed attempt. */
  onRetry?: (problem: Problem, attempt: number) => void;
}

function problemOf(error: unknown): Problem | undefined {
  return error instanceof InklingError ? error.problem : undefined;
}

export class EngineScheduler {
  private readonly queue: PQueue;
  private readonly transientBaseDelayMs: number;
  private readonly attemptTimeoutMs: number;
  private resumeAt = 0;
  private measuredMs: number | undefined;

  constructor(
    readonly limits: EngineLimits,
    options: SchedulerOptions = {},
  ) {
    this.queue = new PQueue({
      concurrency: Math.max(1, limits.concurrency),
      ...(limits.requestsPerMinute > 0 ? { intervalCap: limits.requestsPerMinute, interval: 60_000 } : {}),
    });
    this.transientBaseDelayMs = options.transientBaseDelayMs ?? MODEL_TRANSIENT_BASE_DELAY_MS;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? MODEL_ATTEMPT_TIMEOUT_MS;
  }

  /** Milliseconds until calls may start again after a rate limit (0 when not paused). */
  get pausedForMs(): number {
    return Math.max(0, this.resumeAt - Date.now());
  }

  /**
   * How long a call takes once it is sent, as measured on this engine's recent calls (a moving average
   * that follows a model getting slower or faster); undefined before the first answer.
   */
  get latencyMs(): number | undefined {
    return this.measuredMs;
  }

  /**
   * Runs `task` when the engine's limits allow, retrying what is worth retrying. The task gets a signal
   * that aborts on the caller's Stop and when the attempt's time limit passes.
   */
  async run<T>(task: (signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<T> {
    try {
      return await this.runWithRetries(task, options);
    } catch (error) {
      // Stop means stop, wherever it caught the call: queued, running, or waiting out a pause.
      if (options.signal?.aborted || isAbortError(error)) {
        throw error instanceof InklingError
          ? error
          : new InklingError(modelProblem('aborted', 'Stopped.'), { cause: error });
      }
      throw error;
    }
  }

  private async runWithRetries<T>(task: (signal: AbortSignal) => Promise<T>, options: RunOptions): Promise<T> {
    const { signal } = options;
    const started = Date.now();
    let transientAttempts = 0;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      await this.waitOutPause(signal);
      try {
        return await this.queue.add(() => this.attempt(task, signal), { signal });
      } catch (error) {
        const problem = problemOf(error);
        if (signal?.aborted || !problem?.retryable) throw error;
        if (problem.kind === 'rate_limited') {
          const wait = problem.retryAfterMs ?? MODEL_DEFAULT_RETRY_AFTER_MS;
          if (Date.now() + wait - started > MODEL_RATE_LIMIT_MAX_WAIT_MS) throw error;
          this.pauseFor(wait);
        } else {
          if (++transientAttempts >= MODEL_TRANSIENT_MAX_ATTEMPTS) throw error;
          await sleep(this.transientBaseDelayMs * 2 ** (transientAttempts - 1), signal);
        }
        options.onRetry?.(problem, attempt);
      }
    }
  }

  /** One call with its own time limit; a call cut by the limit is a (retryable) timeout, not a Stop. */
  private async attempt<T>(task: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.attemptTimeoutMs);
    const sent = performance.now();
    try {
      const result = await task(signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal);
      this.measure(performance.now() - sent);
      return result;
    } catch (error) {
      if (timeout.signal.aborted && !signal?.aborted) {
        throw new InklingError(
          modelProblem('timeout', 'The model took too long to answer. Try again, or pick a faster model.'),
          { cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Each answer weighs a quarter: a few calls are enough to follow a change, one slow call is not. */
  private measure(ms: number): void {
    this.measuredMs = this.measuredMs === undefined ? ms : this.measuredMs * 0.75 + ms * 0.25;
  }

  private pauseFor(ms: number): void {
    this.resumeAt = Math.max(this.resumeAt, Date.now() + ms);
  }

  private async waitOutPause(signal?: AbortSignal): Promise<void> {
    const wait = this.pausedForMs;
    if (wait > 0) await sleep(wait, signal);
  }
}

// A cache only: a restarted worker starts fresh schedulers.
const schedulers = new Map<string, EngineScheduler>();

/** The scheduler for an engine at these limits (one per engine, model-independent: quotas are per key). */
export function schedulerFor(engineKey: string, limits: EngineLimits): EngineScheduler {
  const key = `${engineKey}|${limits.concurrency}|${limits.requestsPerMinute}`;
  let scheduler = schedulers.get(key);
  if (!scheduler) {
    scheduler = new EngineScheduler(limits);
    schedulers.set(key, scheduler);
  }
  return scheduler;
}
