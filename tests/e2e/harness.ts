/// <reference types="chrome" />
// E2E harness: the production build in Debian's Chromium (or Firefox ESR, for the Firefox smoke suite),
// wired to the sandbox at the real host names. Waits on conditions, never on sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launch as launchChromium, type Browser, type CDPSession, type ElementHandle, type Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { isRegisteredKey } from '../../src/storage-keys.ts';
import { Sandbox } from '../sandbox/server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3');
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/firefox-mv3');
/** The build's gecko id (wxt.config.ts) and the moz-extension:// host the profile is told to give it. */
const FIREFOX_EXTENSION_ID = 'inkling@inkling.dev';
const FIREFOX_EXTENSION_UUID = '5b0c1f3e-4a1d-4c55-9b1e-1f2a3b4c5d6e';

/** Flags that keep Chromium quiet on a closed network and runnable as root (toolchain-and-e2e.md). */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-domain-reliability',
  '--no-pings',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

/**
 * The extension's service worker, found afresh for each call: after Chrome stops and restarts the
 * worker, puppeteer's own handle points at a context that is gone.
 */
export interface ExtensionWorker {
  evaluate<T, A extends unknown[]>(fn: string | ((...args: A) => T | Promise<T>), ...args: A): Promise<T>;
}

export interface World {
  sandbox: Sandbox;
  browser: Browser;
  /** Which browser runs: Chromium over the DevTools protocol, or Firefox over WebDriver BiDi. */
  kind: 'chromium' | 'firefox';
  extensionId: string;
  /** Where the extension's own pages are: chrome-extension://<id> or moz-extension://<uuid>. */
  extensionOrigin: string;
  userDataDir: string;
  /** The extension's service worker, whichever instance is running now (Chromium only). */
  worker(): Promise<ExtensionWorker>;
  /** Closes the browser only, keeping the profile (for "close and reopen" tests). */
  closeBrowser(): Promise<void>;
  /** Opens the browser again on the same profile. */
  reopenBrowser(): Promise<void>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  sandbox?: Sandbox;
  browser?: 'chromium' | 'firefox';
  /** A window on the screen (the demo, where a display exists); headless otherwise. */
  headless?: boolean;
  /** The browser's language and locale ("de-DE"), as a person abroad has it; Chromium only. */
  locale?: string;
}

async function startBrowser(
  sandbox: Sandbox,
  userDataDir: string,
  headless = true,
  locale?: string,
): Promise<{ browser: Browser; extensionId: string }> {
  const browser = await launchChromium({
    executablePath: CHROMIUM,
    headless,
    // A window keeps its own size; headless pages get puppeteer's default.
    ...(headless ? {} : { defaultViewport: null }),
    enableExtensions: true,
    pipe: true,
    userDataDir,
    // English (US) unless a test asks otherwise, whatever the machine's own locale. Chromium on Linux
    // takes its language from LANGUAGE, not from --lang.
    env: { ...process.env, LANGUAGE: (locale ?? 'en-US').replace('-', '_') },
    args: [...QUIET_FLAGS, ...sandbox.chromiumArgs(), `--lang=${locale ?? 'en-US'}`],
  });
  const extensionId = await browser.installExtension(EXTENSION_DIR);
  await releaseRestartedWorkers(browser, extensionId);
  return { browser, extensionId };
}

const firefoxBrowsers = new WeakSet<Browser>();

/**
 * Firefox ESR over WebDriver BiDi with the Firefox build installed as a temporary add-on. The profile
 * is told the add-on's moz-extension:// host in advance (Firefox otherwise picks a random one), the
 * proxy preferences send the real host names to the sandbox, and the session accepts its certificate.
 */
async function startFirefox(
  sandbox: Sandbox,
  userDataDir: string,
  headless = true,
): Promise<{ browser: Browser; extensionId: string }> {
  const browser = await launchChromium({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless,
    userDataDir,
    acceptInsecureCerts: true,
    // Firefox 153's WebDriver BiDi navigates only to web addresses unless system access is allowed:
    // without this flag it refuses to open the add-on's own moz-extension:// pages (the popup).
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      ...sandbox.firefoxPrefs(),
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_EXTENSION_ID]: FIREFOX_EXTENSION_UUID }),
    },
  });
  const extensionId = await browser.installExtension(FIREFOX_EXTENSION_DIR);
  firefoxBrowsers.add(browser);
  return { browser, extensionId };
}

/**
 * Puppeteer attaches to every worker with "wait for the debugger on start". It releases a worker
 * the first time, but not one that Chrome stops and starts again: that one would wait forever.
 * This watches the extension's worker from a page of its own origin and lets each restart run.
 */
async function releaseRestartedWorkers(browser: Browser, extensionId: string): Promise<void> {
  const page = await browser.newPage();
  await page.goto(`chrome-extension://${extensionId}/manifest.json`);
  const session = await page.createCDPSession();
  session.on('ServiceWorker.workerVersionUpdated', (event) => {
    if (!event.versions.some((v) => v.runningStatus === 'starting')) return;
    void (async () => {
      const target = browser
        .targets()
        .find((t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`));
      const worker = await target?.createCDPSession().catch(() => undefined);
      await worker?.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
      await worker?.detach().catch(() => undefined);
    })();
  });
  await session.send('ServiceWorker.enable');
  workerControl.set(browser, session);
}

/** Per browser: a DevTools session that can see (and stop) the extension's worker. */
const workerControl = new WeakMap<Browser, CDPSession>();

async function evaluateInWorker<T>(browser: Browser, extensionId: string, expression: string): Promise<T> {
  return waitFor(async () => {
    const target = await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`),
    );
    const session = await target.createCDPSession();
    try {
      const ready = await session.send('Runtime.evaluate', {
        expression: 'typeof chrome !== "undefined" && !!chrome.runtime?.id',
        returnByValue: true,
      });
      // The first evaluate can race the worker's own script: wait until the extension API is there.
      if (ready.result.value !== true) return undefined;
      const result = await session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (result.exceptionDetails)
        throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
      return { value: result.result.value as T };
    } finally {
      await session.detach().catch(() => undefined);
    }
  }, 'the service worker').then((r) => r.value);
}

export async function launch(options: LaunchOptions = {}): Promise<World> {
  const sandbox = options.sandbox ?? (await Sandbox.start());
  const userDataDir = mkdtempSync(join(tmpdir(), 'inkling-profile-'));
  const kind = options.browser ?? 'chromium';
  const start = kind === 'firefox' ? startFirefox : startBrowser;
  let { browser, extensionId } = await start(sandbox, userDataDir, options.headless, options.locale);
  const world: World = {
    sandbox,
    kind,
    get extensionOrigin() {
      return kind === 'firefox' ? `moz-extension://${FIREFOX_EXTENSION_UUID}` : `chrome-extension://${extensionId}`;
    },
    get browser() {
      return browser;
    },
    get extensionId() {
      return extensionId;
    },
    userDataDir,
    async worker() {
      if (kind === 'firefox') throw new Error('Firefox has no DevTools protocol here: drive it through its UI.');
      return {
        evaluate: (fn, ...args) =>
          evaluateInWorker(
            browser,
            extensionId,
            typeof fn === 'string' ? fn : `(${fn.toString()})(...${JSON.stringify(args)})`,
          ),
      };
    },
    async closeBrowser() {
      await browser.close();
    },
    async reopenBrowser() {
      ({ browser, extensionId } = await start(sandbox, userDataDir, options.headless, options.locale));
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (!options.sandbox) await sandbox.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  } as World;
  return world;
}

/** Polls until `check` returns a truthy value; fails with `message` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  message = 'condition',
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${message}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function openPopup(world: World, options: { beforeLoad?: string } = {}): Promise<Page> {
  const page = await world.browser.newPage();
  if (options.beforeLoad) await page.evaluateOnNewDocument(options.beforeLoad);
  await gotoExtensionPage(world, page, 'popup.html');
  await page.waitForSelector('::-p-aria([name="Settings"][role="tab"])');
  return page;
}

/**
 * Opens one of the extension's own pages. Firefox loads moz-extension:// pages in the add-on process and
 * never reports that navigation's end over BiDi, so there the load is started and the caller waits for
 * what it needs on the page.
 */
async function gotoExtensionPage(world: World, page: Page, path: string): Promise<void> {
  const url = `${world.extensionOrigin}/${path}`;
  if (world.kind === 'chromium') {
    await page.goto(url);
    return;
  }
  void page.goto(url, { timeout: 5_000 }).catch(() => undefined);
  await waitFor(() => page.url() === url || page.evaluate(() => location.href).then((href) => href === url), url);
}

export async function openNotion(world: World, path: string): Promise<Page> {
  const page = await world.browser.newPage();
  await page.goto(`https://www.notion.so${path}`);
  return page;
}

/** The control a user finds by its label or name (the accessibility tree, as a screen reader would). */
export function byLabel(page: Page, label: string, role?: string): string {
  return role ? `::-p-aria([name="${label}"][role="${role}"])` : `::-p-aria(${label})`;
}

/**
 * Waits for the control a selector finds. Firefox's accessibility locator does not descend into shadow
 * roots, so there the panel's own shadow root is searched too (its controls are found by the same
 * accessible names and roles, from inside).
 */
async function waitForControl(page: Page, selector: string): Promise<ElementHandle> {
  if (!firefoxBrowsers.has(page.browser())) return (await page.waitForSelector(selector))!;
  return waitFor(
    async () => {
      const found = await page.$(selector);
      if (found) return found;
      const root = await page.$('inkling-panel').then((host) => host?.evaluateHandle((h) => h.shadowRoot));
      return (await root?.asElement()?.$(selector)) ?? undefined;
    },
    selector,
    30_000,
  );
}

/** Replaces a text field's content as a user typing would. */
export async function typeInto(page: Page, label: string, text: string): Promise<void> {
  const field = await waitForControl(page, byLabel(page, label));
  await field!.click({ count: 3 });
  await page.keyboard.press('Backspace');
  if (text) await field!.type(text);
}

/** Clicks a control by its name once it is enabled (a click on a disabled button does nothing). */
export async function click(page: Page, name: string, role = 'button'): Promise<void> {
  const el = await waitForControl(page, byLabel(page, name, role));
  await waitFor(() => el!.evaluate((node) => !(node as HTMLButtonElement).disabled), `“${name}” to be enabled`);
  await el!.click();
}

/** Chooses the option of a select (by its label) whose text starts with `text`. */
export async function chooseOption(page: Page, label: string, text: string): Promise<void> {
  const select = await waitForControl(page, byLabel(page, label, 'combobox'));
  await select!.evaluate((node, wanted) => {
    const s = node as HTMLSelectElement;
    const option = [...s.options].find((o) => o.textContent?.startsWith(wanted));
    if (!option) throw new Error(`No option “${wanted}” in ${[...s.options].map((o) => o.textContent).join(' | ')}`);
    s.value = option.value;
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, text);
}

export async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => el.textContent ?? '');
}

/** Text of an element inside the panel's shadow root ('' when absent). */
export function panelText(page: Page, selector: string): Promise<string> {
  return page
    .$eval('inkling-panel', (host, sel) => host.shadowRoot?.querySelector(sel)?.textContent ?? '', selector)
    .catch(() => '');
}

/** Opens the panel on a notion.so page and waits for it to name its target. */
export async function openPanel(page: Page, title: string): Promise<void> {
  await click(page, 'Open Inkling');
  await waitFor(
    async () => (await panelText(page, '[data-testid="target"]')).includes(title),
    `the panel to show “${title}”`,
  );
}

/** Waits until the run's status line says `expected` (a substring), and returns it. */
export function runStatus(page: Page, expected: string, timeoutMs = 60_000, root?: string): Promise<string> {
  return waitFor(
    async () => {
      const text = root
        ? await page
            .$eval(root, (el) => el.querySelector('[data-testid="run-status"]')?.textContent ?? '')
            .catch(() => '')
        : await panelText(page, '[data-testid="run-status"]');
      return text.includes(expected) ? text : '';
    },
    `the run status “${expected}”`,
    timeoutMs,
  );
}

/** Runs an expression in the extension's content-script world of a notion.so page. */
export async function evaluateInContentScript<T>(page: Page, world: World, expression: string): Promise<T> {
  const session: CDPSession = await page.createCDPSession();
  const contexts: Array<{ id: number; origin: string; auxData?: { type?: string; isDefault?: boolean } }> = [];
  session.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
  await session.send('Runtime.enable');
  const context = await waitFor(
    () =>
      contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${world.extensionId}`),
    'the content script world',
  );
  const result = await session.send('Runtime.evaluate', {
    expression,
    contextId: context.id,
    awaitPromise: true,
    returnByValue: true,
  });
  await session.detach();
  if (result.exceptionDetails) {
    throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
  }
  return result.result.value as T;
}

export interface Configuration {
  engine?: 'gemini' | 'openai' | 'compatible' | 'chrome';
  notionToken?: string;
  geminiKey?: string;
  openaiKey?: string;
  baseUrl?: string;
  models?: Record<string, string>;
  limitPresets?: Record<string, string>;
}

/**
 * Saved settings, written straight into storage (the Settings tab's own tests cover saving through
 * the UI): the sandbox's Notion secret and Gemini key unless told otherwise.
 */
export async function configure(world: World, config: Configuration = {}): Promise<void> {
  const { FIXTURES } = await import('../sandbox/notion/index.ts');
  const worker = await world.worker();
  const secrets: Record<string, string> = {
    notionToken: config.notionToken ?? FIXTURES.token,
    geminiKey: config.geminiKey ?? world.sandbox.models.keys.gemini,
    openaiKey: config.openaiKey ?? world.sandbox.models.keys.openai,
  };
  const settings = {
    engine: config.engine ?? 'gemini',
    models: config.models ?? {},
    limitPresets: config.limitPresets ?? {},
    baseUrl: config.baseUrl ?? '',
    connectionsDatabase: null,
    workspaceName: 'Inkling Sandbox',
    secretHints: {},
    savedAt: Date.now(),
  };
  await worker.evaluate((s) => chrome.storage.local.set({ settings: s }), settings);
  await writeSecrets(world, secrets);
}

/**
 * Reads (`value` undefined), writes, or (`value` null) removes the secrets record in the extension
 * origin's IndexedDB — where the background keeps secrets — from the worker.
 */
function secretsRecord(
  mode: 'read' | 'write',
  value?: Record<string, string> | null,
): Promise<Record<string, string> | null> {
  return new Promise((done, fail) => {
    const open = indexedDB.open('inkling-secrets');
    open.addEventListener('upgradeneeded', () => open.result.createObjectStore('secrets'));
    open.addEventListener('error', () => fail(open.error));
    open.addEventListener('success', () => {
      const db = open.result;
      const tx = db.transaction('secrets', mode === 'read' ? 'readonly' : 'readwrite');
      const store = tx.objectStore('secrets');
      let result: Record<string, string> | null = null;
      if (mode === 'read') {
        const request = store.get('secrets');
        request.addEventListener(
          'success',
          () => (result = (request.result as Record<string, string> | undefined) ?? null),
        );
      } else if (value) store.put(value, 'secrets');
      else store.delete('secrets');
      tx.addEventListener('complete', () => {
        db.close();
        done(result);
      });
      tx.addEventListener('error', () => fail(tx.error));
    });
  });
}

/** Saves secrets where the background keeps them, as Save would. */
export async function writeSecrets(world: World, secrets: Record<string, string>): Promise<void> {
  await (await world.worker()).evaluate(secretsRecord, 'write', secrets);
}

/** The secrets the background holds ({} when none). */
export async function readSecrets(world: World): Promise<Record<string, string>> {
  return ((await (await world.worker()).evaluate(secretsRecord, 'read')) as Record<string, string> | null) ?? {};
}

/** Empties everything the extension keeps: storage.local and the secrets. */
export async function clearExtension(world: World): Promise<void> {
  const worker = await world.worker();
  await worker.evaluate(() => chrome.storage.local.clear());
  await worker.evaluate(secretsRecord, 'write', null);
}

/**
 * Stops the extension's service worker, as Chrome does when it is idle or short of memory, through
 * the DevTools protocol (ServiceWorker.stopWorker). Resolves once Chrome reports it stopped.
 */
export async function stopWorker(world: World): Promise<void> {
  const session = workerControl.get(world.browser);
  if (!session) throw new Error('No DevTools session watches the worker.');
  const stopped = new Promise<void>((done) => {
    const listener = (event: { versions: Array<{ runningStatus: string }> }) => {
      if (event.versions.some((v) => v.runningStatus === 'stopped')) {
        session.off('ServiceWorker.workerVersionUpdated', listener);
        done();
      }
    };
    session.on('ServiceWorker.workerVersionUpdated', listener);
  });
  await session.send('ServiceWorker.stopAllWorkers');
  await stopped;
}

/** Reads chrome.storage.local from the service worker (a trusted context). */
export async function readExtensionStorage(world: World): Promise<Record<string, unknown>> {
  const worker = await world.worker();
  return worker.evaluate(() => chrome.storage.local.get(null));
}

export interface SuiteOptions {
  /** Saved settings for each test (see configure); false to start every test with none. */
  configure?: Configuration | false;
  /** The sandbox's model servers' pace for each test. */
  models?: { timeToFirstTokenMs?: number; tokensPerSecond?: number };
  /** How the file's browser is launched (its locale, say). */
  launch?: Pick<LaunchOptions, 'locale'>;
}

/**
 * One browser and sandbox for a test file, and a clean slate before each test: the sandbox reset,
 * the pages a test opened closed, extension storage emptied, then the given settings saved.
 * `world` stands for the running world (it is launched in beforeAll); `pages` collects pages to close.
 */
export function useWorld(options: SuiteOptions = {}): { world: World; pages: Page[] } {
  let current: World | undefined;
  const pages: Page[] = [];
  const world = new Proxy({} as World, {
    get: (_target, key) => {
      if (!current) throw new Error('The world is launched in beforeAll.');
      return Reflect.get(current, key);
    },
  });
  beforeAll(async () => {
    current = await launch(options.launch);
  });
  afterAll(() => current?.close());
  // Whatever the test made Inkling store is under a key the storage registry declares (so Clear finds it).
  afterEach(async () => {
    const keys = Object.keys(await readExtensionStorage(world).catch(() => ({})));
    expect(
      keys.filter((key) => !isRegisteredKey(key)),
      'storage keys the registry does not declare',
    ).toEqual([]);
  });
  beforeEach(async () => {
    world.sandbox.reset();
    world.sandbox.notion.clearRequestLog();
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => undefined)));
    await clearExtension(world);
    if (options.configure !== false) await configure(world, options.configure ?? {});
    if (options.models) world.sandbox.models.configure(options.models);
  });
  return { world, pages };
}
