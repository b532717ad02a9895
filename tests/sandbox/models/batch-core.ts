// What the two batch APIs share (openai-batch.ts, gemini-batch.ts): a job's lifecycle and the
// answering of its lines. Each line is sent to the provider's own synchronous handler over a
// captured response, so a batch answer is exactly the synchronous one (same script, faults, usage)
// and is logged in `calls[]` with `batch` set to the job's id.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Engine, ModelCall } from './engine.ts';

/** Provider-neutral phases; each API names them its own way (validating/PENDING, in_progress/RUNNING…). */
export type BatchPhase =
  'queued' | 'running' | 'finalizing' | 'completed' | 'failed' | 'cancelling' | 'cancelled' | 'expired';

export const TERMINAL: ReadonlySet<BatchPhase> = new Set(['completed', 'failed', 'cancelled', 'expired']);

/** Until a test says otherwise, a batch waits this long after creation before its lines are answered. */
export const DEFAULT_BATCH_TURNAROUND_MS = 50;

/** What the synchronous handler answered one line; status 0 means it dropped the connection. */
export interface LineResult {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
  call?: ModelCall;
}

/** Sends one line to a synchronous handler, which writes its answer to `res`. */
export type LineSender = (res: ServerResponse) => Promise<void>;

/** A ServerResponse stand-in that keeps what a handler writes; `abandon()` plays a client leaving. */
class CapturedResponse extends EventEmitter {
  statusCode = 0;
  writableFinished = false;
  dropped = false;
  readonly headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  readonly socket = { destroy: () => this.drop() };

  writeHead(status: number, headers: Record<string, string> = {}): this {
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers)) this.headers[k.toLowerCase()] = v;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.chunks.push(Buffer.from(chunk));
    this.writableFinished = true;
    this.emit('finish');
    this.emit('close');
    return this;
  }

  abandon(): void {
    if (!this.writableFinished) this.emit('close');
  }

  private drop(): void {
    this.dropped = true;
    this.abandon();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface BatchHooks {
  /** Called once, when the job reaches a terminal phase (write output files here). */
  ended(job: BatchJob): void;
}

export class BatchJob {
  phase: BatchPhase = 'queued';
  /** Date.now() when each phase began. */
  readonly at: Partial<Record<BatchPhase, number>>;
  /** Per line, in input order: the answer, or undefined while unanswered. */
  readonly results: (LineResult | undefined)[];
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly inflight = new Set<CapturedResponse>();
  private startTimer?: NodeJS.Timeout;
  private windowTimer?: NodeJS.Timeout;
  private started = false;

  private readonly engine: Engine;
  readonly id: string;
  readonly lines: readonly LineSender[];
  readonly createdAt: number;
  /** The completion window (24 h for OpenAI, 48 h for Gemini): past it the job expires. */
  readonly windowMs: number;
  private readonly hooks: BatchHooks;
  /** Set when validation refused the input: the job fails instead of running. */
  readonly invalid: boolean;

  constructor(job: {
    engine: Engine;
    id: string;
    lines: readonly LineSender[];
    createdAt: number;
    windowMs: number;
    hooks: BatchHooks;
    invalid: boolean;
  }) {
    // Plain fields, not parameter properties: Node runs the sandbox by stripping types only.
    this.engine = job.engine;
    this.id = job.id;
    this.lines = job.lines;
    this.createdAt = job.createdAt;
    this.windowMs = job.windowMs;
    this.hooks = job.hooks;
    this.invalid = job.invalid;
    this.at = { queued: job.createdAt };
    this.results = job.lines.map(() => undefined);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get expiresAt(): number {
    return this.createdAt + this.windowMs;
  }

  get succeeded(): number {
    return this.results.filter((r) => r?.status === 200).length;
  }

  get failed(): number {
    return this.results.filter((r) => r !== undefined && r.status !== 200).length;
  }

  /** Validation takes a moment (the create answer shows the queued phase); then the job runs or fails. */
  schedule(turnaroundMs: number): void {
    setImmediate(() => {
      if (this.phase !== 'queued') return;
      if (this.invalid) return this.end('failed');
      this.enter('running');
      this.startTimer = setTimeout(() => this.start(), Math.max(0, this.createdAt + turnaroundMs - Date.now()));
      this.startTimer.unref();
    });
    this.windowTimer = setTimeout(() => this.expire(), this.windowMs);
    this.windowTimer.unref();
  }

  /** Answers the lines now, whatever the turnaround; resolves when the job has ended. */
  finish(): Promise<void> {
    if (this.phase === 'queued' && !this.invalid) this.enter('running');
    if (this.phase === 'running') this.start();
    if (this.phase === 'queued') this.end('failed');
    return this.done;
  }

  /** Ends the job as if its completion window had passed: answered lines are kept, the rest are not run. */
  expire(): void {
    if (TERMINAL.has(this.phase)) return;
    this.abortInflight();
    this.end('expired');
  }

  /** Stops the job; lines in flight are abandoned on the next turn, as a real cancellation takes a while. */
  cancel(): void {
    if (TERMINAL.has(this.phase) || this.phase === 'cancelling') return;
    this.enter('cancelling');
    setImmediate(() => {
      this.abortInflight();
      this.end('cancelled');
    });
  }

  /** Forgets the job (reset, delete): its timers stop and unfinished lines are abandoned. */
  dispose(): void {
    clearTimeout(this.startTimer);
    clearTimeout(this.windowTimer);
    this.abortInflight();
  }

  private start(): void {
    if (this.started || this.phase !== 'running') return;
    this.started = true;
    clearTimeout(this.startTimer);
    void Promise.all(this.lines.map((send, i) => this.answer(send, i))).then(() => {
      if (this.phase !== 'running') return;
      this.enter('finalizing');
      setImmediate(() => {
        if (this.phase === 'finalizing') this.end('completed');
      });
    });
  }

  private async answer(send: LineSender, index: number): Promise<void> {
    const res = new CapturedResponse();
    this.inflight.add(res);
    // Handlers log their call synchronously, before their first await, so it is the next entry.
    const logged = this.engine.calls.length;
    this.engine.batchTag = this.id;
    const sent = send(res as unknown as ServerResponse);
    this.engine.batchTag = undefined;
    const call = this.engine.calls[logged];
    await sent;
    this.inflight.delete(res);
    // An abandoned line (cancelled, expired) stays unanswered; a dropped one is the service failing it.
    if (!res.writableFinished && !res.dropped) return;
    if (this.phase !== 'running' && this.phase !== 'cancelling') return;
    const text = res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a stream someone asked for): kept as text.
    }
    this.results[index] = {
      status: res.dropped ? 0 : res.statusCode,
      headers: res.headers,
      body,
      ...(call?.batch === this.id ? { call } : {}),
    };
  }

  private abortInflight(): void {
    for (const res of this.inflight) res.abandon();
    this.inflight.clear();
  }

  private enter(phase: BatchPhase): void {
    this.phase = phase;
    this.at[phase] = Date.now();
  }

  private end(phase: BatchPhase): void {
    if (TERMINAL.has(this.phase)) return;
    clearTimeout(this.startTimer);
    clearTimeout(this.windowTimer);
    this.enter(phase);
    this.hooks.ended(this);
    this.resolveDone();
  }
}

/** Every job of one provider, by its id, newest last. */
export class BatchRegistry {
  readonly jobs = new Map<string, BatchJob>();

  add(job: BatchJob, turnaroundMs: number): void {
    this.jobs.set(job.id, job);
    job.schedule(turnaroundMs);
  }

  clear(): void {
    for (const job of this.jobs.values()) job.dispose();
    this.jobs.clear();
  }
}

/** Sums the tokens of the answered lines, as the batch's own usage reports them. */
export function batchTokens(job: BatchJob): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (const r of job.results) {
    input += r?.call?.inputTokens ?? 0;
    output += r?.call?.outputTokens ?? 0;
  }
  return { input, output };
}
