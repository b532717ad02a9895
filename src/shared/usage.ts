// Usage records as they are stored and added up: per day, engine, model and connection. Pure: the
// ledger that writes them is src/usage/ledger.ts; the Usage tab and the budget read them.
import type { EngineId } from './engines';

export interface UsageEntry {
  /** YYYY-MM-DD, local time. */
  day: string;
  engine: EngineId;
  model: string;
  /** The connection the calls were made for ("" for calls outside a run, such as Preview). */
  connectionId: string;
  runs: number;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** USD; calls whose model has no known price add nothing here and are counted in unpricedCalls. */
  costUsd: number;
  unpricedCalls: number;
  /** Web searches the calls made (their price is in costUsd); absent on entries without any. */
  searches?: number;
}

export interface UsageAddition {
  engine: EngineId;
  model: string;
  connectionId: string;
  runs?: number;
  calls?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number | null;
  searches?: number;
}

export function dayOf(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface UsageTotals {
  runs: number;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  unpricedCalls: number;
  searches: number;
}

/** Nothing used yet: what a day's entry and a sum start from. */
export const NO_USAGE: UsageTotals = {
  runs: 0,
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  unpricedCalls: 0,
  searches: 0,
};

export function total(entries: readonly UsageEntry[]): UsageTotals {
  return entries.reduce(
    (sum, e) => ({
      runs: sum.runs + e.runs,
      calls: sum.calls + e.calls,
      inputTokens: sum.inputTokens + e.inputTokens,
      outputTokens: sum.outputTokens + e.outputTokens,
      costUsd: sum.costUsd + e.costUsd,
      unpricedCalls: sum.unpricedCalls + e.unpricedCalls,
      searches: sum.searches + (e.searches ?? 0),
    }),
    NO_USAGE,
  );
}

/** Totals grouped by a key, largest cost first. */
export function groupBy(
  entries: readonly UsageEntry[],
  key: (e: UsageEntry) => string,
): Array<{ key: string; totals: UsageTotals }> {
  const groups = new Map<string, UsageEntry[]>();
  for (const entry of entries) {
    const k = key(entry);
    groups.set(k, [...(groups.get(k) ?? []), entry]);
  }
  return [...groups.entries()]
    .map(([k, list]) => ({ key: k, totals: total(list) }))
    .toSorted((a, b) => b.totals.costUsd - a.totals.costUsd || b.totals.calls - a.totals.calls);
}

/** This calendar month's spend (local time). */
export function spentThisMonth(entries: readonly UsageEntry[], now = Date.now()): number {
  const month = dayOf(now).slice(0, 7);
  return total(entries.filter((e) => e.day.startsWith(month))).costUsd;
}
