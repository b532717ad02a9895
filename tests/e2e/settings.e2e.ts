// Settings: saving, reloading, verifying with each service, clearing — and secrets staying out of
// the notion.so tab.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref, pageHref } from '../sandbox/site/index.ts';
import {
  byLabel,
  clearExtension,
  click,
  evaluateInContentScript,
  readSecrets,
  launch,
  openNotion,
  openPopup,
  readExtensionStorage,
  typeInto,
  waitFor,
  type World,
} from './harness.ts';

let world: World;
let popup: Page;

beforeAll(async () => {
  world = await launch();
});
afterAll(() => world?.close());

beforeEach(async () => {
  world.sandbox.reset();
  await clearExtension(world);
  await popup?.close().catch(() => undefined);
  popup = await openPopup(world);
  // The form appears once the saved settings are read.
  await popup.waitForSelector(byLabel(popup, 'Notion internal integration secret'));
});

const statusText = (page: Page) =>
  waitFor(async () => {
    const text = await page.$eval('[role="status"]', (el) => el.textContent ?? '').catch(() => '');
    return text && !text.startsWith('Checking') ? text : '';
  }, 'the save status');

const fieldError = (page: Page, label: string) =>
  waitFor(
    () =>
      page.evaluate((name) => {
        const field = [...document.querySelectorAll('.field')].find(
          (f) => f.querySelector('label')?.textContent === name,
        );
        return field?.querySelector('.field__error')?.textContent ?? '';
      }, label),
    `an error under ${label}`,
  );

const selectEngine = (page: Page, label: string) =>
  page.$eval(
    byLabel(page, 'AI engine'),
    (select, wanted) => {
      const s = select as HTMLSelectElement;
      const option = [...s.options].find((o) => o.textContent?.startsWith(wanted));
      s.value = option!.value;
      s.dispatchEvent(new Event('change', { bubbles: true }));
    },
    label,
  );

const placeholderOf = (page: Page, label: string) =>
  page.$eval(byLabel(page, label), (el) => (el as HTMLInputElement).placeholder);

const notionUrl = (path: string) => `https://www.notion.so${path}`;

describe('Settings', () => {
  it('offers the seed app’s fields and the four engines', async () => {
    for (const label of [
      'Notion internal integration secret',
      'AI engine',
      'Gemini API key',
      'Model',
      'Connections database',
    ]) {
      expect(await popup.$(byLabel(popup, label))).not.toBeNull();
    }
    const engines = await popup.$eval(byLabel(popup, 'AI engine'), (s) =>
      [...(s as HTMLSelectElement).options].map((o) => o.textContent),
    );
    expect(engines.map((e) => e?.replace(/ — .*/, ''))).toEqual([
      'Gemini',
      'GPT (OpenAI)',
      'OpenAI-compatible',
      'Chrome built-in AI',
    ]);
    // Each credential says where to get it.
    const links = await popup.$$eval('.field__link', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toEqual(['https://www.notion.so/profile/integrations', 'https://aistudio.google.com/app/apikey']);
    await selectEngine(popup, 'GPT (OpenAI)');
    expect(await popup.$eval('.field__link:last-of-type', () => true)).toBe(true);
    expect(await popup.$$eval('.field__link', (as) => as.map((a) => (a as HTMLAnchorElement).href))).toContain(
      'https://platform.openai.com/api-keys',
    );
    await selectEngine(popup, 'OpenAI-compatible');
    expect(await popup.$(byLabel(popup, 'Base URL'))).not.toBeNull();
  });

  it('verifies a good secret, shows the workspace, keeps it masked after a reload', async () => {
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
    await typeInto(popup, 'Gemini API key', world.sandbox.models.keys.gemini);
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain('Connected to Notion workspace “Inkling Sandbox”');

    await popup.reload();
    await popup.waitForSelector(byLabel(popup, 'Notion internal integration secret'));
    const placeholder = await waitFor(() =>
      placeholderOf(popup, 'Notion internal integration secret').then((p) => p.startsWith('Saved') && p),
    );
    expect(placeholder).toBe(`Saved: ntn_…${FIXTURES.token.slice(-4)}`);
    expect(
      await popup.$eval(byLabel(popup, 'Notion internal integration secret'), (el) => (el as HTMLInputElement).value),
    ).toBe('');
    expect(await popup.content()).not.toContain(FIXTURES.token);
    expect(await placeholderOf(popup, 'Gemini API key')).toMatch(/^Saved: …\w{4}$/);

    const stored = await readExtensionStorage(world);
    expect(await readSecrets(world)).toEqual({
      notionToken: FIXTURES.token,
      geminiKey: world.sandbox.models.keys.gemini,
    });
    // Secrets are not in storage.local, the area a content script could read where the browser cannot lock it.
    expect(JSON.stringify(stored)).not.toContain(FIXTURES.token);
    expect((stored.settings as { workspaceName: string }).workspaceName).toBe('Inkling Sandbox');
    // Nothing in sync storage, ever.
    const worker = await world.worker();
    expect(await worker.evaluate(() => chrome.storage.sync.get(null))).toEqual({});
  });

  it('after a failed Save, the secret field says only why: no “Connected” hint from the last good one', async () => {
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain('Connected to Notion workspace “Inkling Sandbox”');
    await typeInto(popup, 'Notion internal integration secret', 'ntn_this-is-not-a-real-secret-0000000000000000');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Notion internal integration secret')).toContain(
      'This secret was not accepted by Notion',
    );
    const field = await popup.evaluate(
      () =>
        [...document.querySelectorAll('.field')].find(
          (f) => f.querySelector('label')?.textContent === 'Notion internal integration secret',
        )?.textContent ?? '',
    );
    expect(field).not.toContain('Connected to');
  });

  it('accepts a personal access token (no prefix check: users/me decides)', async () => {
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.personalAccessToken);
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain('Inkling Sandbox');
  });

  it('rejects a bad secret with a specific message and saves nothing', async () => {
    await typeInto(popup, 'Notion internal integration secret', 'ntn_this-is-not-a-real-secret-0000000000000000');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Notion internal integration secret')).toContain(
      'This secret was not accepted by Notion',
    );
    expect(await statusText(popup)).toContain('Nothing was saved');
    expect(await readExtensionStorage(world)).toEqual({});
    expect(await readSecrets(world)).toEqual({});
  });

  it('checks the connections database: shared, a database, not a page', async () => {
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);

    // A database the integration cannot see.
    const hidden = world.sandbox.notion.createDatabase({
      title: 'Hidden connections',
      properties: { Name: 'title' },
      shared: false,
    });
    await typeInto(popup, 'Connections database', notionUrl(databaseHref(hidden.databaseId)));
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Connections database')).toContain(
      'Inkling can’t see this database. Open it in Notion, click ••• → Connections, and add your integration.',
    );

    // A page where a database was asked for.
    await typeInto(popup, 'Connections database', notionUrl(pageHref(FIXTURES.playgroundPageId, 'Inkling Playground')));
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Connections database')).toContain('This link is a page, not a database');

    // Not a Notion link at all.
    await typeInto(popup, 'Connections database', 'https://example.com/nope');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Connections database')).toContain('This is not a Notion link');
    expect(await readExtensionStorage(world)).toEqual({});

    // A database whose columns clash with what Inkling keeps there.
    const clash = world.sandbox.notion.createDatabase({
      title: 'Old list',
      properties: { Name: 'title', Type: 'rich_text' },
    });
    await typeInto(popup, 'Connections database', notionUrl(databaseHref(clash.databaseId)));
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Connections database')).toContain(
      '“Type” in this database is a rich text column; Inkling needs it to be select.',
    );

    // A shared database of the user's own: the columns Inkling keeps are added to it.
    const own = world.sandbox.notion.createDatabase({
      title: 'My connections',
      properties: { Name: 'title', Prompt: 'rich_text' },
    });
    await typeInto(popup, 'Connections database', notionUrl(databaseHref(own.databaseId)));
    await click(popup, 'Save');
    const saved = await statusText(popup);
    expect(saved).toContain('Saved.');
    expect(saved).toContain(
      'Added the columns Inkling keeps to “My connections”: Type, Target, Engine, Model, Status, Last run, Rows, Tokens, Cost, Connection ID, Options, Row marks.',
    );
    const stored = (await readExtensionStorage(world)).settings as {
      connectionsDatabase: { databaseId: string; title: string };
    };
    expect(stored.connectionsDatabase).toMatchObject({ databaseId: own.databaseId, title: 'My connections' });
    const columns = Object.keys(
      (world.sandbox.notion.getDataSource(own.dataSourceId) as unknown as { properties: object }).properties,
    );
    expect(columns).toEqual(expect.arrayContaining(['Name', 'Prompt', 'Type', 'Connection ID', 'Cost']));
  });

  it('verifies each engine’s key with the provider, with a specific message for a bad one', async () => {
    await typeInto(popup, 'Gemini API key', 'AIzaSy-not-a-valid-key-000000000000000');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Gemini API key')).toContain('Gemini did not accept this API key');

    await selectEngine(popup, 'GPT (OpenAI)');
    await typeInto(popup, 'OpenAI API key', 'sk-proj-wrong-key-0000000000000000000000');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'OpenAI API key')).toContain('OpenAI did not accept this API key');
    expect(await readExtensionStorage(world)).toEqual({});

    await typeInto(popup, 'OpenAI API key', world.sandbox.models.keys.openai);
    await typeInto(popup, 'Model', 'gpt-5.5');
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain('Saved.');
    const stored = await readExtensionStorage(world);
    expect((stored.settings as { engine: string; models: Record<string, string> }).engine).toBe('openai');
    expect((stored.settings as { models: Record<string, string> }).models.openai).toBe('gpt-5.5');
    expect(world.sandbox.models.calls).toHaveLength(0); // verification lists models; it never pays for a generation
  });

  it('reaches an OpenAI-compatible server on a plain http port, and explains Ollama’s 403', async () => {
    await selectEngine(popup, 'OpenAI-compatible');
    await typeInto(popup, 'Base URL', world.sandbox.compatibleBaseUrl);
    await typeInto(popup, 'Model', 'llama3.2');
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain('Saved.');

    world.sandbox.models.configure({ ollamaRejectExtensionOrigins: true });
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Base URL')).toContain('OLLAMA_ORIGINS=chrome-extension://*');

    // Nothing listening at that address.
    await typeInto(popup, 'Base URL', 'http://127.0.0.1:9/v1');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Base URL')).toContain(
      'Couldn’t reach the server at http://127.0.0.1:9/v1. Is it running',
    );

    await typeInto(popup, 'Base URL', 'not a url');
    await click(popup, 'Save');
    expect(await fieldError(popup, 'Base URL')).toContain('full address');
  });

  it('sends a saved OpenAI-compatible key only to the address it was saved for', async () => {
    const key = 'sk-local-0123456789abcdef0123';
    await selectEngine(popup, 'OpenAI-compatible');
    await typeInto(popup, 'Base URL', world.sandbox.compatibleBaseUrl);
    await typeInto(popup, 'API key (optional)', key);
    await typeInto(popup, 'Model', 'llama3.2');
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain('Saved.');
    // The key did go to its own server (so it would be seen if it went elsewhere).
    expect(
      world.sandbox.compatibleRequests.some(
        (r) => r.host.startsWith('127.0.0.1') && r.authorization === `Bearer ${key}`,
      ),
    ).toBe(true);

    // Another address for a server (here the same one, reached by another name) is typed and saved.
    const other = world.sandbox.compatibleBaseUrl.replace('127.0.0.1', 'localhost');
    world.sandbox.compatibleRequests.length = 0;
    await typeInto(popup, 'Base URL', other);
    await waitFor(
      () => world.sandbox.compatibleRequests.some((r) => r.host.startsWith('localhost')),
      'the model list from the new address',
    );
    await click(popup, 'Save');
    expect(await statusText(popup)).toContain(`The API key saved for ${world.sandbox.compatibleBaseUrl} was removed`);
    const toOther = world.sandbox.compatibleRequests.filter((r) => r.host.startsWith('localhost'));
    expect(toOther.length).toBeGreaterThan(0);
    expect(toOther.filter((r) => r.authorization?.includes(key))).toEqual([]);
    expect((await readSecrets(world)).compatibleKey).toBeUndefined();
  });

  it('clears every setting and secret after asking', async () => {
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
    await click(popup, 'Save');
    await statusText(popup);
    expect(Object.keys(await readExtensionStorage(world))).not.toHaveLength(0);

    await click(popup, 'Clear');
    // It asks first; keeping them changes nothing.
    await click(popup, 'Keep them');
    expect(Object.keys(await readExtensionStorage(world))).not.toHaveLength(0);
    await click(popup, 'Clear');
    await click(popup, 'Clear everything');
    await waitFor(async () => Object.keys(await readExtensionStorage(world)).length === 0, 'storage to empty');
    expect(await readSecrets(world)).toEqual({});
    expect(await placeholderOf(popup, 'Notion internal integration secret')).toBe('ntn_…');
  });
});

describe('Secrets and the notion.so tab', () => {
  it('the content script can read nothing from extension storage', async () => {
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
    await click(popup, 'Save');
    await statusText(popup);

    const page = await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    await page.waitForSelector(byLabel(page, 'Open Inkling'));
    const read = await evaluateInContentScript<string>(
      page,
      world,
      `chrome.storage.local.get(null).then((v) => 'read:' + JSON.stringify(v), (e) => 'refused:' + e.message)`,
    );
    expect(read).not.toContain(FIXTURES.token);
    expect(read).toMatch(/^refused:|^read:\{\}$/);
    // Where the secrets are kept, the extension origin's IndexedDB, is out of its reach: it opens notion.so's own.
    const secretsSeen = await evaluateInContentScript<string>(
      page,
      world,
      `new Promise((resolve) => { const open = indexedDB.open('inkling-secrets'); open.onupgradeneeded = () => open.result.createObjectStore('secrets');
        open.onsuccess = () => { const request = open.result.transaction('secrets').objectStore('secrets').get('secrets');
          request.onsuccess = () => resolve(location.origin + ' ' + JSON.stringify(request.result ?? null)); request.onerror = () => resolve('error') };
        open.onerror = () => resolve('refused') })`,
    );
    expect(secretsSeen).not.toContain(FIXTURES.token);
    expect(secretsSeen).toBe('https://www.notion.so null');
    // The panel's own world holds no secret either (it asked the background what the page is).
    await click(page, 'Open Inkling');
    await page.waitForSelector('::-p-text(Inkling Playground)');
    const html = await evaluateInContentScript<string>(
      page,
      world,
      `document.documentElement.outerHTML + JSON.stringify(Object.keys(globalThis))`,
    );
    expect(html).not.toContain(FIXTURES.token);
    // A content script cannot save settings: the background refuses it.
    const refused = await evaluateInContentScript<string>(
      page,
      world,
      `new Promise((resolve) => chrome.runtime.sendMessage({ id: 1, type: 'clearSettings', timestamp: Date.now() }, (r) => resolve(JSON.stringify(r ?? chrome.runtime.lastError?.message))))`,
    );
    expect(refused).toContain('refused');
    expect(Object.keys(await readExtensionStorage(world))).not.toHaveLength(0);
  });
});
