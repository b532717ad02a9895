// The one protocol between Inkling's contexts. Every message name exists here and nowhere else.
// Panel and popup send intents; the background checks the sender, validates the data, and acts.
import { defineExtensionMessaging } from '@webext-core/messaging';
import type { Problem } from './errors';
import type { Target } from './notion/target';
import type { EngineId, Settings } from './storage';

/** What the Settings form sends. An absent secret means "keep the saved one"; "" means none. */
export interface SettingsForm {
  engine: EngineId;
  notionToken?: string;
  geminiKey?: string;
  openaiKey?: string;
  compatibleKey?: string;
  baseUrl: string;
  model: string;
  /** A LIMIT_PRESETS id for the engine. */
  limitPreset: string;
  connectionsDatabaseUrl: string;
}

export type SettingsField = Exclude<keyof SettingsForm, 'engine' | 'limitPreset'>;

/** Which models can this engine use? Unsaved key and address from the form, or the saved ones. */
export interface ListModelsRequest {
  engine: EngineId;
  apiKey?: string;
  baseUrl?: string;
}

export type SaveSettingsResult =
  | { ok: true; settings: Settings; notes: string[] }
  | { ok: false; errors: Partial<Record<SettingsField, string>> };

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export interface ProtocolMap {
  /** Popup → background: verify the form with Notion and the model provider, then save it. */
  saveSettings(form: SettingsForm): SaveSettingsResult;
  /** Popup → background: the models the provider reports, for the Model list. */
  listModels(request: ListModelsRequest): Outcome<string[]>;
  /** Popup → background: remove every setting and secret. */
  clearSettings(): void;
  /** Panel or popup → background: what does this Notion link point at? */
  resolveTarget(request: { url: string }): Outcome<Target>;
  /** Background → content script: the keyboard shortcut was pressed. */
  togglePanel(): void;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();
