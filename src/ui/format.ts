import { formatCost } from '../llm/prices';
import type { JobUsage } from '../jobs/types';

const number = new Intl.NumberFormat('en');

/** "1,234 tokens in · 567 out · $0.0012" */
export function formatUsage(usage: JobUsage, free = false): string {
  const cost = formatCost({ usd: usage.costUsd, free });
  return `${number.format(usage.inputTokens)} tokens in · ${number.format(usage.outputTokens)} out · ${cost}`;
}

export const formatNumber = (n: number) => number.format(n);
