// Emulated model providers for the sandbox: OpenAI, Gemini, and an OpenAI-compatible local
// server (Ollama/LM Studio). The official SDKs (openai 7.57.0, @google/genai 3.1.0) work against
// these unchanged. Answers are deterministic unless scripted; see script.ts and schema.ts.
import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from '../http-util.ts';
import { DEFAULT_PACING, Engine } from './engine.ts';
import type { ModelCall } from './engine.ts';
import { handleGeminiRequest } from './gemini.ts';
import { handleOpenAIStyle } from './openai.ts';
import type { ModelFault, ScriptRule } from './script.ts';

export type { ModelFault } from './script.ts';
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
   */
  script(rule: {
    provider?: 'openai' | 'gemini' | 'compatible';
    match?: string | RegExp;
    text?: string;
    json?: unknown;
    fault?: ModelFault;
    times?: number;
    delayMs?: number;
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
   * counts every logged call for the provider, failed ones included. */
  usageTotals(): Record<string, { inputTokens: number; outputTokens: number; calls: number }> {
    const totals: Record<string, { inputTokens: number; outputTokens: number; calls: number }> = {};
    for (const c of this.engine.calls) {
      const t = (totals[c.provider] ??= { inputTokens: 0, outputTokens: 0, calls: 0 });
      t.inputTokens += c.inputTokens;
      t.outputTokens += c.outputTokens;
      t.calls += 1;
    }
    return totals;
  }
}
