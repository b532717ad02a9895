// Save, as the Firefox build runs it too: there storage.local cannot be locked away from content
// scripts, so after a Save it must hold no secret; and a kept OpenAI-compatible key goes only to the
// address it was saved for.
import type { Client } from '@notionhq/client';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { EngineConfig } from '../llm/factory';
import type { SettingsForm } from '../shared/intents';
import { clearAllStorage, readSecrets } from '../storage';
import { saveSettings, type SaveDeps } from './save';

const NOTION = 'ntn_123456789012345678901234567890abcd';
const GEMINI = 'AIzaSyA-0123456789abcdefghijklmnopqrs';

/** Notion and the model providers, as far as Save asks them: who am I, which models are there. */
function deps(seen: EngineConfig[]): SaveDeps {
  return {
    notionClient: () =>
      ({
        users: { me: async () => ({ type: 'bot', bot: { workspace_name: 'Acme' }, name: 'Inkling' }) },
      }) as unknown as Client,
    engine: (config) => {
      seen.push(config);
      return {
        id: config.engine,
        model: config.model,
        generate: async () => ({
          text: '',
          usage: { inputTokens: 0, outputTokens: 0, estimated: true },
          model: config.model,
        }),
        listModels: async () => [config.model],
      };
    },
  };
}

const form = (extra: Partial<SettingsForm>): SettingsForm => ({
  engine: 'gemini',
  baseUrl: '',
  model: '',
  limitPreset: '',
  monthlyBudget: '',
  connectionsDatabaseUrl: '',
  ...extra,
});

describe('saveSettings', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await clearAllStorage();
  });

  it('keeps every secret out of storage.local, where a content script could read it on Firefox', async () => {
    // Nothing here locks storage.local: it is read as a content script on Firefox could read it.
    const result = await saveSettings(form({ notionToken: NOTION, geminiKey: GEMINI }), deps([]));
    expect(result.ok).toBe(true);
    const readable = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(readable).toContain('Acme');
    expect(readable).not.toContain(NOTION);
    expect(readable).not.toContain(GEMINI);
    expect(await readSecrets()).toEqual({ notionToken: NOTION, geminiKey: GEMINI });
  });

  it('does not send a saved OpenAI-compatible key to a new address, nor keep it for one', async () => {
    const seen: EngineConfig[] = [];
    const first = 'http://localhost:11434/v1';
    await saveSettings(form({ engine: 'compatible', baseUrl: first, compatibleKey: 'sk-local-key-0001' }), deps(seen));
    expect(seen.at(-1)).toMatchObject({ baseUrl: first, apiKey: 'sk-local-key-0001' });

    const result = await saveSettings(form({ engine: 'compatible', baseUrl: 'https://other.example/v1' }), deps(seen));
    expect(seen.at(-1)).toMatchObject({ baseUrl: 'https://other.example/v1', apiKey: '' });
    expect(result.ok && result.notes.join(' ')).toContain(`The API key saved for ${first} was removed`);
    expect((await readSecrets()).compatibleKey).toBeUndefined();

    // The same address keeps its key; a key typed for a new address is used there.
    await saveSettings(
      form({ engine: 'compatible', baseUrl: 'https://other.example/v1', compatibleKey: 'sk-other-0002' }),
      deps(seen),
    );
    await saveSettings(form({ engine: 'compatible', baseUrl: 'https://other.example/v1' }), deps(seen));
    expect(seen.at(-1)).toMatchObject({ apiKey: 'sk-other-0002' });
  });
});
