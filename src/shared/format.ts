import type { JobUsage } from './job';

import { ENGINE_OPTION_LABELS, type EngineId } from './engines';

/** Numbers as the browser's locale writes them (1,234 in English, 1.234 in German). */
const number = new Intl.NumberFormat();
/** Inkling speaks English: its nouns take English plural forms. */
const plural = new Intl.PluralRules('en');

/** "1,234 tokens in · 567 out · $0.0012" */
export function formatUsage(usage: JobUsage, free = false): string {
  const cost = formatCost({ usd: usage.costUsd, free });
  const searches = usage.searches ? ` · ${searchCount(usage.searches)}` : '';
  return `${number.format(usage.inputTokens)} tokens in · ${number.format(usage.outputTokens)} out${searches} · ${cost}`;
}

/** "1 web search", "3 web searches". */
export const searchCount = (n: number) => count(n, 'web search', 'web searches');

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

/**
 * "$0.0123", "< $0.0001", "$12.50" ("0,0123 $" in German), "free", "unknown": US dollars, as the
 * providers price them, written the way the browser's locale writes money. Under a dollar, four
 * decimals: a row often costs a hundredth of a cent.
 */
export function formatCost(cost: CostEstimate, locale?: string): string {
  if (cost.free) return 'free';
  if (cost.usd === null) return 'unknown';
  const digits = cost.usd < 1 ? 4 : 2;
  const dollars = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  if (cost.usd > 0 && cost.usd < 0.0001) return `< ${dollars.format(0.0001)}`;
  return dollars.format(cost.usd);
}

// Dates and times as the browser's locale writes them; `locale` is for tests.

/** "January 1, 2027" (1. Januar 2027). */
export const formatDate = (at: number, locale?: string) =>
  new Date(at).toLocaleDateString(locale, { dateStyle: 'long' });

/** "Dec 2, 2026, 2:05 PM". */
export const formatDateTime = (at: number, locale?: string) =>
  new Date(at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });

/** "2:05 PM" (14:05). */
export const formatTime = (at: number, locale?: string) =>
  new Date(at).toLocaleTimeString(locale, { timeStyle: 'short' });

/** A usage day ("2026-12-02", a calendar day where it was used) as "Dec 2, 2026". */
export function formatDay(day: string, locale?: string): string {
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return day;
  return new Date(year, month - 1, date).toLocaleDateString(locale, { dateStyle: 'medium' });
}
