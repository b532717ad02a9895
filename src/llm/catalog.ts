// Facts about each engine that the UI needs too — kept free of SDK imports so the popup stays small.
import type { EngineId } from '../storage';

/** The names users see in the "AI engine" list. */
export const ENGINE_OPTION_LABELS: Record<EngineId, string> = {
  gemini: 'Gemini',
  openai: 'GPT (OpenAI)',
  compatible: 'OpenAI-compatible',
  chrome: 'Chrome built-in AI',
};

/** How messages name each engine as the subject of a sentence. */
export const ENGINE_LABELS: Record<EngineId, string> = {
  gemini: 'Gemini',
  openai: 'OpenAI',
  compatible: 'The OpenAI-compatible server',
  chrome: 'Chrome built-in AI',
};

/** The model each engine starts with until the user picks another. */
export const DEFAULT_MODELS: Record<EngineId, string> = {
  gemini: 'gemini-3.8-flash',
  openai: 'gpt-5.5-mini',
  compatible: 'llama3.2',
  chrome: 'gemini-nano',
};

export const KEY_PAGES = {
  notion: 'https://www.notion.so/profile/integrations',
  gemini: 'https://aistudio.google.com/app/apikey',
  openai: 'https://platform.openai.com/api-keys',
} as const;
