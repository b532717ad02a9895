import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  clearAllStorage,
  FIXED_ITEMS,
  isRegisteredKey,
  jobKey,
  jobRowsKey,
  maskSecret,
  readSecrets,
  readSettings,
  settingsItem,
  writeSecrets,
} from './storage';
import { DEFAULT_SETTINGS } from './shared/settings';

const SECRET = 'ntn_123456789012345678901234567890abcd';

describe('storage', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await clearAllStorage();
  });

  it('keys are unique and all in local storage (never sync)', () => {
    const keys = FIXED_ITEMS.map((item) => item.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key.startsWith('local:')).toBe(true);
  });

  it('reads defaults when nothing is stored', async () => {
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('falls back to defaults when the stored value is damaged, instead of spreading it', async () => {
    await fakeBrowser.storage.local.set({ settings: { engine: 'skynet', models: 5 } });
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('reads back what was saved', async () => {
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, engine: 'openai', workspaceName: 'Acme' });
    expect((await readSettings()).engine).toBe('openai');
  });

  it('masks secrets to a recognisable hint without the secret', () => {
    expect(maskSecret('ntn_123456789012345678901234567890abcd')).toBe('ntn_…abcd');
    expect(maskSecret('sk-proj-aaaaaaaaaaaaaaaawxyz')).toBe('sk-…wxyz');
    expect(maskSecret('AIzaSyA1234567890')).toBe('…7890');
    expect(maskSecret('short')).toBe('•••••');
  });
});

describe('secrets', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await clearAllStorage();
  });

  it('are kept out of storage.local, which a content script can read where the browser cannot lock it (Firefox)', async () => {
    await writeSecrets({ notionToken: SECRET, geminiKey: 'AIzaSy-key-000000000000000000000' });
    expect(await readSecrets()).toEqual({ notionToken: SECRET, geminiKey: 'AIzaSy-key-000000000000000000000' });
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain(SECRET);
  });

  it('saved by an earlier version in storage.local are moved out on first read', async () => {
    await fakeBrowser.storage.local.set({ secrets: { notionToken: SECRET }, secrets$: { v: 1 } });
    expect(await readSecrets()).toEqual({ notionToken: SECRET });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await readSecrets()).toEqual({ notionToken: SECRET });
  });

  it('a damaged secrets record reads as none', async () => {
    await writeSecrets({ notionToken: 42 } as never);
    expect(await readSecrets()).toEqual({});
  });
});

describe('the registry', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await clearAllStorage();
  });

  it('knows every fixed item, its version record and the per-run families, and nothing else', () => {
    for (const item of FIXED_ITEMS) {
      const key = item.key.replace(/^local:/, '');
      expect(isRegisteredKey(key)).toBe(true);
      expect(isRegisteredKey(`${key}$`)).toBe(true);
    }
    const id = crypto.randomUUID();
    expect(isRegisteredKey(jobKey(id).replace(/^local:/, ''))).toBe(true);
    expect(isRegisteredKey(jobRowsKey(id, 12).replace(/^local:/, ''))).toBe(true);
    for (const key of ['secrets', 'job', 'jobrows:x', 'cache', 'settings2', `job:${id}:x`])
      expect(isRegisteredKey(key)).toBe(false);
  });

  it('Clear removes every key Inkling keeps, rows and secrets included', async () => {
    const id = crypto.randomUUID();
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, workspaceName: 'Acme' });
    await fakeBrowser.storage.local.set({
      [`job:${id}`]: { id },
      [`jobrows:${id}:0`]: [{ id: 'row', baseline: {}, write: {} }],
    });
    await writeSecrets({ notionToken: SECRET });
    await clearAllStorage();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await readSecrets()).toEqual({});
  });
});
