// Chrome built-in AI's Prompt API surface and availability check, free of any SDK so the popup can
// import it to decide whether to offer the engine.

export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

/** The part of the Prompt API Inkling uses (it is not in TypeScript's DOM library yet). */
export interface LanguageModelSession {
  promptStreaming(
    input: string,
    options?: { signal?: AbortSignal; responseConstraint?: unknown },
  ): AsyncIterable<string> | ReadableStream<string>;
  measureInputUsage?(input: string): Promise<number>;
  destroy(): void;
}
export interface LanguageModelApi {
  availability(options?: LanguageModelOptions): Promise<Availability>;
  create(
    options?: LanguageModelOptions & {
      signal?: AbortSignal;
      monitor?: (m: EventTarget) => void;
      initialPrompts?: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
    },
  ): Promise<LanguageModelSession>;
}
interface LanguageModelOptions {
  expectedInputs?: Array<{ type: 'text'; languages?: string[] }>;
  expectedOutputs?: Array<{ type: 'text'; languages?: string[] }>;
}

/** The same options for availability(), create() and prompting, as the API asks. */
export const CHROME_AI_OPTIONS: LanguageModelOptions = {
  expectedInputs: [{ type: 'text', languages: ['en'] }],
  expectedOutputs: [{ type: 'text', languages: ['en'] }],
};

export const CHROME_AI_MODEL = 'gemini-nano';

export function chromeLanguageModel(): LanguageModelApi | undefined {
  return (globalThis as { LanguageModel?: LanguageModelApi }).LanguageModel;
}

export async function chromeAiAvailability(api = chromeLanguageModel()): Promise<Availability> {
  if (!api) return 'unavailable';
  try {
    return await api.availability(CHROME_AI_OPTIONS);
  } catch {
    return 'unavailable';
  }
}
