// GPT (OpenAI) and every OpenAI-compatible server (Ollama, LM Studio, OpenRouter, Groq, DeepSeek…),
// through the official SDK's Chat Completions API — the one API all of those servers speak.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError } from 'openai';
import { InklingError } from '../shared/problem';
import type { EngineId } from '../shared/engines';
import { explainUnreachableServer, modelProblem, safetyProblem, toModelProblem, type ProblemContext } from './errors';
import { parseJsonAnswer } from './json';
import { cleanSources, type Source } from '../shared/sources';
import { estimatedUsage, type Engine, type GenerateRequest, type GenerateResult, type Usage } from './types';
import { chatBody, responsesInput } from './openai-request';
import { createOpenAIBatch } from './openai-batch';

/** A model call that takes longer than this is treated as failed (long articles on slow local models). */
export const LLM_TIMEOUT_MS = 300_000;

export interface OpenAIEngineOptions {
  engine: Extract<EngineId, 'openai' | 'compatible'>;
  apiKey: string;
  model: string;
  /** Absent for OpenAI itself (tests point it at the sandbox). */
  baseURL?: string;
  timeoutMs?: number;
}

/** Usage as the provider reported it, or estimated from the text when it reported none. */
function usageOf(request: GenerateRequest, text: string, reported?: { input: number; output: number }): Usage {
  return reported
    ? { inputTokens: reported.input, outputTokens: reported.output, estimated: false }
    : estimatedUsage(request, text);
}

export function createOpenAIEngine(options: OpenAIEngineOptions): Engine {
  const client = new OpenAI({
    // Local servers take no key, but the SDK insists on one.
    apiKey: options.apiKey || 'no-key',
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    // Required in an extension service worker, which the SDK sees as a browser. Safe here: the key
    // is the user's own, held in extension storage only the background reads, and sent only to
    // the provider the user chose — never to a web page.
    dangerouslyAllowBrowser: true,
    // Retries live in one layer: the scheduler (scheduler.ts) pauses all calls of an engine on a 429.
    maxRetries: 0,
    timeout: options.timeoutMs ?? LLM_TIMEOUT_MS,
  });
  const ctx: ProblemContext = {
    engine: options.engine,
    model: options.model,
    ...(options.baseURL ? { baseUrl: options.baseURL } : {}),
  };

  async function failure(error: unknown): Promise<InklingError> {
    const problem =
      options.engine === 'compatible' &&
      options.baseURL &&
      error instanceof APIConnectionError &&
      !(error instanceof APIConnectionTimeoutError)
        ? await explainUnreachableServer(options.baseURL, ctx)
        : toModelProblem(error, ctx);
    return new InklingError(problem, { cause: error });
  }

  /**
   * With web search: the Responses API, the one that has OpenAI's web_search tool. Each search is an
   * output item of its own (counted: each is charged), and the answer's url_citation annotations are
   * its sources.
   */
  async function generateWithSearch(request: GenerateRequest): Promise<GenerateResult> {
    let text = '';
    let response: OpenAI.Responses.Response | undefined;
    try {
      const stream = await client.responses.create(
        {
          model: options.model,
          ...(request.system ? { instructions: request.system } : {}),
          input: responsesInput(request),
          tools: [{ type: 'web_search' }],
          stream: true,
          // The Responses API keeps what it is sent for 30 days unless told not to; Chat Completions does not.
          store: false,
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
          ...(request.maxOutputTokens ? { max_output_tokens: request.maxOutputTokens } : {}),
          ...(request.schema
            ? { text: { format: { type: 'json_schema', name: 'answer', schema: request.schema, strict: true } } }
            : {}),
        },
        { signal: request.signal },
      );
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') {
          text += event.delta;
          request.onText?.(event.delta, text);
        } else if (event.type === 'response.completed' || event.type === 'response.incomplete') {
          response = event.response;
          if (response.incomplete_details?.reason === 'content_filter')
            throw new InklingError(safetyProblem(ctx, 'content filter'));
        } else if (event.type === 'response.failed') {
          throw new InklingError(
            modelProblem(
              'unavailable',
              `OpenAI could not finish this answer (${event.response.error?.message ?? 'failed'}). Try again.`,
            ),
          );
        }
      }
    } catch (error) {
      if (error instanceof InklingError) throw error;
      throw await failure(error);
    }
    if (request.signal?.aborted) throw new InklingError(modelProblem('aborted', 'Stopped.'));
    // A stream that ended before the response did: its text may be cut short, its searches and sources unknown.
    if (!response) throw new InklingError(modelProblem('unavailable', 'OpenAI stopped answering part-way. Try again.'));
    const output = response.output;
    const cited: Source[] = output.flatMap((item) =>
      item.type === 'message'
        ? item.content.flatMap((part) =>
            part.type === 'output_text'
              ? part.annotations.flatMap((a) => (a.type === 'url_citation' ? [{ url: a.url, title: a.title }] : []))
              : [],
          )
        : [],
    );
    const reported = response.usage
      ? { input: response.usage.input_tokens, output: response.usage.output_tokens }
      : undefined;
    const result: GenerateResult = {
      text,
      model: options.model,
      usage: {
        ...usageOf(request, text, reported),
        searches: output.filter((item) => item.type === 'web_search_call').length,
      },
      sources: cleanSources(cited),
    };
    if (request.schema) result.json = parseJsonAnswer(text, ctx);
    return result;
  }

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    if (request.webSearch) return generateWithSearch(request);
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finishReason: string | null = null;
    try {
      const stream = await client.chat.completions.create(
        { ...chatBody(request, options.model), stream: true, stream_options: { include_usage: true } },
        { signal: request.signal },
      );
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        if (choice.finish_reason) finishReason = choice.finish_reason;
        const delta = choice.delta?.content;
        if (delta) {
          text += delta;
          request.onText?.(delta, text);
        }
      }
    } catch (error) {
      throw await failure(error);
    }
    if (finishReason === 'content_filter') throw new InklingError(safetyProblem(ctx, 'content filter'));
    if (request.signal?.aborted) throw new InklingError(modelProblem('aborted', 'Stopped.'));
    const result: GenerateResult = {
      text,
      model: options.model,
      usage: usageOf(request, text, usage && { input: usage.prompt_tokens, output: usage.completion_tokens }),
    };
    if (request.schema) result.json = parseJsonAnswer(text, ctx);
    return result;
  }

  async function listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const model of client.models.list({ signal })) ids.push(model.id);
      return ids.toSorted();
    } catch (error) {
      throw await failure(error);
    }
  }

  return {
    id: options.engine,
    model: options.model,
    generate,
    listModels,
    // OpenAI's Batch API; an OpenAI-compatible server has none.
    ...(options.engine === 'openai' ? { batch: createOpenAIBatch(client, options.model, ctx) } : {}),
  };
}
