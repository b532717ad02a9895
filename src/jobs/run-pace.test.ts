import { describe, expect, it } from 'vitest';
import {
  callsInFlight,
  PACK_ANSWER_TOKENS,
  PACK_MAX_ROWS,
  PACK_PROMPT_TOKENS,
  packsOf,
  readAheadRows,
  rowsPerCall,
  rowsPerCallFor,
  WRITE_BUFFER_ROWS,
} from './run-pace';

const HOSTED = { concurrency: 16, requestsPerMinute: 500 };

describe('callsInFlight: Little’s law against Notion’s three writes a second', () => {
  it('starts as wide as the engine allows, before any latency is known', () => {
    expect(callsInFlight(undefined, HOSTED)).toBe(16);
    expect(callsInFlight(undefined, { concurrency: 1, requestsPerMinute: 0 })).toBe(1);
  });

  it('keeps 3·W calls in flight, with headroom, and follows the latency up and down', () => {
    // 1.5 s: 4.5 calls needed → 5.625 → 6, and one more.
    expect(callsInFlight(1_500, HOSTED)).toBe(7);
    expect(callsInFlight(3_000, HOSTED)).toBe(13);
    expect(callsInFlight(300, HOSTED)).toBe(3);
    expect(callsInFlight(3_000, HOSTED)).toBeGreaterThan(callsInFlight(1_500, HOSTED));
  });

  it('never goes past the engine’s preset', () => {
    expect(callsInFlight(10_000, HOSTED)).toBe(16);
    expect(callsInFlight(10_000, { concurrency: 2, requestsPerMinute: 15 })).toBe(2);
  });

  it('reads ahead the rows being answered and two seconds of writes', () => {
    expect(readAheadRows(7)).toBe(7 + WRITE_BUFFER_ROWS);
    expect(WRITE_BUFFER_ROWS).toBe(6);
  });
});

describe('rowsPerCall: packing only when the model’s requests a minute bound the run', () => {
  it('is one row a call when Notion is the limit, or the engine has no requests-a-minute limit', () => {
    expect(rowsPerCall(HOSTED)).toBe(1);
    expect(rowsPerCall({ concurrency: 16, requestsPerMinute: 180 })).toBe(1);
    expect(rowsPerCall({ concurrency: 1, requestsPerMinute: 0 })).toBe(1);
  });

  it('is one row a call when the user turned packing off, whatever the engine', () => {
    expect(rowsPerCallFor({ packRows: false }, { concurrency: 2, requestsPerMinute: 15 })).toBe(1);
    expect(rowsPerCallFor({}, { concurrency: 2, requestsPerMinute: 15 })).toBe(15);
    expect(rowsPerCallFor({ packRows: true }, HOSTED)).toBe(1);
    // A web search serves one row: its answer keeps its own sources.
    expect(rowsPerCallFor({ webSearch: true }, { concurrency: 2, requestsPerMinute: 15 })).toBe(1);
  });

  it('packs enough rows to keep up with Notion at the engine’s rate', () => {
    // 15 a minute = 0.25 calls/s; 3 writes/s need 12 rows a call, 15 with headroom.
    expect(rowsPerCall({ concurrency: 2, requestsPerMinute: 15 })).toBe(15);
    expect(rowsPerCall({ concurrency: 2, requestsPerMinute: 60 })).toBe(4);
    expect(rowsPerCall({ concurrency: 1, requestsPerMinute: 3 })).toBe(PACK_MAX_ROWS);
  });
});

const small = () => ({ promptTokens: 20, answerTokens: 150 });

describe('packsOf', () => {
  it('cuts rows into packs of at most perCall, in order', () => {
    expect(packsOf([1, 2, 3, 4, 5], 2, small)).toEqual([[1, 2], [3, 4], [5]]);
    expect(packsOf([1, 2, 3], 1, small)).toEqual([[1], [2], [3]]);
    expect(packsOf([], 5, small)).toEqual([]);
  });

  it('keeps each pack within the prompt and answer budgets; a row too big for any pack goes alone', () => {
    const sizes = new Map([
      [1, { promptTokens: PACK_PROMPT_TOKENS / 2, answerTokens: 10 }],
      [2, { promptTokens: PACK_PROMPT_TOKENS / 2 + 1, answerTokens: 10 }],
      [3, { promptTokens: PACK_PROMPT_TOKENS * 2, answerTokens: 10 }],
      [4, { promptTokens: 10, answerTokens: PACK_ANSWER_TOKENS }],
      [5, { promptTokens: 10, answerTokens: 1 }],
    ]);
    expect(packsOf([1, 2, 3, 4, 5], 25, (n) => sizes.get(n)!)).toEqual([[1], [2], [3], [4], [5]]);
  });
});
