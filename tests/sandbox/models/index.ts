// Emulated model providers for the sandbox: OpenAI, Gemini, and an OpenAI-compatible local
// server (Ollama/LM Studio). The official SDKs (openai 7.57.0, @google/genai 3.1.0) work against
// these unchanged. Answers are deterministic unless scripted; see script.ts, schema.ts and search.ts.
import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from '../http-util.ts';
import { DEFAULT_PACING, Engine } from './engine.ts';
import type { ModelCall } from './engine.ts';
import { handleGeminiRequest } from './gemini.ts';
import { groundingRedirectFor } from './gemini-grounding.ts';
import { handleOpenAIStyle } from './openai.ts';
import type { ModelFault, ScriptRule, WebSource } from './script.ts';
import { defaultSources } from './search.ts';

export type { ModelFault, WebSource } from './script.ts';
export type { ModelCall } from './engine.ts';

export interface ModelApisOptions {
  timeToFirstTokenMs?: number;
  /** 0 = instant. */
  tokensPerSecond?: number;
}

/** The only keys the hosted emulators accept; shaped like real ones. */
const OPENAI_KEY = 'sk-proj-InklingSandbox0000000000000000000000000000000000000000sbox';
const GEMINI_KEY = 'AIzaSyInklingSandbox-000000000000000000';

export class ModelApis {
  private readonly initial: Required<ModelApisOptions>;
  private readonly engine: Engine;

  /** Valid keys (anything else is rejected as the real provider would). */
  readonly keys: { openai: string; gemini: string } = { openai: OPENAI_KEY, gemini: GEMINI_KEY };

  constructor(opts: ModelApisOptions = {}) {
    this.initial = {
      timeToFirstTokenMs: opts.timeToFirstTokenMs ?? DEFAULT_PACING.timeToFirstTokenMs,
      tokensPerSecond: opts.tokensPerSecond ?? DEFAULT_PACING.tokensPerSecond,
    };
    this.engine = new Engine(this.initial);
  }

  /** https://api.openai.com/v1/... */
  handleOpenAI(req: SandboxRequest, res: ServerResponse): Promise<void> {
    return handleOpenAIStyle(this.engine, 'openai', this.keys.openai, req, res);
  }

  /** https://generativelanguage.googleapis.com/v1beta/... */
  handleGemini(req: SandboxRequest, res: ServerResponse): Promise<void> {
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

  /** Forgets calls and scripts and restores the constructor's options. */
  reset(): void {
    this.engine.calls.length = 0;
    this.engine.script.clear();
    this.engine.pacing = { ...this.initial };
    this.engine.rejectExtensionOrigins = false;
  }

  configure(opts: Partial<ModelApisOptions & { ollamaRejectExtensionOrigins: boolean }>): void {
    if (opts.timeToFirstTokenMs !== undefined) this.engine.pacing.timeToFirstTokenMs = opts.timeToFirstTokenMs;
    if (opts.tokensPerSecond !== undefined) this.engine.pacing.tokensPerSecond = opts.tokensPerSecond;
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
