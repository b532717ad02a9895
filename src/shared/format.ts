import type { JobUsage } from './job';

const number = new Intl.NumberFormat('en');

/** "1,234 tokens in · 567 out · $0.0012" */
export function formatUsage(usage: JobUsage, free = false): string {
  const cost = formatCost({ usd: usage.costUsd, free });
  return `${number.format(usage.inputTokens)} tokens in · ${number.format(usage.outputTokens)} out · ${cost}`;
}

export const formatNumber = (n: number) => number.format(n);

export interface CostEstimate {
  /** Estimated USD, or null when the model's price is unknown. */
  usd: number | null;
  /** Runs on the user's own machine: no charge. */
  free: boolean;
}

/** "$0.0123", "< $0.0001", "free", "unknown". */
export function formatCost(cost: CostEstimate): string {
  if (cost.free) return 'free';
  if (cost.usd === null) return 'unknown';
  if (cost.usd > 0 && cost.usd < 0.0001) return '< $0.0001';
  return `$${cost.usd < 1 ? cost.usd.toFixed(4) : cost.usd.toFixed(2)}`;
}
