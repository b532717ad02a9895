// The one protocol between Inkling's contexts. Every message name exists here and nowhere else.
// Panel and popup send intents; the background checks the sender, validates the data, and acts.
import { defineExtensionMessaging } from '@webext-core/messaging';
import { browser } from 'wxt/browser';
import type { Problem } from './errors';
import type { Job } from './jobs/types';
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

export interface StartPageRunRequest {
  pageId: string;
  prompt: string;
  useContext: boolean;
  mode: 'append' | 'replace';
  /** Reuse this connection (Create tab, or a resumed one); otherwise the page's own, or a new one. */
  connectionId?: string;
  /** The connection's name (Create tab); defaults to the page title. */
  connectionName?: string;
}

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
  /** Panel or popup → background: generate into a page. */
  startPageRun(request: StartPageRunRequest): Outcome<{ jobId: string; connectionId: string }>;
  /** Panel or popup → background: stop a run (what was written stays; Undo removes it). */
  cancelJob(request: { jobId: string }): void;
  /** Panel or popup → background: undo a run. */
  undoJob(request: { jobId: string }): Outcome<null>;
  /** Panel or popup → background: write a failed run's kept answer again (no new model call). */
  retryJob(request: { jobId: string }): Outcome<null>;
  /** Background → content script: the keyboard shortcut was pressed. */
  togglePanel(): void;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

// ---- The state port: the panel and the popup watch runs through it (the panel cannot read
// storage). The background sends every change of a watched target's latest job, and streamed text.

export const STATE_PORT = 'inkling-state';

export type StatePortRequest = { type: 'watch'; targetId: string } | { type: 'unwatch'; targetId: string };

export type StatePortMessage =
  | { type: 'job'; targetId: string; job: Job | null }
  | { type: 'text'; jobId: string; text: string };

/** Opens the state port (panel or popup side). */
export function connectStatePort(listener: (message: StatePortMessage) => void): { send(request: StatePortRequest): void; close(): void } {
  const port = browser.runtime.connect({ name: STATE_PORT });
  port.onMessage.addListener((message) => listener(message as StatePortMessage));
  return { send: (request) => port.postMessage(request), close: () => port.disconnect() };
}
