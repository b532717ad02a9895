import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ALL_ITEMS, DEFAULT_SETTINGS, maskSecret, readSettings, settingsItem } from './storage';

describe('storage', () => {
  beforeEach(() => fakeBrowser.reset());

  it('keys are unique and all in local storage (never sync)', () => {
    const keys = ALL_ITEMS.map((item) => item.key);
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
