// Emulated model providers for the sandbox: OpenAI, Gemini, and an OpenAI-compatible local
// server (Ollama/LM Studio). The official SDKs (openai 7.57.0, @google/genai 3.1.0) work against
// these unchanged. Answers are deterministic unless scripted; see script.ts, schema.ts and search.ts.
import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from '../http-util.ts';
import { DEFAULT_BATCH_TURNAROUND_MS } from './batch-core.ts';
import type { BatchJob } from './batch-core.ts';
import { DEFAULT_PACING, Engine, isPreflight } from './engine.ts';
import type { ModelCall } from './engine.ts';
import { handleGeminiRequest } from './gemini.ts';
import { GeminiBatches } from './gemini-batch.ts';
import { groundingRedirectFor } from './gemini-grounding.ts';
import { handleOpenAIStyle } from './openai.ts';
import { OpenAIBatches } from './openai-batch.ts';
import type { ModelFault, ScriptRule, WebSource } from './script.ts';
import { defaultSources } from './search.ts';

export type { ModelFault, WebSource } from './script.ts';
export type { ModelCall } from './engine.ts';

export interface ModelApisOptions {
  timeToFirstTokenMs?: number;
  /** 0 = instant. */
  tokensPerSecond?: number;
  /**
   * How long after its creation a batch (OpenAI or Gemini) starts answering its lines; it ends once
   * they are answered. Default 50 ms; make it long to hold batches and drive them with `batches`.
   */
  batchTurnaroundMs?: number;
}

/** The only keys the hosted emulators accept; shaped like real ones. */
const OPENAI_KEY = 'sk-proj-InklingSandbox0000000000000000000000000000000000000000sbox';
const GEMINI_KEY = 'AIzaSyInklingSandbox-000000000000000000';

export class ModelApis {
  private readonly initial: Required<ModelApisOptions>;
  private readonly engine: Engine;
  private batchTurnaroundMs: number;
  private readonly openaiBatches: OpenAIBatches;
  private readonly geminiBatches: GeminiBatches;

  /** Valid keys (anything else is rejected as the real provider would). */
  readonly keys: { openai: string; gemini: string } = { openai: OPENAI_KEY, gemini: GEMINI_KEY };

  constructor(opts: ModelApisOptions = {}) {
    this.initial = {
      timeToFirstTokenMs: opts.timeToFirstTokenMs ?? DEFAULT_PACING.timeToFirstTokenMs,
      tokensPerSecond: opts.tokensPerSecond ?? DEFAULT_PACING.tokensPerSecond,
      batchTurnaroundMs: opts.batchTurnaroundMs ?? DEFAULT_BATCH_TURNAROUND_MS,
    };
    this.engine = new Engine({
      timeToFirstTokenMs: this.initial.timeToFirstTokenMs,
      tokensPerSecond: this.initial.tokensPerSecond,
    });
    this.batchTurnaroundMs = this.initial.batchTurnaroundMs;
    const turnaround = () => this.batchTurnaroundMs;
    this.openaiBatches = new OpenAIBatches(this.engine, this.keys.openai, turnaround);
    this.geminiBatches = new GeminiBatches(this.engine, this.keys.gemini, turnaround);
  }

  /**
   * Test controls for batches, by the id the API gave (OpenAI `batch_…`, Gemini `batches/…`):
   * `finish(id)` answers the lines now, whatever the turnaround, and resolves once the batch has
   * ended; `expire(id)` ends it as if its completion window (24 h / 48 h) had passed: lines already
   * answered are kept, lines in flight are abandoned and the rest never run.
   */
  readonly batches = {
    finish: (id: string): Promise<void> => this.batchJob(id).finish(),
    expire: (id: string): void => this.batchJob(id).expire(),
  };

  private batchJob(id: string): BatchJob {
    const job = this.openaiBatches.job(id) ?? this.geminiBatches.job(id);
    if (!job) throw new Error(`no batch ${id}`);
    return job;
  }

  /** https://api.openai.com/v1/... */
  handleOpenAI(req: SandboxRequest, res: ServerResponse): Promise<void> {
    // /v1/files and /v1/batches (openai-batch.ts); the compatible server has neither and 404s them.
    if (!isPreflight(req) && OpenAIBatches.handles(req.url.pathname)) return this.openaiBatches.handle(req, res);
    return handleOpenAIStyle(this.engine, 'openai', this.keys.openai, req, res);
  }

  /** https://generativelanguage.googleapis.com/v1beta/... */
  handleGemini(req: SandboxRequest, res: ServerResponse): Promise<void> {
    if (!isPreflight(req) && GeminiBatches.handles(req.url.pathname)) {
      this.geminiBatches.handle(req, res);
      return Promise.resolve();
    }
    return handleGeminiRequest(this.engine, this.keys.gemini, req, res);
  }

  /**
   * The OpenAI-compatible API on http://127.0.0.1:PORT as Ollama serves it: /v1 prefix, CORS
   * (preflights answered, requested headers echoed, the Origin allowed), any key or none. With
   * `ollamaRejectExtensionOrigins`, chrome-extension:// origins get an empty 403.
   */
  handleCompatible(req: SandboxRequest, res: ServerResponse): Promise<void> {
    return handleOpenAIStyle(this.engine, 'compatible', '', req, res);
  }

  /** Forgets calls, scripts, batches and files, and restores the constructor's options. */
  reset(): void {
    this.openaiBatches.reset();
    this.geminiBatches.reset();
    this.batchTurnaroundMs = this.initial.batchTurnaroundMs;
    this.engine.calls.length = 0;
    this.engine.script.clear();
    this.engine.pacing = {
      timeToFirstTokenMs: this.initial.timeToFirstTokenMs,
      tokensPerSecond: this.initial.tokensPerSecond,
    };
    this.engine.rejectExtensionOrigins = false;
  }

  configure(opts: Partial<ModelApisOptions & { ollamaRejectExtensionOrigins: boolean }>): void {
    if (opts.timeToFirstTokenMs !== undefined) this.engine.pacing.timeToFirstTokenMs = opts.timeToFirstTokenMs;
    if (opts.tokensPerSecond !== undefined) this.engine.pacing.tokensPerSecond = opts.tokensPerSecond;
    if (opts.batchTurnaroundMs !== undefined) this.batchTurnaroundMs = opts.batchTurnaroundMs;
    if (opts.ollamaRejectExtensionOrigins !== undefined)
      this.engine.rejectExtensionOrigins = opts.ollamaRejectExtensionOrigins;
  }

  /**
   * Scripted answers: the first rule whose `match` (substring or RegExp tested against the
   * system+user prompt text) matches answers the call; `times` limits uses (default unlimited).
   * `text` for plain answers; `json` for structured output (sent verbatim, serialized); `fault`
   * for errors. Precedence within a rule: fault, then json, then text.
   * When the request offers a web search tool (OpenAI's web_search, Gemini's googleSearch), the model
   * makes `searches` searches (default 1; 0: it chose not to search, so nothing is cited) and the
   * answer cites `sources` (default: defaultSourcesFor the user text).
   */
  script(rule: {
    provider?: 'openai' | 'gemini' | 'compatible';
    match?: string | RegExp;
    text?: string;
    json?: unknown;
    fault?: ModelFault;
    times?: number;
    delayMs?: number;
    sources?: WebSource[];
    searches?: number;
  }): void {
    this.engine.script.add(rule satisfies ScriptRule);
  }

  /**
   * Every generation call received (chat completions, responses, generateContent), in arrival
   * order, including rejected ones (bad key, unknown model, faults). Entries are live: status and
   * tokens fill in as the call is answered (status 0 while in flight or for a dropped connection).
   * Not logged: model lists, preflights, and requests the Ollama origin check refuses (they never
   * reach the model).
   */
  get calls(): ModelCall[] {
    return this.engine.calls;
  }

  /** Total tokens counted per provider — the same numbers reported in the usage fields. `calls`
   * counts every logged call for the provider, failed ones included; `searches` the web searches made. */
  usageTotals(): Record<string, { inputTokens: number; outputTokens: number; calls: number; searches: number }> {
    const totals: Record<string, { inputTokens: number; outputTokens: number; calls: number; searches: number }> = {};
    for (const c of this.engine.calls) {
      const t = (totals[c.provider] ??= { inputTokens: 0, outputTokens: 0, calls: 0, searches: 0 });
      t.inputTokens += c.inputTokens;
      t.outputTokens += c.outputTokens;
      t.calls += 1;
      t.searches += c.searches ?? 0;
    }
    return totals;
  }

  /**
   * The pages a search cites when no rule gives `sources`, for a prompt whose user text (the user
   * turns joined by newlines) is `userText`. OpenAI cites them with `?utm_source=openai` appended;
   * Gemini by groundingRedirectFor(url), titled by the domain.
   */
  defaultSourcesFor(userText: string): WebSource[] {
    return defaultSources(userText);
  }

  /** The Google redirect link Gemini's groundingChunks cite `url` by (the same for the same url). */
  groundingRedirectFor(url: string): string {
    return groundingRedirectFor(url);
  }
}
