// Every storage item Inkling keeps, in one place: typed, versioned, validated on read — the one
// registry of keys. Settings, runs, connections and usage live in storage.local (locked to trusted
// contexts by the background where the browser can); secrets live in the extension origin's IndexedDB,
// which a content script cannot open on any browser (it gets the page's own IndexedDB). Nothing is
// ever put in sync storage or sent to a server.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import * as v from 'valibot';
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import { FIXED_KEYS, isRegisteredKey } from './storage-keys';
import type { MirrorState, Connection, KeepUpLook } from './shared/connection';
import type { JobIndexEntry } from './shared/job';
import type { RowMarks } from './shared/row-marks';
import type { UsageEntry } from './shared/usage';
import { type Settings, DEFAULT_SETTINGS, SettingsSchema, type Secrets, SecretsSchema } from './shared/settings';

export { storage, isRegisteredKey };

/** Non-secret settings. The popup watches this item directly. */
export const settingsItem = storage.defineItem<Settings>(`local:${FIXED_KEYS.settings}`, {
  fallback: DEFAULT_SETTINGS,
  version: 1,
});

/** Runs, newest last: enough to find a target's jobs and the ones still running. */
export const jobIndexItem = storage.defineItem<JobIndexEntry[]>(`local:${FIXED_KEYS.jobIndex}`, {
  fallback: [],
  version: 1,
});

/** Each job is its own item, so saving one row's progress rewrites one job, not all of them. */
export const jobKey = (id: string) => `local:job:${id}` as const;

/** A database job's rows, in chunks (jobs/types.ts ROWS_PER_CHUNK), so saving one row rewrites one chunk. */
export const jobRowsKey = (jobId: string, chunk: number) => `local:jobrows:${jobId}:${chunk}` as const;

/** What Inkling remembers of each row it wrote for a connection, by row id (jobs/row-marks.ts). */
export const rowMarksItem = (connectionId: string) =>
  storage.defineItem<RowMarks>(`local:rowmarks:${connectionId}`, { fallback: {} });

/** What models cost, per day, engine, model and connection (src/usage/). */
export const usageItem = storage.defineItem<UsageEntry[]>(`local:${FIXED_KEYS.usage}`, { fallback: [], version: 1 });

/** Changes waiting to reach the connections database in Notion (src/connections/mirror.ts). */
export const mirrorQueueItem = storage.defineItem<MirrorState>(`local:${FIXED_KEYS.mirror}`, {
  fallback: { pending: [], rows: {} },
  version: 1,
});

/** Every page and database Inkling generated into (src/connections/). */
export const connectionsItem = storage.defineItem<Record<string, Connection>>(`local:${FIXED_KEYS.connections}`, {
  fallback: {},
  version: 1,
});

/** Keep up to date's last look at each connection it keeps, by connection id (background/keep-up.ts). */
export const keepUpItem = storage.defineItem<Record<string, KeepUpLook>>(`local:${FIXED_KEYS.keepUp}`, {
  fallback: {},
  version: 1,
});

/**
 * Runs `work` alone among all work on `key` in this browser (a Web Lock): a read-modify-write of one
 * item never loses a change made at the same time by another run, handler or alarm.
 */
export function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  return navigator.locks.request(`inkling-storage:${key}`, work);
}

/** Read-modify-write of one storage item, serialised: `change` edits a copy, which is then saved. */
export function updateItem<V, T>(
  item: { key: string; getValue(): Promise<V>; setValue(value: V): Promise<void> },
  change: (value: V) => T | Promise<T>,
): Promise<T> {
  return serialised(item.key, async () => {
    const value = structuredClone(await item.getValue());
    const result = await change(value);
    await item.setValue(value);
    return result;
  });
}

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

// ---- Secrets: the extension origin's IndexedDB, read by the background only; never sent to the
// page, logged, or written to Notion.

const SECRETS_DATABASE = 'inkling-secrets';
const SECRETS_STORE = 'secrets';
const SECRETS_KEY = 'secrets';
/** Where secrets were kept before (storage.local, which Firefox cannot lock): moved out on first read. */
const LEGACY_SECRETS_KEY = 'secrets';

let secretsDatabase: UseStore | undefined;
const secretsStore = () => (secretsDatabase ??= createStore(SECRETS_DATABASE, SECRETS_STORE));

export async function readSecrets(): Promise<Secrets> {
  let stored: unknown = await get(SECRETS_KEY, secretsStore());
  if (stored === undefined) {
    const legacy = (await browser.storage.local.get(LEGACY_SECRETS_KEY))[LEGACY_SECRETS_KEY];
    if (legacy !== undefined) {
      stored = legacy;
      await set(SECRETS_KEY, legacy, secretsStore());
      await browser.storage.local.remove([LEGACY_SECRETS_KEY, `${LEGACY_SECRETS_KEY}$`]);
    }
  }
  const parsed = v.safeParse(SecretsSchema, stored ?? {});
  return parsed.success ? parsed.output : {};
}

export async function writeSecrets(secrets: Secrets): Promise<void> {
  await set(SECRETS_KEY, secrets, secretsStore());
}

// ---- The registry

/** The items Inkling keeps under fixed keys in storage.local. */
export const FIXED_ITEMS = [settingsItem, jobIndexItem, connectionsItem, usageItem, mirrorQueueItem, keepUpItem];

/**
 * Clear: everything in storage.local (every key there is one the registry declares, or an older
 * version's), and the secrets.
 */
export async function clearAllStorage(): Promise<void> {
  await browser.storage.local.clear();
  await del(SECRETS_KEY, secretsStore());
}

/** "ntn_…x7Qa": enough to recognise a key, too little to use it. */
export function maskSecret(secret: string): string {
  const trimmed = secret.trim();
  if (trimmed.length <= 8) return '•'.repeat(trimmed.length);
  const prefix = /^[a-z]{2,6}[-_]/i.exec(trimmed)?.[0] ?? '';
  return `${prefix}…${trimmed.slice(-4)}`;
}
