// POST /v1/responses, OpenAI's newer API, in its plain-text and structured forms, with the hosted
// web_search tool (no function tools, reasoning items or stored conversations). A search is a
// `web_search_call` output item before the message, whose text carries `url_citation` annotations
// (see search.ts for what is found and cited). Streams use named SSE events, each with a `type` and
// a `sequence_number`, ending in response.completed (or response.incomplete).
import type { ServerResponse } from 'node:http';
import { sseEvent, sendJson, startSse } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { ClientWatch, generationMs, paceOut, randomId, unixNow } from './engine.ts';
import type { Engine } from './engine.ts';
import { WEB_SEARCH_TOOLS, promptFromInput, responsesFormat, toolTypes } from './responses-request.ts';
import type { ResponsesRequest } from './responses-request.ts';
import { openaiMedia, payloadProblem, visionProblem } from './openai-media.ts';
import { promptForMatching } from './script.ts';
import type { WebSource } from './script.ts';
import { NO_SEARCH, citeSources, performSearches, planWebSearch } from './search.ts';
import type { WebSearch } from './search.ts';
import { chunkText, countTokens } from './tokens.ts';
import {
  authProblem,
  findModel,
  modelNotFound,
  openaiError,
  openaiHeaders,
  readJson,
  runModel,
  sendError,
  settle,
} from './openai-common.ts';
import type { Answer, ErrorReply, OpenAIFlavor } from './openai-common.ts';

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
  const media = openaiMedia(flavor, 'responses', Array.isArray(r.input) ? r.input : []);
  const prompt = { ...promptFromInput(r), attachments: media.received };
  const { format, schema, problem: formatProblem } = responsesFormat(flavor, r, prompt);
  const stream = r.stream === true;
  const tools = toolTypes(r.tools);
  const searchTool = tools?.find((type) => WEB_SEARCH_TOOLS.has(type));
  // Only api.openai.com hosts the search tool; a compatible server refuses it (below).
  const offersSearch = searchTool !== undefined && flavor === 'openai';
  const call = engine.begin(
    {
      provider: flavor,
      model: typeof r.model === 'string' ? r.model : '',
      prompt: promptForMatching(prompt),
      stream,
      schema,
      tools,
      searches: offersSearch ? 0 : undefined,
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
  if (searchTool !== undefined && !offersSearch)
    return fail(openaiError(400, `tool type '${searchTool}' is not supported`, 'invalid_request_error', 'tools', null));
  const model = findModel(flavor, r.model);
  if (!model || !model.chat) return fail(modelNotFound(flavor, r.model));
  if (formatProblem) return fail(formatProblem);
  const mediaProblem = media.problem ?? visionProblem(flavor, model.id, media.received);
  if (mediaProblem) return fail(mediaProblem);

  const maxTokens = typeof r.max_output_tokens === 'number' ? r.max_output_tokens : undefined;
  const client = new ClientWatch(res);
  const answer = await runModel(engine, flavor, req, res, call, client, model, prompt, format, maxTokens);
  if (!answer) return;

  const search = offersSearch ? planWebSearch(answer.search, prompt) : NO_SEARCH;
  const searchIds = search.queries.map(() => randomId('ws_', 24));
  const shownSources = Array.isArray(r.include) && r.include.includes('web_search_call.action.sources');
  const searchItem = (i: number) =>
    webSearchCallItem(searchIds[i] ?? '', search.queries[i] ?? '', shownSources ? search.sources : undefined);
  const annotations = urlCitations(answer.text, search, format.kind === 'json');
  // The searches come first in `output`, then the message.
  const messageIndex = search.queries.length;
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
    output:
      text === undefined
        ? []
        : [...search.queries.map((_, i) => searchItem(i)), messageItem(itemId, 'completed', text, annotations)],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: r.text ?? { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: Array.isArray(r.tools) ? r.tools : [],
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
    const answered =
      (await performSearches(search, engine.pacing, client, call)) &&
      (await client.wait(engine.pacing.timeToFirstTokenMs + generationMs(answer.outputTokens, engine.pacing)));
    if (!answered) return settle(call, 200, answer.inputTokens, 0, true);
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
  const searched = await performSearches(search, engine.pacing, client, call, {
    started: (i) => {
      const item = { id: searchIds[i], type: 'web_search_call', status: 'in_progress', action: { type: 'search' } };
      emit('response.output_item.added', { output_index: i, item });
      emit('response.web_search_call.in_progress', { output_index: i, item_id: item.id });
      emit('response.web_search_call.searching', { output_index: i, item_id: item.id });
    },
    finished: (i) => {
      emit('response.web_search_call.completed', { output_index: i, item_id: searchIds[i] });
      emit('response.output_item.done', { output_index: i, item: searchItem(i) });
    },
  });
  if (!searched) return settle(call, 200, answer.inputTokens, 0, true);
  /** Where the text events point: the message's only content part. */
  const textPart = { item_id: itemId, output_index: messageIndex, content_index: 0 };
  emit('response.output_item.added', {
    output_index: messageIndex,
    item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  });
  emit('response.content_part.added', {
    ...textPart,
    part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
  });
  const pieces = chunkText(answer.text);
  let sentText = '';
  const sent = await paceOut(pieces, countTokens, engine.pacing, client, (piece) => {
    sentText += piece;
    emit('response.output_text.delta', { ...textPart, delta: piece, logprobs: [] });
  });
  if (sent < pieces.length || client.gone) return settle(call, 200, answer.inputTokens, countTokens(sentText), true);
  annotations.forEach((annotation, annotationIndex) =>
    emit('response.output_text.annotation.added', { ...textPart, annotation_index: annotationIndex, annotation }),
  );
  const part = { type: 'output_text', annotations, logprobs: [], text: answer.text };
  emit('response.output_text.done', { ...textPart, text: answer.text, logprobs: [] });
  emit('response.content_part.done', { ...textPart, part });
  emit('response.output_item.done', {
    output_index: messageIndex,
    item: messageItem(itemId, 'completed', answer.text, annotations),
  });
  emit(finalStatus === 'completed' ? 'response.completed' : 'response.incomplete', {
    response: envelope(finalStatus, answer.text, answer),
  });
  res.end();
  settle(call, 200, answer.inputTokens, answer.outputTokens, false);
}

function messageItem(id: string, status: string, text: string, annotations: UrlCitation[]): Record<string, unknown> {
  return {
    id,
    type: 'message',
    status,
    content: [{ type: 'output_text', annotations, logprobs: [], text }],
    role: 'assistant',
  };
}

/** A finished search; its `sources` only when the request's `include` asks for them. */
function webSearchCallItem(id: string, query: string, sources: WebSource[] | undefined): Record<string, unknown> {
  return {
    id,
    type: 'web_search_call',
    status: 'completed',
    action: {
      type: 'search',
      // `query` is the older (now deprecated) field; the SDK's types also name `queries`.
      query,
      queries: [query],
      ...(sources ? { sources: sources.map((source) => ({ type: 'url', url: source.url })) } : {}),
    },
  };
}

interface UrlCitation {
  type: 'url_citation';
  /** Offsets into the output text, in code points (as the service's Python counts), end exclusive. */
  start_index: number;
  end_index: number;
  url: string;
  title: string;
}

function urlCitations(text: string, search: WebSearch, json: boolean): UrlCitation[] {
  return citeSources(text, search.sources.length, json).flatMap(({ start, end, source }) => {
    const cited = search.sources[source];
    return cited
      ? [
          {
            type: 'url_citation' as const,
            start_index: start,
            end_index: end,
            url: withUtmSource(cited.url),
            title: cited.title,
          },
        ]
      : [];
  });
}

/** OpenAI tags the links it cites with utm_source=openai (before any #fragment), unless already tagged. */
function withUtmSource(url: string): string {
  if (/[?&]utm_source=/.test(url)) return url;
  const fragmentAt = url.includes('#') ? url.indexOf('#') : url.length;
  const base = url.slice(0, fragmentAt);
  return `${base}${base.includes('?') ? '&' : '?'}utm_source=openai${url.slice(fragmentAt)}`;
}
