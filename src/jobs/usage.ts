import type { JobUsage } from './types';

/** Sums two usage records; an unknown cost makes the sum unknown rather than too low. */
export function addUsage(a: JobUsage, b: JobUsage): JobUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
    calls: a.calls + b.calls,
  };
}
