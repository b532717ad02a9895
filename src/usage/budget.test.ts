import { describe, expect, it } from 'vitest';
import { checkBudget } from './budget';
import { groupBy, spentThisMonth, total, type UsageEntry } from '../shared/usage';

const entry = (day: string, costUsd: number, extra: Partial<UsageEntry> = {}): UsageEntry => ({
  day,
  engine: 'openai',
  model: 'gpt-5.5-mini',
  connectionId: 'c',
  runs: 1,
  calls: 2,
  inputTokens: 100,
  outputTokens: 50,
  costUsd,
  unpricedCalls: 0,
  ...extra,
});

describe('budget', () => {
  it('has nothing to say without a budget, or within it', () => {
    expect(checkBudget({ limitUsd: null, spentUsd: 100 }, 5, false)).toBeUndefined();
    expect(checkBudget({ limitUsd: 10, spentUsd: 2 }, 5, false)).toBeUndefined();
  });
  it('asks first when a run would pass it, unless confirmed', () => {
    expect(checkBudget({ limitUsd: 10, spentUsd: 8 }, 5, false)?.kind).toBe('budget_confirm');
    expect(checkBudget({ limitUsd: 10, spentUsd: 8 }, 5, true)).toBeUndefined();
  });
  it('stops when it is already spent, confirmed or not', () => {
    const problem = checkBudget({ limitUsd: 10, spentUsd: 10 }, 0, true);
    expect(problem?.kind).toBe('budget');
    expect(problem?.message).toContain('monthly budget of $10.00 is used up');
  });
});

describe('ledger sums', () => {
  const entries = [
    entry('2026-11-01', 1),
    entry('2026-11-20', 2, { engine: 'gemini', model: 'gemini-3.8-flash' }),
    entry('2026-10-31', 4),
  ];
  it('totals, and this month only', () => {
    expect(total(entries)).toMatchObject({ runs: 3, calls: 6, inputTokens: 300, outputTokens: 150, costUsd: 7 });
    expect(spentThisMonth(entries, new Date(2026, 10, 22).getTime())).toBe(3);
  });
  it('groups by engine, largest cost first', () => {
    expect(groupBy(entries, (e) => e.engine).map((g) => [g.key, g.totals.costUsd])).toEqual([
      ['openai', 5],
      ['gemini', 2],
    ]);
  });
});
