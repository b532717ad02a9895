// Model failures from every engine → one small taxonomy, each with a message that says what to do.
import { ApiError } from '@google/genai';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { InklingError, isAbortError, logRaw, type Problem } from '../shared/problem';
import type { EngineId } from '../shared/engines';
import { ENGINE_LABELS, KEY_PAGES, searchesTheWeb } from '../shared/engines';
import { retryAfterMs as retryAfterOf } from '../shared/retry-after';

export type ModelProblemKind =
  | 'no_key'
  | 'bad_key'
  | 'no_permission'
  | 'ollama_origin'
  | 'rate_limited'
  | 'quota'
  | 'model_not_found'
  | 'prompt_too_long'
  | 'safety'
  | 'bad_output'
  | 'unavailable'
  | 'unsupported'
  | 'network'
  | 'timeout'
  | 'aborted'
  /** A batch's window ran out before the request was answered (BatchEngine in types.ts). */
  | 'batch_expired';

const RETRYABLE: ReadonlySet<ModelProblemKind> = new Set([
  'rate_limited',
  'unavailable',
  'network',
  'timeout',
  'batch_expired',
]);

export function modelProblem(kind: ModelProblemKind, message: string, retryAfterMs?: number): Problem {
  return {
    source: 'model',
    kind,
    message,
    retryable: RETRYABLE.has(kind),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** Web search asked of an engine that has none (the screen offers it only where there is one). */
export function checkWebSearch(engine: EngineId, wanted: boolean | undefined): void {
  if (wanted && !searchesTheWeb(engine)) throw new InklingError(noWebSearchProblem(engine));
}

function noWebSearchProblem(engine: EngineId): Problem {
  return modelProblem(
    'unsupported',
    `${ENGINE_LABELS[engine]} cannot search the web. Web search needs GPT (OpenAI) or Gemini: choose one in Settings → AI engine, or turn off Use web search.`,
  );
}

export interface ProblemContext {
  engine: EngineId;
  model?: string;
  baseUrl?: string;
}

const KEY_HELP: Record<EngineId, string> = {
  gemini: `Create a key at ${KEY_PAGES.gemini.replace('https://', '')} and paste it in Settings → Gemini API key.`,
  openai: `Create a key at ${KEY_PAGES.openai.replace('https://', '')} and paste it in Settings → OpenAI API key.`,
  compatible: 'Check the key for this server in Settings.',
  chrome: '',
};

function badKey(ctx: ProblemContext): Problem {
  return modelProblem(
    'bad_key',
    `${ENGINE_LABELS[ctx.engine]} did not accept this API key. ${KEY_HELP[ctx.engine]}`.trim(),
  );
}

function rateLimited(ctx: ProblemContext, retryAfterMs: number | undefined): Problem {
  const wait = retryAfterMs ? ` Waiting ${Math.ceil(retryAfterMs / 1000)} s before trying again.` : '';
  return modelProblem('rate_limited', `${ENGINE_LABELS[ctx.engine]} is rate-limiting requests.${wait}`, retryAfterMs);
}

function quota(ctx: ProblemContext, retryAfterMs?: number): Problem {
  return modelProblem(
    'quota',
    `${ENGINE_LABELS[ctx.engine]} says this key has used up its quota. Check your plan and billing with the provider, or switch engines in Settings.`,
    retryAfterMs,
  );
}

function notFound(ctx: ProblemContext): Problem {
  return modelProblem(
    'model_not_found',
    `${ENGINE_LABELS[ctx.engine]} has no model named “${ctx.model ?? ''}”. Choose one from the Model list in Settings.`,
  );
}

function tooLong(ctx: ProblemContext): Problem {
  return modelProblem(
    'prompt_too_long',
    `The prompt is too long for ${ctx.model ?? 'this model'}. Shorten it, or leave out the page content.`,
  );
}

function unavailable(ctx: ProblemContext, status?: number): Problem {
  return modelProblem(
    'unavailable',
    `${ENGINE_LABELS[ctx.engine]} is having trouble${status ? ` (HTTP ${status})` : ''}. Try again in a minute.`,
  );
}

export function safetyProblem(ctx: ProblemContext, reason = 'SAFETY'): Problem {
  return modelProblem(
    'safety',
    `${ENGINE_LABELS[ctx.engine]} blocked this answer (${reason}). Rephrase the prompt; nothing was written.`,
  );
}

export function ollamaOriginProblem(baseUrl: string): Problem {
  return modelProblem(
    'ollama_origin',
    `The server at ${baseUrl} refused Inkling (403). If it is Ollama, restart it with OLLAMA_ORIGINS=chrome-extension://* set — e.g. \`OLLAMA_ORIGINS=chrome-extension://* ollama serve\`, or on macOS \`launchctl setenv OLLAMA_ORIGINS "chrome-extension://*"\` and restart the Ollama app. In LM Studio, turn on “Enable CORS” in the server settings.`,
  );
}

/**
 * A browser hides why a cross-origin request failed. When an OpenAI-compatible server cannot be
 * reached, ask it twice more: a plain CORS request that needs no preflight, and one without CORS.
 * If only the second gets through, the server is running and refuses Inkling's origin (Ollama
 * without OLLAMA_ORIGINS). If both do, the first failure was a dropped connection; if neither, the
 * server is not running at that address.
 */
export async function explainUnreachableServer(baseUrl: string, ctx: ProblemContext): Promise<Problem> {
  const probe = (mode: RequestMode) =>
    fetch(`${baseUrl}/models`, { mode, cache: 'no-store', credentials: 'omit' }).then(
      () => true,
      () => false,
    );
  if (await probe('cors')) return network(ctx);
  return (await probe('no-cors')) ? ollamaOriginProblem(baseUrl) : network(ctx);
}

export function timeoutProblem(ctx: ProblemContext): Problem {
  return modelProblem(
    'timeout',
    `${ENGINE_LABELS[ctx.engine]} took too long to answer. Try again, or pick a faster model.`,
  );
}

function network(ctx: ProblemContext): Problem {
  const where = ctx.engine === 'compatible' && ctx.baseUrl ? `the server at ${ctx.baseUrl}` : ENGINE_LABELS[ctx.engine];
  const hint =
    ctx.engine === 'compatible' ? ' Is it running, and is the Base URL right?' : ' Check your internet connection.';
  return modelProblem('network', `Couldn’t reach ${where}.${hint}`);
}

/** Gemini's "retryDelay": "7s" inside a RetryInfo detail, when the error text carries it. */
function geminiRetryDelay(message: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(message);
  return match ? Number(match[1]) * 1000 : undefined;
}

export function toModelProblem(error: unknown, ctx: ProblemContext): Problem {
  if (error instanceof InklingError) return error.problem;
  if (isAbortError(error)) return modelProblem('aborted', 'Stopped.');
  logRaw(`model ${ctx.engine}`, error);
  if (error instanceof APIConnectionTimeoutError) return timeoutProblem(ctx);
  if (error instanceof APIConnectionError) return network(ctx);
  if (error instanceof APIError) {
    const code = String(error.code ?? '');
    const retryAfterMs = retryAfterOf(error.headers);
    switch (error.status) {
      case 401:
        return badKey(ctx);
      case 403:
        if (ctx.engine === 'compatible') return ollamaOriginProblem(ctx.baseUrl ?? 'this Base URL');
        return modelProblem(
          'no_permission',
          `${ENGINE_LABELS[ctx.engine]} refused this request: the key has no access to ${ctx.model ?? 'this model'}.`,
        );
      case 404:
        return notFound(ctx);
      case 429:
        return code === 'insufficient_quota' ? quota(ctx) : rateLimited(ctx, retryAfterMs);
      case 400:
      case 413:
      case 422:
        if (code === 'context_length_exceeded' || /context length|too long|maximum context/i.test(error.message))
          return tooLong(ctx);
        if (code === 'invalid_api_key') return badKey(ctx);
        return modelProblem('bad_output', `${ENGINE_LABELS[ctx.engine]} rejected the request: ${error.message}`);
      default:
        return unavailable(ctx, error.status);
    }
  }
  if (error instanceof ApiError) {
    const text = error.message;
    if (/API_KEY_INVALID|API key not valid/i.test(text)) return badKey(ctx);
    switch (error.status) {
      case 401:
      case 403:
        return modelProblem(
          'no_permission',
          `Gemini refused this key (${error.status}). Check that the Generative Language API is enabled for its project.`,
        );
      case 404:
        return notFound(ctx);
      case 429: {
        const retryAfterMs = geminiRetryDelay(text);
        return /quota|per day|PerDay/i.test(text) && !/per minute|PerMinute/i.test(text)
          ? quota(ctx, retryAfterMs)
          : rateLimited(ctx, retryAfterMs ?? undefined);
      }
      case 400:
        if (/token count|too long|exceeds the maximum/i.test(text)) return tooLong(ctx);
        return modelProblem('bad_output', `Gemini rejected the request: ${text.slice(0, 300)}`);
      default:
        return unavailable(ctx, error.status);
    }
  }
  if (error instanceof TypeError) return network(ctx);
  return unavailable(ctx);
}
