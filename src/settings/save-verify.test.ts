// Save in Settings against the services themselves (the in-process Notion API, OpenAI, Gemini and an
// OpenAI-compatible server): each credential is proved with the service it belongs to before anything
// is stored, a rejection says so on its own field, and what is stored is what the user sees next time.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startSettingsSaveWorld, type SettingsSaveWorld } from '../../tests/sandbox/settings-save-world.ts';
import { FIXTURES } from '../../tests/sandbox/notion/index.ts';
import type { SaveSettingsResult, SettingsForm } from '../shared/intents';
import { clearAllStorage, isRegisteredKey, readSecrets, readSettings, writeSecrets } from '../storage';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { clearEverything, saveSettings } from './save';

let world: SettingsSaveWorld;
/** Requests that tried to leave for a real host: none may get out of this process. */
const escaped: string[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  world = await startSettingsSaveWorld();
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== '127.0.0.1') {
      escaped.push(url.href);
      return Promise.reject(new TypeError('fetch failed'));
    }
    return realFetch(input, init);
  });
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await world.close();
});
beforeEach(async () => {
  world.adoptions.count = 0;
  fakeBrowser.reset();
  await clearAllStorage();
  world.notion.reset();
  world.models.reset();
  world.configs.length = 0;
  escaped.length = 0;
});
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});

const form = (extra: Partial<SettingsForm>): SettingsForm => ({
  engine: 'gemini',
  baseUrl: '',
  model: '',
  limitPreset: '',
  monthlyBudget: '',
  connectionsDatabaseUrl: '',
  ...extra,
});

const save = (extra: Partial<SettingsForm>) => saveSettings(form(extra), world.deps);

function saved(result: SaveSettingsResult) {
  if (!result.ok) throw new Error(`expected a save, got errors ${JSON.stringify(result.errors)}`);
  return result;
}

function refused(result: SaveSettingsResult) {
  if (result.ok) throw new Error('expected errors, but it saved');
  return result.errors;
}

/** What storage holds, as the next Settings tab and the next run read it. */
const storedNow = async () => ({ settings: await readSettings(), secrets: await readSecrets() });

describe('Save verifies the Notion secret with Notion', () => {
  it('stores a secret Notion accepts, with the workspace it belongs to and a masked hint', async () => {
    const result = saved(await save({ notionToken: ` ${FIXTURES.token} `, geminiKey: world.models.keys.gemini }));
    expect(result.settings.workspaceName).toBe(FIXTURES.workspaceName);
    const { settings, secrets } = await storedNow();
    expect(secrets).toEqual({ notionToken: FIXTURES.token, geminiKey: world.models.keys.gemini });
    expect(settings.workspaceName).toBe(FIXTURES.workspaceName);
    expect(settings.savedAt).toEqual(expect.any(Number));
    // The hint shows the secret's kind and its last four characters, never enough to use it.
    expect(settings.secretHints.notionToken).toBe(`ntn_…${FIXTURES.token.slice(-4)}`);
    expect(settings.secretHints.geminiKey).toBe(`…${world.models.keys.gemini.slice(-4)}`);
    expect(JSON.stringify(settings)).not.toContain(FIXTURES.token.slice(4, -4));
    expect(world.notion.requestLog.some((e) => e.route === 'GET /v1/users/me' && e.status === 200)).toBe(true);
  });

  it('refuses a secret Notion rejects, says so on its field, and stores nothing', async () => {
    saved(await save({ notionToken: FIXTURES.token, geminiKey: world.models.keys.gemini }));
    const before = await storedNow();
    const errors = refused(await save({ notionToken: FIXTURES.invalidToken, monthlyBudget: '9' }));
    expect(errors).toEqual({
      notionToken:
        'This secret was not accepted by Notion. Copy the Internal Integration Secret again from notion.so/profile/integrations.',
    });
    // The good secret and the earlier settings stay as they were: not even the budget changed.
    expect(await storedNow()).toEqual(before);
  });

  it('keeps the saved secret when its field is left empty, and checks it again', async () => {
    saved(await save({ notionToken: FIXTURES.token, geminiKey: world.models.keys.gemini }));
    const hints = (await readSettings()).secretHints;
    world.notion.clearRequestLog();
    const result = saved(await save({ model: 'gemini-3.8-flash' }));
    expect(result.settings.workspaceName).toBe(FIXTURES.workspaceName);
    expect(world.notion.requestLog.filter((e) => e.route === 'GET /v1/users/me').map((e) => e.status)).toEqual([200]);
    expect(await readSecrets()).toEqual({ notionToken: FIXTURES.token, geminiKey: world.models.keys.gemini });
    expect((await readSettings()).secretHints).toEqual(hints);
    // The saved Gemini key was the one sent to Gemini.
    expect(world.configs.at(-1)).toMatchObject({
      engine: 'gemini',
      apiKey: world.models.keys.gemini,
      model: 'gemini-3.8-flash',
    });
  });

  it('removes a secret whose field is sent empty, with its hint, and says what to add', async () => {
    saved(await save({ notionToken: FIXTURES.token, geminiKey: world.models.keys.gemini }));
    const result = saved(await save({ notionToken: '  ' }));
    expect(result.notes).toContain('Add your Notion internal integration secret to start writing into Notion.');
    expect(result.settings.workspaceName).toBeNull();
    expect(await readSecrets()).toEqual({ geminiKey: world.models.keys.gemini });
    expect((await readSettings()).secretHints).toEqual({ geminiKey: `…${world.models.keys.gemini.slice(-4)}` });
  });
});

describe('Save verifies the model provider’s key or address', () => {
  it('refuses a Gemini key Gemini rejects, on the Gemini key field', async () => {
    const errors = refused(await save({ engine: 'gemini', geminiKey: 'AIzaSyNotAKeyGeminiKnows-000000000000' }));
    expect(errors).toEqual({
      geminiKey:
        'Gemini did not accept this API key. Create a key at aistudio.google.com/app/apikey and paste it in Settings → Gemini API key.',
    });
    expect(await storedNow()).toEqual({ settings: DEFAULT_SETTINGS, secrets: {} });
  });

  it('refuses an OpenAI key OpenAI rejects, on the OpenAI key field', async () => {
    const errors = refused(await save({ engine: 'openai', openaiKey: 'sk-proj-not-a-key-openai-knows-0000' }));
    expect(Object.keys(errors)).toEqual(['openaiKey']);
    expect(errors.openaiKey).toMatch(
      /^OpenAI did not accept this API key\. Create a key at .+ and paste it in Settings → OpenAI API key\.$/,
    );
    expect(await readSecrets()).toEqual({});
  });

  it('stores an OpenAI key OpenAI accepts, and notes a model it does not list', async () => {
    const result = saved(
      await save({ engine: 'openai', openaiKey: world.models.keys.openai, model: 'gpt-9-imaginary' }),
    );
    expect(result.notes).toContain(
      '“gpt-9-imaginary” is not in the list this provider reports; Inkling will use it as typed.',
    );
    expect(result.settings.models).toEqual({ openai: 'gpt-9-imaginary' });
    expect((await readSecrets()).openaiKey).toBe(world.models.keys.openai);
    expect((await readSettings()).secretHints.openaiKey).toBe(`sk-…${world.models.keys.openai.slice(-4)}`);
  });

  it('says which key to add when the engine has none, and still saves the rest', async () => {
    const result = saved(await save({ engine: 'openai', model: 'gpt-5.5-mini' }));
    expect(result.notes).toEqual([
      'Add your OpenAI API key to generate.',
      'Add your Notion internal integration secret to start writing into Notion.',
    ]);
    // No provider was asked with an empty key.
    expect(world.configs).toEqual([]);
    expect((await readSettings()).models).toEqual({ openai: 'gpt-5.5-mini' });
  });

  it('refuses an OpenAI-compatible Base URL where no server answers, on the Base URL field', async () => {
    const errors = refused(await save({ engine: 'compatible', baseUrl: world.unreachableBaseUrl }));
    expect(errors).toEqual({
      baseUrl: `Couldn’t reach the server at ${world.unreachableBaseUrl}. Is it running, and is the Base URL right?`,
    });
    expect((await readSettings()).baseUrl).toBe('');
  });

  it('stores a reachable OpenAI-compatible Base URL, without its trailing slash', async () => {
    const result = saved(
      await save({ engine: 'compatible', baseUrl: ` ${world.compatibleBaseUrl}/ `, model: 'llama3.2:latest' }),
    );
    expect(result.notes).toEqual(['Add your Notion internal integration secret to start writing into Notion.']);
    expect(world.configs.at(-1)).toMatchObject({ engine: 'compatible', baseUrl: world.compatibleBaseUrl, apiKey: '' });
    expect(await readSettings()).toMatchObject({
      engine: 'compatible',
      baseUrl: world.compatibleBaseUrl,
      models: { compatible: 'llama3.2:latest' },
    });
  });

  it('asks for a Base URL the compatible engine needs, and for a full address', async () => {
    expect(refused(await save({ engine: 'compatible', baseUrl: '  ' }))).toEqual({
      baseUrl: 'Enter the server’s Base URL, such as http://localhost:11434/v1 for Ollama.',
    });
    expect(refused(await save({ engine: 'compatible', baseUrl: 'ftp://localhost:11434/v1' }))).toEqual({
      baseUrl: 'Enter the server’s full address, such as http://localhost:11434/v1.',
    });
    expect(refused(await save({ engine: 'compatible', baseUrl: 'localhost 11434' })).baseUrl).toBe(
      'Enter the server’s full address, such as http://localhost:11434/v1.',
    );
    // With the address wrong, nothing was sent anywhere.
    expect(world.configs).toEqual([]);
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
  });
});

describe('Save reads the monthly budget', () => {
  it.each([
    ['', null],
    ['5', 5],
    ['$12.50', 12.5],
    [' 0.99 ', 0.99],
  ])('“%s” is stored as %s', async (typed, stored) => {
    saved(await save({ monthlyBudget: typed }));
    expect((await readSettings()).monthlyBudgetUsd).toBe(stored);
  });

  it.each(['0', '-3', '12.505', 'ten', '5 USD', '1,000'])(
    'refuses “%s” on the budget field and keeps the budget saved before',
    async (typed) => {
      saved(await save({ monthlyBudget: '20' }));
      expect(refused(await save({ monthlyBudget: typed }))).toEqual({
        monthlyBudget: 'Enter an amount in US dollars, such as 5 or 12.50, or leave it empty for no budget.',
      });
      expect((await readSettings()).monthlyBudgetUsd).toBe(20);
    },
  );
});

describe('Save keeps a speed preset per engine', () => {
  it('stores the chosen preset, falls back to the engine’s first for an unknown one, and keeps the other engines’', async () => {
    saved(await save({ engine: 'gemini', limitPreset: 'paid' }));
    expect((await readSettings()).limitPresets).toEqual({ gemini: 'paid' });
    saved(await save({ engine: 'compatible', baseUrl: world.compatibleBaseUrl, limitPreset: 'hosted' }));
    expect((await readSettings()).limitPresets).toEqual({ gemini: 'paid', compatible: 'hosted' });
    saved(await save({ engine: 'compatible', baseUrl: world.compatibleBaseUrl, limitPreset: 'warp-speed' }));
    expect((await readSettings()).limitPresets).toEqual({ gemini: 'paid', compatible: 'local' });
  });

  it('keeps each engine’s model when switching engines, and forgets one cleared', async () => {
    saved(await save({ engine: 'gemini', model: 'gemini-3.5-flash' }));
    saved(await save({ engine: 'compatible', baseUrl: world.compatibleBaseUrl, model: 'qwen3:8b' }));
    expect((await readSettings()).models).toEqual({ gemini: 'gemini-3.5-flash', compatible: 'qwen3:8b' });
    saved(await save({ engine: 'gemini', model: ' ' }));
    expect(await readSettings()).toMatchObject({ engine: 'gemini', models: { compatible: 'qwen3:8b' } });
    expect((await readSettings()).models.gemini).toBeUndefined();
  });
});

/** A database's link, as copied from Notion. */
const link = (databaseId: string) => world.notion.getDatabase(databaseId)!.url as string;

describe('Save checks the connections database', () => {
  it('stores a shared database, adding the columns Inkling keeps', async () => {
    const db = world.notion.createDatabase({ title: 'My runs', properties: { Name: 'title' } });
    const url = link(db.databaseId);
    const result = saved(await save({ notionToken: FIXTURES.token, connectionsDatabaseUrl: url }));
    expect(result.notes.find((note) => note.startsWith('Added the columns'))).toMatch(
      /^Added the columns Inkling keeps to “My runs”: Type, Target, Prompt, Engine, Model, Status, Last run/,
    );
    expect((await readSettings()).connectionsDatabase).toEqual({
      url,
      databaseId: db.databaseId,
      dataSourceId: db.dataSourceId,
      title: 'My runs',
    });
    const columns = Object.keys(world.notion.getDataSource(db.dataSourceId)!.properties);
    expect(columns).toEqual(
      expect.arrayContaining(['Name', 'Type', 'Target', 'Prompt', 'Engine', 'Model', 'Status', 'Last run']),
    );
    // A newly chosen database is adopted once (every connection goes there); saving it again is not new.
    expect(world.adoptions.count).toBe(1);
    saved(await save({ notionToken: FIXTURES.token, connectionsDatabaseUrl: url }));
    expect(world.adoptions.count).toBe(1);
  });

  it('refuses a link that is not Notion’s, one without a secret, an unshared database and a page', async () => {
    expect(
      refused(await save({ notionToken: FIXTURES.token, connectionsDatabaseUrl: 'https://example.com/runs' }))
        .connectionsDatabaseUrl,
    ).toBe('This is not a Notion link. Open the database in Notion and copy its link.');
    expect(
      refused(await save({ connectionsDatabaseUrl: link(FIXTURES.topicsDatabaseId) })).connectionsDatabaseUrl,
    ).toBe('Add your Notion internal integration secret first.');
    const hidden = world.notion.createDatabase({ title: 'Hidden', properties: { Name: 'title' }, shared: false });
    expect(
      refused(await save({ notionToken: FIXTURES.token, connectionsDatabaseUrl: link(hidden.databaseId) }))
        .connectionsDatabaseUrl,
    ).toBe('Inkling can’t see this database. Open it in Notion, click ••• → Connections, and add your integration.');
    const page = world.notion.getPage(FIXTURES.playgroundPageId)!.url;
    expect(
      refused(await save({ notionToken: FIXTURES.token, connectionsDatabaseUrl: page })).connectionsDatabaseUrl,
    ).toBe('This link is a page, not a database. Open the connections database itself and copy its link.');
    expect((await readSettings()).connectionsDatabase).toBeNull();
  });
});

describe('Clear', () => {
  it('removes every setting and secret, and everything else Inkling stored', async () => {
    saved(await save({ notionToken: FIXTURES.token, geminiKey: world.models.keys.gemini, monthlyBudget: '5' }));
    await fakeBrowser.storage.local.set({
      'job:0a1b': { id: '0a1b' },
      'jobrows:0a1b:0': [],
      usage: [{ day: '2026-01-01' }],
    });
    await clearEverything();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    expect(await readSecrets()).toEqual({});
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
    // A later Save starts from nothing: the old secret is not quietly reused.
    const result = saved(await save({}));
    expect(result.settings.workspaceName).toBeNull();
    expect(result.notes).toContain('Add your Notion internal integration secret to start writing into Notion.');
  });

  it('also removes a secret an older version kept in storage.local, so it cannot come back', async () => {
    await writeSecrets({ geminiKey: world.models.keys.gemini });
    await fakeBrowser.storage.local.set({ secrets: { notionToken: FIXTURES.token } });
    await clearEverything();
    expect(await readSecrets()).toEqual({});
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
  });
});
