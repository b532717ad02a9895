// How hard Inkling may push each engine. Bulk runs obey these; the user picks a preset in Settings.
import type { EngineId } from './engines';

export interface EngineLimits {
  /** Model calls in flight at once. */
  concurrency: number;
  /** Calls started per minute; 0 means no limit beyond concurrency. */
  requestsPerMinute: number;
}

export interface LimitPreset {
  id: string;
  label: string;
  limits: EngineLimits;
}

/**
 * Presets per engine, the first being the default. Numbers follow the providers' published tiers
 * (late 2026): Gemini's free tier allows roughly 10–30 requests a minute per project, OpenAI's
 * tier 1 about 500; a local server does best one request at a time. Hosted providers limit requests
 * a minute, not calls at once: 16 at once covers Notion's rate at a model latency of up to 4 s
 * (jobs/run-pace.ts), and a run keeps fewer in flight when the model is faster.
 */
export const LIMIT_PRESETS: Record<EngineId, readonly LimitPreset[]> = {
  gemini: [
    { id: 'free', label: 'Free tier — 10 requests a minute', limits: { concurrency: 2, requestsPerMinute: 10 } },
    { id: 'paid', label: 'Paid tier — 1,000 requests a minute', limits: { concurrency: 16, requestsPerMinute: 1_000 } },
  ],
  openai: [
    { id: 'tier1', label: 'Tier 1 — 500 requests a minute', limits: { concurrency: 16, requestsPerMinute: 500 } },
    { id: 'free', label: 'Free trial — 3 requests a minute', limits: { concurrency: 1, requestsPerMinute: 3 } },
    {
      id: 'tier3',
      label: 'Tier 3 and up — 5,000 requests a minute',
      limits: { concurrency: 16, requestsPerMinute: 5_000 },
    },
  ],
  compatible: [
    { id: 'local', label: 'Local server — one request at a time', limits: { concurrency: 1, requestsPerMinute: 0 } },
    {
      id: 'hosted',
      label: 'Hosted (OpenRouter, Groq…) — 60 requests a minute',
      limits: { concurrency: 4, requestsPerMinute: 60 },
    },
    { id: 'fast', label: 'Fast hosted — 600 requests a minute', limits: { concurrency: 16, requestsPerMinute: 600 } },
  ],
  chrome: [
    { id: 'device', label: 'On this device — one request at a time', limits: { concurrency: 1, requestsPerMinute: 0 } },
  ],
};

export function limitsFor(engine: EngineId, presetId: string | undefined): LimitPreset {
  const presets = LIMIT_PRESETS[engine];
  return presets.find((p) => p.id === presetId) ?? presets[0]!;
}
