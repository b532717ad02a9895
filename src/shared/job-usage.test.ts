// A run's usage, added up call by call: an unknown price makes the total unknown rather than too low.
import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE, addUsage } from './job';

describe('addUsage', () => {
  it('adds tokens, cost and calls', () => {
    const a = { inputTokens: 1_200, outputTokens: 300, costUsd: 0.0015, calls: 2 };
    const b = { inputTokens: 800, outputTokens: 100, costUsd: 0.0005, calls: 1 };
    const sum = addUsage(a, b);
    expect(sum).toEqual({ inputTokens: 2_000, outputTokens: 400, costUsd: expect.closeTo(0.002, 12), calls: 3 });
    expect(addUsage(EMPTY_USAGE, a)).toEqual(a);
  });

  it('makes the cost unknown when either side’s is', () => {
    const priced = { inputTokens: 10, outputTokens: 5, costUsd: 0.01, calls: 1 };
    const unpriced = { inputTokens: 20, outputTokens: 5, costUsd: null, calls: 1 };
    expect(addUsage(priced, unpriced)).toEqual({ inputTokens: 30, outputTokens: 10, costUsd: null, calls: 2 });
    expect(addUsage(unpriced, priced).costUsd).toBeNull();
    // And it stays unknown as calls keep coming.
    expect(addUsage(addUsage(priced, unpriced), priced).costUsd).toBeNull();
  });
});
