// Gemini through @google/genai, Google's current SDK (@google/generative-ai is deprecated: its
// support ended 2025-08-31).
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { InklingError, isAbortError } from '../shared/problem';
import { modelProblem, safetyProblem, timeoutProblem, toModelProblem, type ProblemContext } from './errors';
import { parseJsonAnswer } from './json';
import { LLM_TIMEOUT_MS } from './openai';
import { cleanSources, type Source } from '../shared/sources';
import { estimatedUsage, estimateTokens, type Engine, type GenerateRequest, type GenerateResult } from './types';
import { geminiConfig, geminiContents } from './gemini-request';
import { createGeminiBatch } from './gemini-batch';

/** finishReasons that mean the answer was withheld, not finished. */
const BLOCKED_FINISH_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'LANGUAGE',
]);

export interface GeminiEngineOptions {
  apiKey: string;
  model: string;
  /** Only tests change these. */
  baseUrl?: string;
  timeoutMs?: number;
}

export function createGeminiEngine(options: GeminiEngineOptions): Engine {
  // No retryOptions: the SDK then does not retry, and the scheduler (scheduler.ts) is the one layer that does.
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      timeout: options.timeoutMs ?? LLM_TIMEOUT_MS,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    },
  });
  const ctx: ProblemContext = { engine: 'gemini', model: options.model };

  function checkBlocked(chunk: GenerateContentResponse): void {
    const blockReason = chunk.promptFeedback?.blockReason;
    if (blockReason) throw new InklingError(safetyProblem(ctx, String(blockReason)));
    const finishReason = chunk.candidates?.[0]?.finishReason;
    if (finishReason && BLOCKED_FINISH_REASONS.has(String(finishReason))) {
      throw new InklingError(safetyProblem(ctx, String(finishReason)));
    }
  }

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    let text = '';
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    // With Google Search grounding: the queries it ran (each is charged) and the pages it grounded on.
    // (A stream may repeat them on later chunks: each query and page counts once.)
    const queries = new Set<string>();
    const grounded: Source[] = [];
    try {
      const stream = await ai.models.generateContentStream({
        model: options.model,
        contents: geminiContents(request),
        config: {
          ...geminiConfig(request),
          ...(request.webSearch ? { tools: [{ googleSearch: {} }] } : {}),
          ...(request.signal ? { abortSignal: request.signal } : {}),
        },
      });
      for await (const chunk of stream) {
        checkBlocked(chunk);
        if (chunk.usageMetadata) {
          inputTokens = chunk.usageMetadata.promptTokenCount ?? inputTokens;
          outputTokens =
            (chunk.usageMetadata.candidatesTokenCount ?? 0) + (chunk.usageMetadata.thoughtsTokenCount ?? 0);
        }
        const grounding = chunk.candidates?.[0]?.groundingMetadata;
        if (grounding) {
          for (const query of grounding.webSearchQueries ?? []) queries.add(query);
          for (const { web } of grounding.groundingChunks ?? [])
            if (web?.uri) grounded.push({ url: web.uri, title: web.title ?? web.domain ?? '' });
        }
        const delta = chunk.text;
        if (delta) {
          text += delta;
          request.onText?.(delta, text);
        }
      }
    } catch (error) {
      // The SDK enforces its timeout with an abort of its own: that is a timeout, not the user's Stop.
      if (isAbortError(error) && !request.signal?.aborted)
        throw new InklingError(timeoutProblem(ctx), { cause: error });
      throw new InklingError(toModelProblem(error, ctx), { cause: error });
    }
    if (request.signal?.aborted) throw new InklingError(modelProblem('aborted', 'Stopped.'));
    const result: GenerateResult = {
      text,
      model: options.model,
      usage:
        inputTokens === undefined
          ? estimatedUsage(request, text)
          : { inputTokens, outputTokens: outputTokens ?? estimateTokens(text), estimated: false },
    };
    if (request.webSearch) {
      result.usage.searches = queries.size;
      result.sources = cleanSources(grounded);
    }
    if (request.schema) result.json = parseJsonAnswer(text, ctx);
    return result;
  }

  async function listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const pager = await ai.models.list({ config: { pageSize: 100, ...(signal ? { abortSignal: signal } : {}) } });
      const ids: string[] = [];
      for await (const model of pager) {
        const canGenerate = !model.supportedActions || model.supportedActions.includes('generateContent');
        if (model.name && canGenerate) ids.push(model.name.replace(/^models\//, ''));
      }
      return ids.toSorted();
    } catch (error) {
      throw new InklingError(toModelProblem(error, ctx), { cause: error });
    }
  }

  return { id: 'gemini', model: options.model, generate, listModels, batch: createGeminiBatch(ai, options.model, ctx) };
}
