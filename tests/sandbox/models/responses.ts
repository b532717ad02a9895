// POST /v1/responses, OpenAI's newer API, in its plain-text and structured forms (no tools,
// no reasoning items, no stored conversations). Streams use named SSE events, each with a
// `type` and a `sequence_number`, ending in response.completed (or response.incomplete).
import type { ServerResponse } from 'node:http';
import { sseEvent, sendJson, startSse } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { ClientWatch, generationMs, paceOut, randomId, unixNow } from './engine.ts';
import type { Engine } from './engine.ts';
import { strictSchemaProblem } from './schema.ts';
import { promptForMatching } from './script.ts';
import type { OutputFormat, PromptText } from './script.ts';
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
import type { Answer, ErrorReply, OpenAIFlavor } from './openai-common.ts';

interface ResponsesRequest {
  model: string;
  input: string | unknown[];
  instructions?: string | null;
  stream?: boolean;
  max_output_tokens?: number | null;
  text?: { format?: { type?: string; name?: string; schema?: unknown; strict?: boolean } } | null;
}

function promptFromInput(body: Partial<ResponsesRequest>): PromptText {
  const instructions = typeof body.instructions === 'string' ? body.instructions : undefined;
  if (typeof body.input === 'string') {
    return { system: instructions ?? '', user: body.input, all: [instructions, body.input].filter(Boolean).join('\n') };
  }
  return promptFromMessages(Array.isArray(body.input) ? body.input : [], instructions);
}

function responsesFormat(
  flavor: OpenAIFlavor,
  body: Partial<ResponsesRequest>,
  prompt: PromptText,
): { format: OutputFormat; schema?: unknown; problem?: ErrorReply } {
  const f = body.text?.format;
  if (!f || f.type === 'text' || f.type === undefined) return { format: { kind: 'text' } };
  if (f.type === 'json_object') {
    if (flavor === 'openai' && !/json/i.test(prompt.all)) {
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.",
          'invalid_request_error',
          'input',
          null,
        ),
      };
    }
    return { format: { kind: 'json', dialect: 'json-schema' }, schema: {} };
  }
  if (f.type === 'json_schema') {
    const schema = f.schema ?? {};
    if (flavor === 'openai' && typeof f.name !== 'string') {
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          "Missing required parameter: 'text.format.name'.",
          'invalid_request_error',
          'text.format.name',
          'missing_required_parameter',
        ),
      };
    }
    const problem = flavor === 'openai' && f.strict === true ? strictSchemaProblem(schema, f.name ?? '') : undefined;
    if (problem)
      return {
        format: { kind: 'text' },
        problem: openaiError(
          400,
          problem.replace('response_format', 'text.format'),
          'invalid_request_error',
          'text.format.schema',
          'invalid_json_schema',
        ),
      };
    return { format: { kind: 'json', schema, dialect: 'json-schema' }, schema };
  }
  return {
    format: { kind: 'text' },
    problem: openaiError(
      400,
      `Invalid value: '${String(f.type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`,
      'invalid_request_error',
      'text.format.type',
      'invalid_value',
    ),
  };
}

export async function handleResponses(
  engine: Engine,
  flavor: OpenAIFlavor,
  validKey: string,
  req: SandboxRequest,
  res: ServerResponse,
): Promise<void> {
  const at = Date.now();
  const { body, problem: badJson } = readJson(req);
  const r = (body ?? {}) as Partial<ResponsesRequest>;
  const prompt = promptFromInput(r);
  const { format, schema, problem: formatProblem } = responsesFormat(flavor, r, prompt);
  const stream = r.stream === true;
  const call = engine.begin(
    {
      provider: flavor,
      model: typeof r.model === 'string' ? r.model : '',
      prompt: promptForMatching(prompt),
      stream,
      schema,
    },
    at,
  );
  const fail = (reply: ErrorReply) => {
    call.status = reply.status;
    sendError(res, flavor, req, reply);
  };
  const denied = authProblem(flavor, req, validKey);
  if (denied) return fail(denied);
  if (badJson) return fail(badJson);
  if (typeof r.model !== 'string' || r.model === '')
    return fail(
      openaiError(
        400,
        "Missing required parameter: 'model'.",
        'invalid_request_error',
        'model',
        'missing_required_parameter',
      ),
    );
  if (r.input === undefined)
    return fail(
      openaiError(
        400,
        "Missing required parameter: 'input'.",
        'invalid_request_error',
        'input',
        'missing_required_parameter',
      ),
    );
  const model = findModel(flavor, r.model);
  if (!model || !model.chat) return fail(modelNotFound(flavor, r.model));
  if (formatProblem) return fail(formatProblem);

  const maxTokens = typeof r.max_output_tokens === 'number' ? r.max_output_tokens : undefined;
  const client = new ClientWatch(res);
  const answer = await runModel(engine, flavor, req, res, call, client, model, prompt, format, maxTokens);
  if (!answer) return;

  const responseId = randomId('resp_', 24);
  const itemId = randomId('msg_', 24);
  const createdAt = unixNow();
  const envelope = (status: string, text: string | undefined, a: Answer | undefined) => ({
    id: responseId,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details:
      a && a.finish !== 'stop' ? { reason: a.finish === 'length' ? 'max_output_tokens' : 'content_filter' } : null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: r.model,
    output: text === undefined ? [] : [messageItem(itemId, 'completed', text)],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: r.text ?? { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: a
      ? {
          input_tokens: a.inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: a.outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: a.inputTokens + a.outputTokens,
        }
      : null,
    user: null,
    metadata: {},
  });
  const finalStatus = answer.finish === 'stop' ? 'completed' : 'incomplete';

  if (!stream) {
    if (!(await client.wait(engine.pacing.timeToFirstTokenMs + generationMs(answer.outputTokens, engine.pacing)))) {
      return settle(call, 200, answer.inputTokens, 0, true);
    }
    sendJson(res, 200, envelope(finalStatus, answer.text, answer), openaiHeaders(flavor, req));
    return settle(call, 200, answer.inputTokens, answer.outputTokens, false);
  }

  let sequence = 0;
  const emit = (type: string, fields: Record<string, unknown>) =>
    sseEvent(res, JSON.stringify({ type, sequence_number: sequence++, ...fields }), type);
  startSse(res, openaiHeaders(flavor, req));
  call.status = 200;
  emit('response.created', { response: envelope('in_progress', undefined, undefined) });
  emit('response.in_progress', { response: envelope('in_progress', undefined, undefined) });
  emit('response.output_item.added', {
    output_index: 0,
    item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  });
  emit('response.content_part.added', {
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
  });
  const pieces = chunkText(answer.text);
  let sentText = '';
  const sent = await paceOut(pieces, countTokens, engine.pacing, client, (piece) => {
    sentText += piece;
    emit('response.output_text.delta', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta: piece,
      logprobs: [],
    });
  });
  if (sent < pieces.length || client.gone) return settle(call, 200, answer.inputTokens, countTokens(sentText), true);
  const part = { type: 'output_text', annotations: [], logprobs: [], text: answer.text };
  emit('response.output_text.done', {
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    text: answer.text,
    logprobs: [],
  });
  emit('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part });
  emit('response.output_item.done', { output_index: 0, item: messageItem(itemId, 'completed', answer.text) });
  emit(finalStatus === 'completed' ? 'response.completed' : 'response.incomplete', {
    response: envelope(finalStatus, answer.text, answer),
  });
  res.end();
  settle(call, 200, answer.inputTokens, answer.outputTokens, false);
}

function messageItem(id: string, status: string, text: string): Record<string, unknown> {
  return {
    id,
    type: 'message',
    status,
    content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
    role: 'assistant',
  };
}
