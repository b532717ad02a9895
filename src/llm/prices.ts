// What a call costs, estimated from a dated price table. Providers change prices; the table says
// when it was read, unknown models give no estimate rather than a wrong one, and local models are free.
import { searchesTheWeb, type EngineId } from '../shared/engines';
import { CHARS_PER_TOKEN, type Usage } from './types';
import { type CostEstimate } from '../shared/format';

/** When the prices below were taken from the providers' pricing pages. */
export const PRICES_AS_OF = '2026-11-01';

interface Price {
  /** USD per million input tokens. */
  inputPerMTok: number;
  /** USD per million output tokens. */
  outputPerMTok: number;
}

/** Longest prefix wins, so "gpt-5.5-mini" is not priced as "gpt-5.5". */
const PRICE_TABLE: Record<'openai' | 'gemini', Record<string, Price>> = {
  openai: {
    'gpt-5.5': { inputPerMTok: 1.25, outputPerMTok: 10 },
    'gpt-5.5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
    'gpt-5.5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
    'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
    'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
    'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
    'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
    'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
    'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
    'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  },
  gemini: {
    'gemini-3.8-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
    'gemini-3.7-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
    'gemini-3.6-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
    'gemini-3.5-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
    'gemini-3.5-flash-lite': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    'gemini-3.1-flash-lite': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    'gemini-3.1-pro': { inputPerMTok: 2, outputPerMTok: 12 },
  },
};

/**
 * USD per web search, from the same pages on the same day: OpenAI's web_search tool is $10 per 1,000
 * calls (the pages it reads are billed as input tokens, which the usage already counts); Gemini's
 * Google Search grounding is $14 per 1,000 queries on Gemini 3 models (a monthly free allowance is
 * not counted: the estimate errs high, never low).
 */
export const SEARCH_PRICES: Record<'openai' | 'gemini', number> = { openai: 10 / 1_000, gemini: 14 / 1_000 };

/**
 * What a batch costs against the same calls made one by one: OpenAI's Batch API and Gemini's batch mode
 * both charge half (the same pages, the same day).
 */
export const BATCH_PRICE_FACTOR = 0.5;

function isLocal(baseUrl: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

export function priceOf(engine: EngineId, model: string): Price | undefined {
  if (engine !== 'openai' && engine !== 'gemini') return undefined;
  const table = PRICE_TABLE[engine];
  const name = model.toLowerCase().replace(/^models\//, '');
  const key = Object.keys(table)
    .filter((prefix) => name === prefix || name.startsWith(`${prefix}-`))
    .toSorted((a, b) => b.length - a.length)[0];
  return key ? table[key] : undefined;
}

export function costOf(
  engine: EngineId,
  model: string,
  usage: Pick<Usage, 'inputTokens' | 'outputTokens' | 'searches'>,
  baseUrl = '',
  batch = false,
): CostEstimate {
  if (engine === 'chrome' || (engine === 'compatible' && isLocal(baseUrl))) return { usd: 0, free: true };
  const price = priceOf(engine, model);
  if (!price) return { usd: null, free: false };
  const searches = searchesTheWeb(engine) ? (usage.searches ?? 0) * SEARCH_PRICES[engine] : 0;
  const tokens = (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
  return { usd: tokens * (batch ? BATCH_PRICE_FACTOR : 1) + searches, free: false };
}

/** Before a call: the prompt's length gives the input; the caller's guess gives the output. */
export function estimateCallCost(
  engine: EngineId,
  model: string,
  promptChars: number,
  expectedOutputTokens: number,
  baseUrl = '',
  expectedSearches = 0,
  batch = false,
): CostEstimate & { inputTokens: number; outputTokens: number } {
  const inputTokens = Math.ceil(promptChars / CHARS_PER_TOKEN);
  const usage = { inputTokens, outputTokens: expectedOutputTokens, searches: expectedSearches };
  return {
    ...costOf(engine, model, usage, baseUrl, batch),
    inputTokens,
    outputTokens: expectedOutputTokens,
  };
}
