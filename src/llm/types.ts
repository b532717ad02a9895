// The one interface every engine implements. Nothing outside src/llm/ imports a model SDK.
import type { EngineId } from '../shared/engines';
import type { Attachment } from '../shared/attachments';
import type { Problem } from '../shared/problem';

/** A JSON Schema object (the subset all engines accept: object, string, number, integer, boolean, array, enum). */
export type JsonSchema = Record<string, unknown>;

export interface GenerateRequest {
  system?: string;
  prompt: string;
  /** When given, the answer is JSON following this schema and the result's `json` holds it, parsed. */
  schema?: JsonSchema;
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Let the model search the web (OpenAI's web_search tool, Gemini's Google Search grounding). */
  webSearch?: boolean;
  /** Images and PDFs sent with the prompt, of the types the engine takes (shared/attachments.ts). */
  attachments?: readonly Attachment[];
  /** Called as text streams in: the new piece and everything so far. */
  onText?: (delta: string, soFar: string) => void;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported no usage and it was estimated from the text. */
  estimated: boolean;
  /** Web searches the call made (each is charged on top of the tokens); absent without web search. */
  searches?: number;
}

import type { Source } from '../shared/sources';

export type { Source };

export interface GenerateResult {
  text: string;
  /** The parsed answer when a schema was given. */
  json?: unknown;
  usage: Usage;
  model: string;
  /** The pages a web-searching answer cites, each once, in the order cited. */
  sources?: Source[];
}

export interface Engine {
  readonly id: EngineId;
  readonly model: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Model ids the provider offers (its models endpoint), for the Model list and as a cheap key check. */
  listModels(signal?: AbortSignal): Promise<string[]>;
  /** The provider's batch API ("Slow and cheap (batch)"), where it has one. */
  batch?: BatchEngine;
}

/** Characters per token, the usual rule of thumb for English text; used only for estimates. */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** A guess at an image's or a PDF's input tokens: for the estimate, and when a provider reports no usage. */
export const ATTACHMENT_GUESS_TOKENS = 1_000;

/** Usage guessed from the text (and the files sent), for a provider that reported none. */
export function estimatedUsage(request: GenerateRequest, text: string): Usage {
  return {
    inputTokens:
      estimateTokens((request.system ?? '') + request.prompt) +
      (request.attachments?.length ?? 0) * ATTACHMENT_GUESS_TOKENS,
    outputTokens: estimateTokens(text),
    estimated: true,
  };
}

// ---- Batch runs ("Slow and cheap (batch)"): many requests sent at once to a provider's batch API,
// answered within its window (OpenAI: 24 hours; Gemini: 48) at about half the price — one interface for
// both providers (openai-batch.ts, gemini-batch.ts). The run that uses it keeps the batch's id, so a
// worker that stops, or a browser that restarts, picks the same batch up again and never submits it
// twice (`find` by its label).

/** One request of a batch, under a key of the caller's (a row's id). Streaming and signals do not apply. */
export interface BatchItem {
  key: string;
  request: Omit<GenerateRequest, 'signal' | 'onText' | 'webSearch'>;
}

/** `running` until the provider has finished with it: `done` (each answer or failure known), or ended early. */
export type BatchState = 'running' | 'done' | 'expired' | 'cancelled' | 'failed';

export interface BatchStatus {
  state: BatchState;
  /** Requests answered and failed so far, where the provider says (OpenAI does; Gemini does not). */
  counts?: { total: number; done: number; failed: number };
  /** Why the whole batch failed (a malformed input, say). */
  problem?: Problem;
}

/** What a batch gave one request: its text and usage, or why it has none. */
export type BatchAnswer = { key: string } & ({ text: string; usage: Usage } | { problem: Problem });

export interface BatchEngine {
  /** Submits the requests as one batch labelled `label` (the job's id); returns the batch's id. */
  submit(items: readonly BatchItem[], label: string, signal?: AbortSignal): Promise<string>;
  /** The id of a batch already submitted under `label`, if the provider has one (a submit cut off before its id was kept). */
  find(label: string, signal?: AbortSignal): Promise<string | undefined>;
  status(id: string, signal?: AbortSignal): Promise<BatchStatus>;
  /**
   * Once it is no longer running: the answer or failure of each of `keys` (the requests submitted),
   * one that expired or was never reached saying so.
   */
  answers(id: string, keys: readonly string[], signal?: AbortSignal): Promise<BatchAnswer[]>;
  cancel(id: string): Promise<void>;
}
