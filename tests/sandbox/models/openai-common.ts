// What api.openai.com and the OpenAI-compatible local servers (Ollama, LM Studio) share: model
// catalogues, error bodies worded as the real services word them, auth, prompt extraction, and
// the model turn used by both /chat/completions and /responses. `OpenAIFlavor` says which server
// is answering; the local one accepts any key, words its 404s like Ollama and validates less.
// Wire shapes were checked against openai@7.57.0 (core/streaming, core/error, resources/chat).
import type { ServerResponse } from 'node:http';
import { dropConnection, parseJsonBody, sendJson } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { corsHeaders, randomId } from './engine.ts';
import type { ClientWatch, Engine, ModelCall } from './engine.ts';
import type { ModelFault, OutputFormat, PromptText, SearchScript } from './script.ts';
import { countTokens, promptTokens, truncateToTokens } from './tokens.ts';

export interface OpenAIModel {
  id: string;
  created: number;
  ownedBy: string;
  contextWindow: number;
  /** Embedding models are listed but cannot chat. */
  chat: boolean;
  /** Reasoning models (gpt-5 family) reject the legacy `max_tokens` parameter. */
  reasoning: boolean;
}

export const OPENAI_MODELS: OpenAIModel[] = [
  { id: 'gpt-5.5', created: 1_776_124_800, ownedBy: 'system', contextWindow: 400_000, chat: true, reasoning: true },
  {
    id: 'gpt-5.5-mini',
    created: 1_776_124_800,
    ownedBy: 'system',
    contextWindow: 400_000,
    chat: true,
    reasoning: true,
  },
  { id: 'gpt-5-nano', created: 1_754_425_928, ownedBy: 'system', contextWindow: 400_000, chat: true, reasoning: true },
  {
    id: 'gpt-4.1-mini',
    created: 1_744_318_173,
    ownedBy: 'system',
    contextWindow: 1_047_576,
    chat: true,
    reasoning: false,
  },
  {
    id: 'text-embedding-3-small',
    created: 1_705_948_997,
    ownedBy: 'system',
    contextWindow: 8_191,
    chat: false,
    reasoning: false,
  },
];

/** What `ollama list` might show on a developer machine. Ollama names default to the `latest` tag. */
export const COMPATIBLE_MODELS: OpenAIModel[] = [
  {
    id: 'llama3.2:latest',
    created: 1_760_000_000,
    ownedBy: 'library',
    contextWindow: 131_072,
    chat: true,
    reasoning: false,
  },
  { id: 'qwen3:8b', created: 1_760_000_000, ownedBy: 'library', contextWindow: 40_960, chat: true, reasoning: false },
  { id: 'gemma3:4b', created: 1_760_000_000, ownedBy: 'library', contextWindow: 131_072, chat: true, reasoning: false },
];

/** OpenAI's rate-limit answer asks to wait this long (also sent as `retry-after`). */
export const OPENAI_RETRY_AFTER_SECONDS = 1;
const RATE_LIMIT_REQUESTS_PER_MIN = 500;
const RATE_LIMIT_TOKENS_PER_MIN = 200_000;

export type OpenAIFlavor = 'openai' | 'compatible';

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function openaiError(
  status: number,
  message: string,
  type: string,
  param: string | null,
  code: string | null,
  headers?: Record<string, string>,
): ErrorReply {
  return { status, body: { error: { message, type, param, code } }, ...(headers ? { headers } : {}) };
}

/** Headers every api.openai.com answer carries; tests and clients may read the request id. */
export function openaiHeaders(flavor: OpenAIFlavor, req: SandboxRequest): Record<string, string> {
  if (flavor === 'compatible') return corsHeaders(req);
  return {
    ...corsHeaders(req),
    'x-request-id': randomId('req_', 16),
    'openai-version': '2020-10-01',
    'openai-organization': 'user-sandbox',
    'openai-processing-ms': '42',
    'x-ratelimit-limit-requests': String(RATE_LIMIT_REQUESTS_PER_MIN),
    'x-ratelimit-remaining-requests': String(RATE_LIMIT_REQUESTS_PER_MIN - 1),
    'x-ratelimit-reset-requests': '120ms',
    'x-ratelimit-limit-tokens': String(RATE_LIMIT_TOKENS_PER_MIN),
    'x-ratelimit-remaining-tokens': String(RATE_LIMIT_TOKENS_PER_MIN - 1),
    'x-ratelimit-reset-tokens': '0s',
  };
}

export function sendError(res: ServerResponse, flavor: OpenAIFlavor, req: SandboxRequest, reply: ErrorReply): void {
  sendJson(res, reply.status, reply.body, { ...openaiHeaders(flavor, req), ...reply.headers });
}

/** OpenAI prints a wrong key with its middle masked: sk-proj-****…abcd. Short keys verbatim. */
export function maskKey(key: string): string {
  if (key.length <= 8) return key;
  const prefix = /^sk-(?:proj-|svcacct-|admin-)?/.exec(key)?.[0] ?? key.slice(0, 3);
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

function bearerKey(req: SandboxRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const m = /^Bearer\s+(.*)$/i.exec(auth.trim());
  return m ? (m[1] ?? '').trim() : undefined;
}

/** 401s exactly as api.openai.com words them; the compatible servers accept any key or none. */
export function authProblem(flavor: OpenAIFlavor, req: SandboxRequest, validKey: string): ErrorReply | undefined {
  if (flavor === 'compatible') return undefined;
  const key = bearerKey(req);
  if (!key) {
    return openaiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      'invalid_request_error',
      null,
      null,
    );
  }
  if (key !== validKey) return invalidKey(key);
  return undefined;
}

function invalidKey(key: string): ErrorReply {
  return openaiError(
    401,
    `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    null,
    'invalid_api_key',
  );
}

export function findModel(flavor: OpenAIFlavor, id: string): OpenAIModel | undefined {
  if (flavor === 'compatible') {
    const tagged = id.includes(':') ? id : `${id}:latest`;
    return COMPATIBLE_MODELS.find((m) => m.id === tagged);
  }
  return OPENAI_MODELS.find((m) => m.id === id);
}

export function modelNotFound(flavor: OpenAIFlavor, id: string): ErrorReply {
  if (flavor === 'compatible')
    return openaiError(404, `model "${id}" not found, try pulling it first`, 'api_error', null, null);
  return openaiError(
    404,
    `The model \`${id}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    null,
    'model_not_found',
  );
}

export function contextTooLong(model: OpenAIModel, inputTokens: number): ErrorReply {
  const requested = Math.max(inputTokens, model.contextWindow + 1);
  return openaiError(
    400,
    `This model's maximum context length is ${model.contextWindow} tokens. However, your messages resulted in ${requested} tokens. Please reduce the length of the messages.`,
    'invalid_request_error',
    'messages',
    'context_length_exceeded',
  );
}

/** A scripted fault as the real service would answer it; 'safety' is not an error (see callers). */
export function faultReply(
  fault: Exclude<ModelFault, 'safety' | 'drop'>,
  flavor: OpenAIFlavor,
  model: OpenAIModel | undefined,
  modelId: string,
  key: string | undefined,
  inputTokens: number,
): ErrorReply {
  switch (fault) {
    case 'unauthorized':
      return openaiError(
        401,
        "You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.",
        'invalid_request_error',
        null,
        null,
      );
    case 'invalid_key':
      return invalidKey(key ?? 'sk-sandbox-invalid');
    case 'rate_limited':
      return openaiError(
        429,
        `Rate limit reached for ${modelId} in organization org-sandbox on requests per min (RPM): Limit ${RATE_LIMIT_REQUESTS_PER_MIN}, Used ${RATE_LIMIT_REQUESTS_PER_MIN}, Requested 1. Please try again in ${OPENAI_RETRY_AFTER_SECONDS}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'requests',
        null,
        'rate_limit_exceeded',
        {
          'retry-after': String(OPENAI_RETRY_AFTER_SECONDS),
          'x-ratelimit-limit-requests': String(RATE_LIMIT_REQUESTS_PER_MIN),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': `${OPENAI_RETRY_AFTER_SECONDS}s`,
          'x-ratelimit-limit-tokens': String(RATE_LIMIT_TOKENS_PER_MIN),
          'x-ratelimit-remaining-tokens': String(RATE_LIMIT_TOKENS_PER_MIN - 1),
          'x-ratelimit-reset-tokens': '0s',
        },
      );
    case 'quota_exhausted':
      return openaiError(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        null,
        'insufficient_quota',
      );
    case 'server_error':
      return openaiError(
        500,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
        null,
      );
    case 'overloaded':
      return openaiError(
        503,
        'The engine is currently overloaded, please try again later.',
        'server_error',
        null,
        null,
      );
    case 'prompt_blocked':
      return openaiError(
        400,
        'Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting',
        'invalid_request_error',
        null,
        'invalid_prompt',
      );
    case 'model_not_found':
      return modelNotFound(flavor, modelId);
    case 'context_length':
      return contextTooLong(
        model ?? { id: modelId, created: 0, ownedBy: 'system', contextWindow: 128_000, chat: true, reasoning: false },
        inputTokens,
      );
  }
}

/** Text of a message's content: a string or an array of parts (only text parts count). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .filter((t) => t.length > 0)
    .join('\n');
}

/** Splits chat messages into system/user text; every role counts toward input tokens. */
export function promptFromMessages(messages: unknown[], instructions?: string): PromptText {
  const system: string[] = instructions ? [instructions] : [];
  const user: string[] = [];
  const all: string[] = instructions ? [instructions] : [];
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const { role, content } = m as { role?: unknown; content?: unknown };
    const text = contentText(content);
    if (!text) continue;
    all.push(text);
    if (role === 'system' || role === 'developer') system.push(text);
    else if (role === 'user' || role === undefined) user.push(text);
  }
  return { system: system.join('\n'), user: user.join('\n'), all: all.join('\n') };
}

export type FinishReason = 'stop' | 'length' | 'content_filter';

export interface Answer {
  text: string;
  finish: FinishReason;
  inputTokens: number;
  outputTokens: number;
  /** What the script says a web search finds, for /responses when the request offers the tool. */
  search: SearchScript;
}

/**
 * The model turn shared by /chat/completions and /responses: consumes a script rule, waits any
 * scripted delay, and either answers a fault itself (returning undefined) or returns the text to
 * send (truncated to the token limit, empty for a content-filtered answer).
 */
export async function runModel(
  engine: Engine,
  flavor: OpenAIFlavor,
  req: SandboxRequest,
  res: ServerResponse,
  call: ModelCall,
  client: ClientWatch,
  model: OpenAIModel,
  prompt: PromptText,
  format: OutputFormat,
  maxTokens: number | undefined,
): Promise<Answer | undefined> {
  const plan = engine.script.plan(flavor, prompt, format);
  if (!(await client.wait(plan.delayMs))) {
    call.aborted = true;
    return undefined;
  }
  const inputTokens = promptTokens(prompt);
  const fault = plan.kind === 'fault' ? plan.fault : undefined;
  if (fault === 'drop') {
    dropConnection(res);
    return undefined;
  }
  if (fault !== undefined && fault !== 'safety') {
    const reply = faultReply(fault, flavor, model, model.id, bearerKey(req), inputTokens);
    call.status = reply.status;
    sendError(res, flavor, req, reply);
    return undefined;
  }
  // Local servers truncate an over-long prompt to their context; hosted OpenAI refuses it.
  if (flavor === 'openai' && inputTokens > model.contextWindow) {
    const reply = contextTooLong(model, inputTokens);
    call.status = reply.status;
    sendError(res, flavor, req, reply);
    return undefined;
  }
  if (plan.kind === 'fault')
    return { text: '', finish: 'content_filter', inputTokens, outputTokens: 0, search: plan.search };
  let text = plan.text;
  let finish: FinishReason = 'stop';
  if (maxTokens !== undefined && countTokens(text) > maxTokens) {
    text = truncateToTokens(text, maxTokens);
    finish = 'length';
  }
  return { text, finish, inputTokens, outputTokens: countTokens(text), search: plan.search };
}

/** Records what the client was told (or, when it left mid-stream, what it received). */
export function settle(
  call: ModelCall,
  status: number,
  inputTokens: number,
  outputTokens: number,
  aborted: boolean,
): void {
  call.status = status;
  call.inputTokens = inputTokens;
  call.outputTokens = outputTokens;
  if (aborted) call.aborted = true;
}

export const INVALID_JSON_BODY = openaiError(
  400,
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  'invalid_request_error',
  null,
  null,
);

/** Parses the body leniently so that even a rejected call can be logged with its model and prompt. */
export function readJson(req: SandboxRequest): { body: Record<string, unknown> | undefined; problem?: ErrorReply } {
  try {
    const parsed = parseJsonBody(req);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return { body: parsed as Record<string, unknown> };
    return { body: undefined, problem: INVALID_JSON_BODY };
  } catch {
    return { body: undefined, problem: INVALID_JSON_BODY };
  }
}
