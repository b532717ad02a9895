import { describe, expect, it } from 'vitest';
import { BATCH_PRICE_FACTOR, costOf, estimateCallCost, priceOf, PRICES_AS_OF, SEARCH_PRICES } from './prices';
import { formatCost } from '../shared/format';

describe('prices', () => {
  it('is dated', () => expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/));

  it('matches the longest model prefix', () => {
    expect(priceOf('openai', 'gpt-5.5-mini')).toEqual({ inputPerMTok: 0.25, outputPerMTok: 2 });
    expect(priceOf('openai', 'gpt-5.5')).toEqual({ inputPerMTok: 1.25, outputPerMTok: 10 });
    expect(priceOf('openai', 'gpt-5.5-2026-08-01')).toEqual({ inputPerMTok: 1.25, outputPerMTok: 10 });
    expect(priceOf('gemini', 'models/gemini-3.5-flash-lite')).toEqual({ inputPerMTok: 0.1, outputPerMTok: 0.4 });
    expect(priceOf('openai', 'gpt-5.55')).toBeUndefined();
  });

  it('adds each web search at its provider’s price, and an estimate counts the searches it expects', () => {
    const tokens = { inputTokens: 1_000_000, outputTokens: 500_000 };
    expect(costOf('openai', 'gpt-5.5-mini', { ...tokens, searches: 100 }).usd).toBeCloseTo(
      1.25 + 100 * SEARCH_PRICES.openai,
    );
    expect(costOf('gemini', 'gemini-3.8-flash', { inputTokens: 0, outputTokens: 0, searches: 1_000 }).usd).toBeCloseTo(
      14,
    );
    expect(estimateCallCost('openai', 'gpt-5.5-mini', 0, 0, '', 3).usd).toBeCloseTo(0.03);
    // A local server has no search to charge for, and no price.
    expect(costOf('compatible', 'llama3.2', { ...tokens, searches: 5 }, 'http://localhost:11434/v1').usd).toBe(0);
  });

  it('charges a batch half the tokens’ price, and its searches in full', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, searches: 2 };
    const now = costOf('openai', 'gpt-5.5-mini', usage).usd!;
    const batched = costOf('openai', 'gpt-5.5-mini', usage, '', true).usd!;
    expect(batched).toBeCloseTo((now - 2 * SEARCH_PRICES.openai) * BATCH_PRICE_FACTOR + 2 * SEARCH_PRICES.openai, 10);
    expect(BATCH_PRICE_FACTOR).toBe(0.5);
    expect(costOf('gemini', 'unknown-model', usage, '', true).usd).toBeNull();
  });

  it('turns usage into dollars', () => {
    expect(costOf('openai', 'gpt-5.5-mini', { inputTokens: 1_000_000, outputTokens: 500_000 }).usd).toBeCloseTo(1.25);
  });

  it('makes local and on-device models free, and unknown ones unknown rather than wrong', () => {
    expect(
      costOf('compatible', 'llama3.2', { inputTokens: 10, outputTokens: 10 }, 'http://localhost:11434/v1'),
    ).toEqual({ usd: 0, free: true });
    expect(costOf('chrome', 'gemini-nano', { inputTokens: 10, outputTokens: 10 })).toEqual({ usd: 0, free: true });
    expect(
      costOf('compatible', 'meta/llama', { inputTokens: 10, outputTokens: 10 }, 'https://openrouter.ai/api/v1').usd,
    ).toBeNull();
    expect(costOf('openai', 'my-finetune', { inputTokens: 10, outputTokens: 10 }).usd).toBeNull();
  });

  it('estimates before a call from the prompt’s length', () => {
    const estimate = estimateCallCost('gemini', 'gemini-3.8-flash', 4_000, 500);
    expect(estimate.inputTokens).toBe(1_000);
    expect(estimate.usd).toBeCloseTo((1_000 * 0.3 + 500 * 2.5) / 1_000_000);
  });

  it('formats for people', () => {
    expect(formatCost({ usd: 0.01234, free: false })).toBe('$0.0123');
    expect(formatCost({ usd: 12.5, free: false })).toBe('$12.50');
    expect(formatCost({ usd: 0.00001, free: false })).toBe('< $0.0001');
    expect(formatCost({ usd: 0, free: true })).toBe('free');
    expect(formatCost({ usd: null, free: false })).toBe('unknown');
  });
});
