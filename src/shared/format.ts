import type { JobUsage } from './job';

import { ENGINE_OPTION_LABELS, type EngineId } from './engines';

/** Numbers as the browser's locale writes them (1,234 in English, 1.234 in German). */
const number = new Intl.NumberFormat();
/** Inkling speaks English: its nouns take English plural forms. */
const plural = new Intl.PluralRules('en');

/** "1,234 tokens in · 567 out · $0.0012" */
export function formatUsage(usage: JobUsage, free = false): string {
  const cost = formatCost({ usd: usage.costUsd, free });
  return `${number.format(usage.inputTokens)} tokens in · ${number.format(usage.outputTokens)} out · ${cost}`;
}

export const formatNumber = (n: number) => number.format(n);

/** "1 block", "2 blocks", "1,234 rows": the count in the browser's format, the noun in its plural form. */
export function count(n: number, one: string, other = `${one}s`): string {
  return `${number.format(n)} ${plural.select(n) === 'one' ? one : other}`;
}

/** An engine and model as people know them: "GPT (OpenAI) · gpt-5.5-mini". */
export function engineAndModel(engine: string, model: string): string {
  const name = ENGINE_OPTION_LABELS[engine as EngineId] ?? engine;
  return model ? `${name} · ${model}` : name;
}

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
