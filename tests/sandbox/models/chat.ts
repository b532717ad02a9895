// POST /v1/chat/completions: the most portable call, served by OpenAI and every compatible server.
// Streams are `data: {chunk}` events: a role chunk, content deltas, a finish_reason chunk, with
// stream_options.include_usage a final `choices: []` chunk carrying usage, then `data: [DONE]`.
import type { ServerResponse } from 'node:http';
import { sendJson, sseEvent, startSse } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { ClientWatch, generationMs, paceOut, randomId, unixNow } from './engine.ts';
import type { Engine } from './engine.ts';
import { chatFormat } from './chat-format.ts';
import { openaiMedia, payloadProblem, visionProblem } from './openai-media.ts';
import { promptForMatching } from './script.ts';
import { chunkText, countTokens } from './tokens.ts';
import {
  authProblem,
  findModel,
  modelNotFound,
  openaiError,
  openaiHeaders,
  promptFromMessages,
  readJson,
  runModel,
  sendError,
  settle,
} from './openai-common.ts';
import type { ErrorReply, OpenAIFlavor } from './openai-common.ts';

interface ChatRequest {
  model: string;
  messages?: unknown[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
}

export async function chatCompletions(
  engine: Engine,
  flavor: OpenAIFlavor,
  validKey: string,
  req: SandboxRequest,
  res: ServerResponse,
): Promise<void> {
  const at = Date.now();
  const { body, problem: badJson } = readJson(req);
  const chat = (body ?? {}) as Partial<ChatRequest>;
  const messages = Array.isArray(chat.messages) ? chat.messages : [];
  const media = openaiMedia(flavor, 'chat', messages);
  const prompt = { ...promptFromMessages(messages), attachments: media.received };
  const { format, schema, problem: formatProblem } = chatFormat(flavor, body ?? {}, prompt);
  const stream = chat.stream === true;
  const call = engine.begin(
    {
      provider: flavor,
      model: typeof chat.model === 'string' ? chat.model : '',
      prompt: promptForMatching(prompt),
      stream,
      schema,
      attachments: media.received,
    },
    at,
  );
  const fail = (reply: ErrorReply) => {
    call.status = reply.status;
    sendError(res, flavor, req, reply);
  };

  const tooLarge = payloadProblem(flavor, req);
  if (tooLarge) return fail(tooLarge);
  const denied = authProblem(flavor, req, validKey);
  if (denied) return fail(denied);
  if (badJson) return fail(badJson);
  if (typeof chat.model !== 'string' || chat.model === '')
    return fail(openaiError(400, 'you must provide a model parameter', 'invalid_request_error', null, null));
  if (!Array.isArray(chat.messages))
    return fail(
      openaiError(
        400,
        "Missing required parameter: 'messages'.",
        'invalid_request_error',
        'messages',
        'missing_required_parameter',
      ),
    );
  if (chat.messages.length === 0) {
    return fail(
      openaiError(
        400,
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'invalid_request_error',
        'messages',
        'empty_array',
      ),
    );
  }
  const model = findModel(flavor, chat.model);
  if (!model) return fail(modelNotFound(flavor, chat.model));
  if (!model.chat) {
    return fail(
      openaiError(
        404,
        'This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?',
        'invalid_request_error',
        'model',
        null,
      ),
    );
  }
  if (flavor === 'openai' && model.reasoning && typeof chat.max_tokens === 'number') {
    return fail(
      openaiError(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'invalid_request_error',
        'max_tokens',
        'unsupported_parameter',
      ),
    );
  }
  if (formatProblem) return fail(formatProblem);
  const mediaProblem = media.problem ?? visionProblem(flavor, model.id, media.received);
  if (mediaProblem) return fail(mediaProblem);

  const maxTokens =
    typeof chat.max_completion_tokens === 'number'
      ? chat.max_completion_tokens
      : typeof chat.max_tokens === 'number'
        ? chat.max_tokens
        : undefined;
  const client = new ClientWatch(res);
  const answer = await runModel(engine, flavor, req, res, call, client, model, prompt, format, maxTokens);
  if (!answer) return;

  const id = randomId('chatcmpl-');
  const created = unixNow();
  const usage = usageObject(flavor, answer.inputTokens, answer.outputTokens);
  const base = {
    id,
    created,
    model: chat.model,
    ...(flavor === 'openai'
      ? { service_tier: 'default', system_fingerprint: null }
      : { system_fingerprint: 'fp_ollama' }),
  };

  if (!stream) {
    if (!(await client.wait(engine.pacing.timeToFirstTokenMs + generationMs(answer.outputTokens, engine.pacing)))) {
      return settle(call, 200, answer.inputTokens, 0, true);
    }
    const content = answer.finish === 'content_filter' ? null : answer.text;
    sendJson(
      res,
      200,
      {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: answer.finish,
          },
        ],
        usage,
      },
      openaiHeaders(flavor, req),
    );
    return settle(call, 200, answer.inputTokens, answer.outputTokens, false);
  }

  const includeUsage = chat.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      ...base,
      object: 'chat.completion.chunk',
      choices,
      ...(includeUsage ? { usage: null } : {}),
      // api.openai.com pads deltas with random characters against length side channels.
      ...(flavor === 'openai' ? { obfuscation: randomId('', 4) } : {}),
      ...extra,
    });
  startSse(res, openaiHeaders(flavor, req));
  call.status = 200;
  sseEvent(
    res,
    chunk([
      { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
    ]),
  );
  const pieces = chunkText(answer.text);
  let sentText = '';
  const sent = await paceOut(pieces, countTokens, engine.pacing, client, (piece) => {
    sentText += piece;
    sseEvent(res, chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
  });
  if (sent < pieces.length || client.gone) return settle(call, 200, answer.inputTokens, countTokens(sentText), true);
  sseEvent(res, chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: answer.finish }]));
  if (includeUsage) {
    const { obfuscation: _o, ...last } = JSON.parse(chunk([])) as Record<string, unknown>;
    sseEvent(res, JSON.stringify({ ...last, usage }));
  }
  sseEvent(res, '[DONE]');
  res.end();
  settle(call, 200, answer.inputTokens, answer.outputTokens, false);
}

function usageObject(flavor: OpenAIFlavor, input: number, output: number): Record<string, unknown> {
  const totals = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  if (flavor === 'compatible') return totals;
  return {
    ...totals,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
