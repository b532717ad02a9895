// Every storage item Inkling keeps, in one place: typed, versioned, validated on read.
// All of it lives in chrome.storage.local, locked to trusted contexts by the background (the notion.so
// tab's content script can read none of it). Nothing is ever put in sync storage or sent to a server.
import * as v from 'valibot';
import { storage } from 'wxt/utils/storage';
import type { MirrorState } from './connections/mirror';
import type { Connection } from './connections/types';
import type { JobIndexEntry } from './jobs/types';
import type { UsageEntry } from './usage/ledger';

export { storage };

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

const ConnectionsDatabaseSchema = v.object({
  url: v.string(),
  databaseId: v.string(),
  dataSourceId: v.string(),
  title: v.string(),
});
export type ConnectionsDatabase = v.InferOutput<typeof ConnectionsDatabaseSchema>;

const SettingsSchema = v.object({
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

const SecretsSchema = v.record(v.picklist(SECRET_NAMES), v.string());
export type Secrets = v.InferOutput<typeof SecretsSchema>;

/** Non-secret settings. The popup watches this item directly. */
export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: 1,
});

/** Credentials. Read by the background only; never sent to the page, logged, or written to Notion. */
export const secretsItem = storage.defineItem<Secrets>('local:secrets', {
  fallback: {},
  version: 1,
});

/** Runs, newest last: enough to find a target's jobs and the ones still running. */
export const jobIndexItem = storage.defineItem<JobIndexEntry[]>('local:jobIndex', { fallback: [], version: 1 });

/** Each job is its own item, so saving one row's progress rewrites one job, not all of them. */
export const jobKey = (id: string) => `local:job:${id}` as const;

/** What models cost, per day, engine, model and connection (src/usage/). */
export const usageItem = storage.defineItem<UsageEntry[]>('local:usage', { fallback: [], version: 1 });

/** Changes waiting to reach the connections database in Notion (src/connections/mirror.ts). */
export const mirrorQueueItem = storage.defineItem<MirrorState>('local:mirror', { fallback: { pending: [], rows: {} }, version: 1 });

/** Every page and database Inkling generated into (src/connections/). */
export const connectionsItem = storage.defineItem<Record<string, Connection>>('local:connections', { fallback: {}, version: 1 });

/** Reads a stored value through its schema: a damaged or foreign value falls back instead of spreading. */
async function readValidated<T>(
  item: { getValue(): Promise<T>; fallback: T },
  schema: v.GenericSchema<unknown, T>,
): Promise<T> {
  const raw = await item.getValue();
  const parsed = v.safeParse(schema, raw);
  if (parsed.success) return parsed.output;
  console.warn('[inkling] stored value did not match its schema; using defaults', parsed.issues[0]?.message);
  return item.fallback;
}

export const readSettings = (): Promise<Settings> =>
  readValidated(settingsItem, SettingsSchema).then((s) => ({ ...DEFAULT_SETTINGS, ...s }));
export const readSecrets = (): Promise<Secrets> => readValidated(secretsItem, SecretsSchema);

/** The fixed items Inkling owns (jobs add one item each, under `local:job:`). */
export const ALL_ITEMS = [settingsItem, secretsItem, jobIndexItem, connectionsItem, usageItem, mirrorQueueItem];

/** "ntn_…x7Qa": enough to recognise a key, too little to use it. */
export function maskSecret(secret: string): string {
  const trimmed = secret.trim();
  if (trimmed.length <= 8) return '•'.repeat(trimmed.length);
  const prefix = /^[a-z]{2,6}[-_]/i.exec(trimmed)?.[0] ?? '';
  return `${prefix}…${trimmed.slice(-4)}`;
}
