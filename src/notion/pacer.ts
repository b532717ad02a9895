// One pacer per Notion credential: every request for that credential goes through it.
// This is the only layer that retries Notion requests (the SDK's own retries are turned off), because
// only here can a 429 pause *all* of a credential's requests rather than the one that received it.
// It is also where a request's time limit lives: each attempt is aborted when its limit passes, counted
// from the moment it leaves the queue, so "timed out" always means "not sent, or aborted" — never a
// request that is still waiting its turn and goes out after its caller gave up.
import { RequestTimeoutError } from '@notionhq/client';
import PQueue from 'p-queue';
import { retryAfterMs } from '../shared/retry-after';
import { sleep } from '../shared/sleep';

/** Notion's documented average rate per integration. */
export const NOTION_REQUESTS_PER_SECOND = 3;
/** Requests in flight at once for one credential. */
export const NOTION_CONCURRENCY = 3;
/**
 * Requests the pacer may send at once after a quiet spell: one fewer than the burst Notion allows (3),
 * so a request the network delays and one it speeds up still find a token waiting at Notion's end.
 */
export const NOTION_BURST = 2;
/** Wait when a 429/529 names no Retry-After. */
export const NOTION_DEFAULT_RETRY_AFTER_MS = 1_000;
/** A 429 storm longer than this gives up and reports the rate limit. */
export const NOTION_RATE_LIMIT_MAX_WAIT_MS = 10 * 60_000;
/** Attempts for an idempotent request that met a server error or a dropped connection. */
export const NOTION_TRANSIENT_MAX_ATTEMPTS = 4;
export const NOTION_TRANSIENT_BASE_DELAY_MS = 500;
/**
 * One attempt (sending, answer and body) may take this long before it is aborted. Notion itself gives
 * up on a request after about 60 s (503), so an attempt that takes longer has failed either way.
 */
export const NOTION_ATTEMPT_TIMEOUT_MS = 65_000;

type Fetch = typeof fetch;

/**
 * A request's options, plus what the pacer calls (and awaits) the moment the request leaves its queue
 * for the wire — each time, retries included. A writer persists "sent" there, so a worker that dies
 * knows which of its writes may have reached Notion and which never left.
 */
export type PacedInit = RequestInit & { onDispatch?: () => Promise<void> };

export interface PacerOptions {
  requestsPerSecond?: number;
  fetch?: Fetch;
  /** Base delay between retries of transient failures (tests shorten it). */
  transientBaseDelayMs?: number;
  /** Time limit of one attempt (tests shorten it). */
  attemptTimeoutMs?: number;
}

/** Reads and searches are safe to repeat; a PATCH or a page create is not (it may have landed). */
export function isIdempotent(method: string, url: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'DELETE' || m === 'HEAD') return true;
  return m === 'POST' && /\/v1\/(search|data_sources\/[^/]+\/query)(\?|$)/.test(url);
}

/**
 * Notion's own limit, mirrored: a bucket of `capacity` tokens refilled at `perSecond`, one per request.
 * Fixed windows (3 per calendar second) would let 3 requests at the end of one second and 3 at the
 * start of the next go out together, which Notion answers with 429s.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  /** Resolves when a token is taken (at once when one is there). */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(((1 - this.tokens) / this.perSecond) * 1000, signal);
    }
  }

  /** After a 429: Notion's bucket is empty, so is this one. */
  empty(): void {
    this.refill();
    this.tokens = 0;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}

export class NotionPacer {
  private readonly queue: PQueue;
  private readonly bucket: TokenBucket;
  private readonly fetchImpl: Fetch;
  private readonly transientBaseDelayMs: number;
  private readonly attemptTimeoutMs: number;
  private resumeAt = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PacerOptions = {}) {
    const perSecond = options.requestsPerSecond ?? NOTION_REQUESTS_PER_SECOND;
    this.queue = new PQueue({ concurrency: NOTION_CONCURRENCY });
    this.bucket = new TokenBucket(perSecond, Math.min(NOTION_BURST, Math.max(1, Math.floor(perSecond))));
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.transientBaseDelayMs = options.transientBaseDelayMs ?? NOTION_TRANSIENT_BASE_DELAY_MS;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? NOTION_ATTEMPT_TIMEOUT_MS;
  }

  /** Milliseconds until this credential may send again (0 when not paused). For progress displays. */
  get pausedForMs(): number {
    return Math.max(0, this.resumeAt - Date.now());
  }

  /**
   * A fetch for the Notion SDK: paced, and retried where retrying is safe. `init.signal` (the caller's:
   * a run's Cancel) takes a request out of the queue, or aborts it in flight.
   */
  readonly fetch = async (input: Parameters<Fetch>[0], init?: PacedInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    const signal = init?.signal ?? undefined;
    const idempotent = isIdempotent(method, url);
    const started = Date.now();
    let transientAttempts = 0;
    let priority = 0;
    for (;;) {
      signal?.throwIfAborted();
      let response: Response;
      try {
        response = await this.queue.add(() => this.attempt(input, init, signal), { priority, signal });
      } catch (error) {
        if (signal?.aborted || !idempotent || ++transientAttempts >= NOTION_TRANSIENT_MAX_ATTEMPTS) throw error;
        await this.backoff(transientAttempts, signal);
        continue;
      }
      // Requests waiting on a retry go ahead of new ones, so a row is not overtaken by later rows.
      priority = 1;
      if (response.status === 429 || response.status === 529) {
        // The request was not applied, so repeating it is safe whatever its method.
        if (Date.now() - started > NOTION_RATE_LIMIT_MAX_WAIT_MS) return response;
        this.pauseFor(retryAfterMs(response.headers) ?? NOTION_DEFAULT_RETRY_AFTER_MS);
        await response.body?.cancel();
        continue;
      }
      const transient = response.status === 409 || response.status >= 500;
      // 409 means Notion did not save; a 5xx on a write may have landed, so only the caller can decide.
      if (transient && (idempotent || response.status === 409) && ++transientAttempts < NOTION_TRANSIENT_MAX_ATTEMPTS) {
        await response.body?.cancel();
        await this.backoff(transientAttempts, signal);
        continue;
      }
      return response;
    }
  };

  /**
   * One request on the wire, with its own time limit, read to the end inside that limit (the SDK reads
   * the body after fetch resolves, where no limit would apply). Throws RequestTimeoutError when the
   * limit passed, the caller's abort reason when the caller aborted.
   */
  private async attempt(
    input: Parameters<Fetch>[0],
    init: PacedInit | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const { onDispatch, ...request } = init ?? {};
    await this.bucket.take(signal);
    await onDispatch?.();
    signal?.throwIfAborted();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new RequestTimeoutError()), this.attemptTimeoutMs);
    try {
      const response = await this.fetchImpl(input, {
        ...request,
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (timeout.signal.aborted && !signal?.aborted) throw timeout.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Holds every queued request of this credential until the wait is over. */
  private pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.resumeAt) return;
    this.resumeAt = until;
    this.bucket.empty();
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => this.queue.start(), ms);
  }

  private async backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    const delay = this.transientBaseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
    await sleep(delay, signal);
  }
}

// A cache only: after a service worker restart a fresh pacer starts, which is what Notion expects anyway.
const pacers = new Map<string, NotionPacer>();

export function pacerFor(token: string): NotionPacer {
  let pacer = pacers.get(token);
  if (!pacer) {
    pacer = new NotionPacer();
    pacers.set(token, pacer);
  }
  return pacer;
}
