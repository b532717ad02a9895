// The Gemini Developer API (https://generativelanguage.googleapis.com/v1beta), as @google/genai
// 3.1.0 calls it: models/{m}:generateContent, :streamGenerateContent?alt=sse, :countTokens,
// GET models and models/{m}. Errors are Google's {error:{code,message,status,details}}; note an
// invalid key is a 400, not a 401, and safety blocks are 200 answers without text. With the
// googleSearch tool the answer is grounded (see gemini-grounding.ts); in a stream the grounding comes
// on the last chunk, with the finishReason. Inline images and PDFs: gemini-media.ts.
import type { ServerResponse } from 'node:http';
import { dropConnection, parseJsonBody, sendJson, sseEvent, startSse } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { ClientWatch, answerPreflight, corsHeaders, generationMs, isPreflight, paceOut, randomId } from './engine.ts';
import type { Engine } from './engine.ts';
import { groundingMetadata } from './gemini-grounding.ts';
import { promptForMatching } from './script.ts';
import type { OutputFormat, PromptText } from './script.ts';
import {
  API_KEY_INVALID,
  GEMINI_MODELS,
  NO_KEY,
  SAFETY_RATINGS_BLOCKED,
  contextTooLong,
  faultReply,
  googleError,
  modelNotFound,
} from './gemini-common.ts';
import type { GeminiErrorReply, GeminiModel } from './gemini-common.ts';

export { GEMINI_MODELS, GEMINI_RETRY_DELAY } from './gemini-common.ts';
export type { GeminiModel } from './gemini-common.ts';
import { performSearches, planWebSearch } from './search.ts';
import { geminiMedia, modalityDetails, payloadProblem } from './gemini-media.ts';
import type { Received } from './media.ts';
import { chunkText, countTokens, promptTokens, truncateToTokens } from './tokens.ts';

function googleHeaders(req: SandboxRequest): Record<string, string> {
  return {
    ...corsHeaders(req),
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    'x-content-type-options': 'nosniff',
  };
}

export function send(res: ServerResponse, req: SandboxRequest, status: number, body: unknown): void {
  sendJson(res, status, body, googleHeaders(req));
}

/** Google's front end answers unknown paths with its HTML 404 page, not JSON. */
export function notFoundPage(req: SandboxRequest, res: ServerResponse): void {
  const html = `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${req.url.pathname.replace(/[<>&]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`;
  res.writeHead(404, {
    'content-type': 'text/html; charset=UTF-8',
    'content-length': String(Buffer.byteLength(html)),
    ...corsHeaders(req),
  });
  res.end(html);
}

function apiKeyOf(req: SandboxRequest): string | undefined {
  const header = req.headers['x-goog-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  return req.url.searchParams.get('key') ?? undefined;
}

export function authProblem(req: SandboxRequest, validKey: string): GeminiErrorReply | undefined {
  const key = apiKeyOf(req);
  if (key === undefined) return NO_KEY;
  return key === validKey ? undefined : API_KEY_INVALID;
}

function modelResource(m: GeminiModel): Record<string, unknown> {
  return {
    name: `models/${m.id}`,
    version: m.version,
    displayName: m.displayName,
    description: m.description,
    inputTokenLimit: m.inputTokenLimit,
    outputTokenLimit: m.outputTokenLimit,
    supportedGenerationMethods: m.supportedGenerationMethods,
    ...(m.supportedGenerationMethods.includes('generateContent')
      ? { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: m.thinking }
      : {}),
  };
}

/** Entry point for https://generativelanguage.googleapis.com. */
export async function handleGeminiRequest(
  engine: Engine,
  validKey: string,
  req: SandboxRequest,
  res: ServerResponse,
): Promise<void> {
  if (isPreflight(req)) return answerPreflight(req, res);
  const m = /^\/(v1beta|v1)\/models(?:\/([^/:]+)(?::([A-Za-z]+))?)?\/?$/.exec(req.url.pathname);
  if (!m) return notFoundPage(req, res);
  const apiVersion = m[1] ?? 'v1beta';
  const modelId = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const method = m[3];

  if (req.method === 'GET' && modelId === undefined) {
    const denied = authProblem(req, validKey);
    if (denied) return send(res, req, denied.status, denied.body);
    // One page holds everything, so there is never a nextPageToken.
    return send(res, req, 200, { models: GEMINI_MODELS.map(modelResource) });
  }
  if (req.method === 'GET' && modelId !== undefined && method === undefined) {
    const denied = authProblem(req, validKey);
    if (denied) return send(res, req, denied.status, denied.body);
    const model = GEMINI_MODELS.find((x) => x.id === modelId);
    if (!model) {
      const reply = modelNotFound(modelId, apiVersion, 'get');
      return send(res, req, reply.status, reply.body);
    }
    return send(res, req, 200, modelResource(model));
  }
  if (
    req.method === 'POST' &&
    modelId !== undefined &&
    (method === 'generateContent' || method === 'streamGenerateContent')
  ) {
    return generate(engine, validKey, req, res, apiVersion, modelId, method);
  }
  if (req.method === 'POST' && modelId !== undefined && method === 'countTokens')
    return countTokensRoute(validKey, req, res, apiVersion, modelId);
  return notFoundPage(req, res);
}

interface Part {
  text?: unknown;
  thought?: unknown;
}
interface Content {
  role?: unknown;
  parts?: unknown;
}

function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts = (content as Content | undefined)?.parts;
  if (!Array.isArray(parts)) return '';
  return parts
    .filter((p: Part) => p && typeof p.text === 'string' && p.thought !== true)
    .map((p: Part) => p.text as string)
    .join('');
}

function promptFromBody(body: Record<string, unknown>, attachments: Received[] = []): PromptText {
  const system = partsText(body.systemInstruction);
  const user: string[] = [];
  const all: string[] = system ? [system] : [];
  for (const c of Array.isArray(body.contents) ? body.contents : []) {
    const text = partsText(c);
    if (!text) continue;
    all.push(text);
    if ((c as Content).role !== 'model') user.push(text);
  }
  return { system, user: user.join('\n'), all: all.join('\n'), attachments };
}

interface GenerationConfig {
  responseMimeType?: string;
  responseSchema?: unknown;
  responseJsonSchema?: unknown;
  maxOutputTokens?: number;
}

function outputFormat(config: GenerationConfig): {
  format: OutputFormat;
  schema?: unknown;
  problem?: GeminiErrorReply;
} {
  const mime = config.responseMimeType ?? 'text/plain';
  const hasSchema = config.responseSchema !== undefined || config.responseJsonSchema !== undefined;
  if (mime === 'application/json') {
    if (config.responseJsonSchema !== undefined)
      return {
        format: { kind: 'json', schema: config.responseJsonSchema, dialect: 'json-schema' },
        schema: config.responseJsonSchema,
      };
    if (config.responseSchema !== undefined)
      return {
        format: { kind: 'json', schema: config.responseSchema, dialect: 'openapi' },
        schema: config.responseSchema,
      };
    return { format: { kind: 'json', dialect: 'json-schema' }, schema: {} };
  }
  if (mime === 'text/x.enum' && config.responseSchema !== undefined)
    return { format: { kind: 'enum', schema: config.responseSchema }, schema: config.responseSchema };
  if (hasSchema) {
    return {
      format: { kind: 'text' },
      problem: googleError(
        400,
        'INVALID_ARGUMENT',
        `* GenerateContentRequest.generation_config.response_mime_type: When response_schema is set, response_mime_type must be one of: application/json, text/x.enum. Got: ${mime}\n`,
      ),
    };
  }
  return { format: { kind: 'text' } };
}

/** The tools a request offers, by their camelCase names (the REST API also takes snake_case: google_search). */
function toolNames(tools: unknown): string[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools
    .flatMap((tool) => (tool && typeof tool === 'object' ? Object.keys(tool) : []))
    .map((name) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()));
}

type Finish = 'STOP' | 'MAX_TOKENS';

async function generate(
  engine: Engine,
  validKey: string,
  req: SandboxRequest,
  res: ServerResponse,
  apiVersion: string,
  modelId: string,
  method: 'generateContent' | 'streamGenerateContent',
): Promise<void> {
  const at = Date.now();
  let body: Record<string, unknown> | undefined;
  let badJson: string | undefined;
  try {
    const parsed = parseJsonBody(req);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    else badJson = 'Invalid JSON payload received. Expected an object.';
  } catch (e) {
    badJson = `Invalid JSON payload received. ${(e as Error).message}`;
  }
  const media = geminiMedia(body?.contents);
  const prompt = promptFromBody(body ?? {}, media.received);
  const config = ((body ?? {}).generationConfig ?? {}) as GenerationConfig;
  const { format, schema, problem: formatProblem } = outputFormat(config);
  const stream = method === 'streamGenerateContent';
  const sse = req.url.searchParams.get('alt') === 'sse';
  const tools = toolNames(body?.tools);
  // Gemini 3 models take googleSearch together with a JSON response schema (older ones refused it).
  const offersSearch = tools?.includes('googleSearch') === true;
  const call = engine.begin(
    {
      provider: 'gemini',
      model: modelId,
      prompt: promptForMatching(prompt),
      stream,
      schema,
      tools,
      searches: offersSearch ? 0 : undefined,
      attachments: media.received,
    },
    at,
  );
  const fail = (reply: GeminiErrorReply) => {
    call.status = reply.status;
    send(res, req, reply.status, reply.body);
  };

  const tooLarge = payloadProblem(req);
  if (tooLarge) return fail(tooLarge);
  const denied = authProblem(req, validKey);
  if (denied) return fail(denied);
  if (badJson !== undefined) return fail(googleError(400, 'INVALID_ARGUMENT', badJson));
  const model = GEMINI_MODELS.find((x) => x.id === modelId);
  if (!model || !model.supportedGenerationMethods.includes('generateContent'))
    return fail(modelNotFound(modelId, apiVersion, method));
  if (!Array.isArray(body?.contents) || body.contents.length === 0) {
    return fail(googleError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n'));
  }
  if (formatProblem) return fail(formatProblem);
  if (media.problem) return fail(media.problem);

  const client = new ClientWatch(res);
  const plan = engine.script.plan('gemini', prompt, format);
  if (!(await client.wait(plan.delayMs))) {
    call.aborted = true;
    return;
  }
  const fault = plan.kind === 'fault' ? plan.fault : undefined;
  if (fault === 'drop') return dropConnection(res);
  const inputTokens = promptTokens(prompt);
  if (fault !== undefined && fault !== 'safety' && fault !== 'prompt_blocked') {
    return fail(faultReply(fault, modelId, apiVersion, method, inputTokens, model.inputTokenLimit));
  }
  if (inputTokens > model.inputTokenLimit) return fail(contextTooLong(inputTokens, model.inputTokenLimit));

  const responseId = randomId('', 11);
  const promptUsage = {
    promptTokenCount: inputTokens,
    totalTokenCount: inputTokens,
    promptTokensDetails: modalityDetails(prompt),
  };
  const envelope = (fields: Record<string, unknown>) => ({ ...fields, modelVersion: modelId, responseId });

  // Blocked outcomes are 200s: the prompt itself (no candidates) or the answer (no text).
  if (plan.kind === 'fault') {
    const blocked =
      plan.fault === 'prompt_blocked'
        ? envelope({
            promptFeedback: { blockReason: 'SAFETY', safetyRatings: SAFETY_RATINGS_BLOCKED },
            usageMetadata: promptUsage,
          })
        : envelope({
            candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: SAFETY_RATINGS_BLOCKED }],
            usageMetadata: promptUsage,
          });
    if (!(await client.wait(engine.pacing.timeToFirstTokenMs))) {
      call.aborted = true;
      return;
    }
    if (stream && sse) {
      startSse(res, googleHeaders(req));
      sseEvent(res, JSON.stringify(blocked));
      res.end();
    } else send(res, req, 200, stream ? [blocked] : blocked);
    call.status = 200;
    call.inputTokens = inputTokens;
    return;
  }

  let text = plan.text;
  let finish: Finish = 'STOP';
  if (typeof config.maxOutputTokens === 'number' && countTokens(text) > config.maxOutputTokens) {
    text = truncateToTokens(text, config.maxOutputTokens);
    finish = 'MAX_TOKENS';
  }
  const outputTokens = countTokens(text);
  const fullUsage = { ...promptUsage, candidatesTokenCount: outputTokens, totalTokenCount: inputTokens + outputTokens };
  const search = offersSearch ? planWebSearch(plan.search, prompt) : undefined;
  const grounding =
    search && search.queries.length > 0 ? groundingMetadata(search, text, format.kind === 'json') : undefined;
  const candidate = (partText: string, done: boolean) => ({
    content: { parts: [{ text: partText }], role: 'model' },
    ...(done ? { finishReason: finish } : {}),
    ...(done && grounding ? { groundingMetadata: grounding } : {}),
    index: 0,
  });
  const leftEarly = () => {
    call.aborted = true;
    call.inputTokens = inputTokens;
  };
  if (search && !(await performSearches(search, engine.pacing, client, call))) return leftEarly();

  if (!stream || !sse) {
    if (!(await client.wait(engine.pacing.timeToFirstTokenMs + generationMs(outputTokens, engine.pacing))))
      return leftEarly();
    const whole = envelope({ candidates: [candidate(text, true)], usageMetadata: fullUsage });
    // Without alt=sse the stream method answers one JSON array of chunks.
    send(res, req, 200, stream ? [whole] : whole);
    call.status = 200;
    call.inputTokens = inputTokens;
    call.outputTokens = outputTokens;
    return;
  }

  startSse(res, googleHeaders(req));
  call.status = 200;
  const pieces = chunkText(text);
  if (pieces.length === 0) pieces.push('');
  let sentText = '';
  const sent = await paceOut(pieces, countTokens, engine.pacing, client, (piece, i) => {
    sentText += piece;
    const last = i === pieces.length - 1;
    sseEvent(
      res,
      JSON.stringify(envelope({ candidates: [candidate(piece, last)], usageMetadata: last ? fullUsage : promptUsage })),
    );
  });
  call.inputTokens = inputTokens;
  call.outputTokens = countTokens(sentText);
  if (sent < pieces.length || client.gone) {
    call.aborted = true;
    return;
  }
  res.end();
}

function countTokensRoute(
  validKey: string,
  req: SandboxRequest,
  res: ServerResponse,
  apiVersion: string,
  modelId: string,
): void {
  const denied = authProblem(req, validKey);
  if (denied) return send(res, req, denied.status, denied.body);
  const model = GEMINI_MODELS.find((x) => x.id === modelId);
  if (!model) {
    const reply = modelNotFound(modelId, apiVersion, 'countTokens');
    return send(res, req, reply.status, reply.body);
  }
  let body: Record<string, unknown> = {};
  try {
    body = (parseJsonBody(req) ?? {}) as Record<string, unknown>;
  } catch (e) {
    return send(
      res,
      req,
      400,
      googleError(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${(e as Error).message}`).body,
    );
  }
  const inner = (body.generateContentRequest ?? body) as Record<string, unknown>;
  const prompt = promptFromBody(inner, geminiMedia(inner.contents).received);
  send(res, req, 200, { totalTokens: promptTokens(prompt), promptTokensDetails: modalityDetails(prompt) });
}
