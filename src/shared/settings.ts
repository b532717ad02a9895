// The stored settings record and its schema (validated on every read by storage.ts), shared by the
// popup that shows them and the background that saves them. Secrets are a separate record.
import * as v from 'valibot';
import { ENGINE_IDS, SECRET_NAMES } from './engines';

export const ConnectionsDatabaseSchema = v.object({
  url: v.string(),
  databaseId: v.string(),
  dataSourceId: v.string(),
  title: v.string(),
});
export type ConnectionsDatabase = v.InferOutput<typeof ConnectionsDatabaseSchema>;

export const SettingsSchema = v.object({
  engine: v.picklist(ENGINE_IDS),
  /** The model chosen for each engine, so switching engines keeps each one's choice. */
  models: v.record(v.picklist(ENGINE_IDS), v.string()),
  /** The speed preset chosen for each engine (llm/limits.ts); bulk runs keep to it. */
  limitPresets: v.optional(v.record(v.picklist(ENGINE_IDS), v.string()), {}),
  /** The OpenAI-compatible server's base URL (Ollama, LM Studio, OpenRouter…). */
  baseUrl: v.string(),
  connectionsDatabase: v.nullable(ConnectionsDatabaseSchema),
  /** The Notion workspace the saved secret belongs to, as users/me reported it. */
  workspaceName: v.nullable(v.string()),
  /** Masked forms of saved secrets ("ntn_…x7Qa"), so the popup can show what is saved without the secret. */
  secretHints: v.record(v.picklist(SECRET_NAMES), v.string()),
  savedAt: v.nullable(v.number()),
  /** A monthly spending limit in USD for model calls; null for none. */
  monthlyBudgetUsd: v.optional(v.nullable(v.number()), null),
});
export type Settings = v.InferOutput<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  engine: 'gemini',
  models: {},
  limitPresets: {},
  baseUrl: '',
  connectionsDatabase: null,
  workspaceName: null,
  secretHints: {},
  savedAt: null,
  monthlyBudgetUsd: null,
};

export const SecretsSchema = v.record(v.picklist(SECRET_NAMES), v.string());
export type Secrets = v.InferOutput<typeof SecretsSchema>;
