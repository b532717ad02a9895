// Engines are made here, from saved settings and secrets, and nowhere else.
import { InklingError } from '../shared/problem';
import { ENGINE_KEY, type EngineChoice, type EngineId, DEFAULT_MODELS } from '../shared/engines';

export type { EngineChoice };
import { type Secrets, type Settings } from '../shared/settings';
import { createChromeEngine } from './chrome';
import { modelProblem } from './errors';
import { createGeminiEngine } from './gemini';
import { createOpenAIEngine } from './openai';
import type { Engine } from './types';

export interface EngineConfig {
  engine: EngineId;
  model: string;
  apiKey: string;
  baseUrl: string;
}

/** The engine config the saved settings describe, or that of the engine chosen, with its saved key. */
export function engineConfigFrom(settings: Settings, secrets: Secrets, choice?: EngineChoice): EngineConfig {
  const engine = choice?.engine ?? settings.engine;
  const keyName = ENGINE_KEY[engine];
  return {
    engine,
    model: choice?.model || settings.models[engine] || DEFAULT_MODELS[engine],
    apiKey: keyName ? (secrets[keyName] ?? '') : '',
    baseUrl: settings.baseUrl,
  };
}

export function createEngine(config: EngineConfig): Engine {
  switch (config.engine) {
    case 'gemini':
      if (!config.apiKey) throw new InklingError(modelProblem('no_key', 'Add your Gemini API key in Settings first.'));
      return createGeminiEngine({ apiKey: config.apiKey, model: config.model });
    case 'openai':
      if (!config.apiKey) throw new InklingError(modelProblem('no_key', 'Add your OpenAI API key in Settings first.'));
      return createOpenAIEngine({ engine: 'openai', apiKey: config.apiKey, model: config.model });
    case 'compatible':
      if (!config.baseUrl)
        throw new InklingError(modelProblem('no_key', 'Add the server’s Base URL in Settings first.'));
      return createOpenAIEngine({
        engine: 'compatible',
        apiKey: config.apiKey,
        model: config.model,
        baseURL: config.baseUrl,
      });
    case 'chrome':
      return createChromeEngine();
  }
}
