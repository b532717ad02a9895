// The engines Inkling speaks to, as every context names them: ids, the secrets each needs, the labels
// users see, default models and where keys come from. No SDK here, so the popup stays small.

export const ENGINE_IDS = ['gemini', 'openai', 'compatible', 'chrome'] as const;

export type EngineId = (typeof ENGINE_IDS)[number];

export const SECRET_NAMES = ['notionToken', 'geminiKey', 'openaiKey', 'compatibleKey'] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

/** The API key each engine uses (Chrome's on-device model needs none). */
export const ENGINE_KEY: Record<EngineId, Exclude<SecretName, 'notionToken'> | undefined> = {
  gemini: 'geminiKey',
  openai: 'openaiKey',
  compatible: 'compatibleKey',
  chrome: undefined,
};

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

/** Whether an engine can search the web while it answers (OpenAI's web_search tool, Gemini's grounding). */
export function searchesTheWeb(engine: EngineId): engine is 'openai' | 'gemini' {
  return engine === 'openai' || engine === 'gemini';
}

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

/** An engine and model chosen for one run (Compare models → “Use for the run”) instead of Settings’ own. */
export interface EngineChoice {
  engine: EngineId;
  model: string;
}

/** Engines whose provider has a batch API ("Slow and cheap (batch)"): OpenAI's Batch API, Gemini's batch mode. */
export const batchesAvailable = (engine: EngineId): boolean => engine === 'openai' || engine === 'gemini';
