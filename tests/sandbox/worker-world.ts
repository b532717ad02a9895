// The outside world for unit tests of the background's message handlers, in one Node process: the
// Notion API and an OpenAI-compatible model server on 127.0.0.1, settings and secrets as Save leaves
// them, and the handlers' messages delivered as Chrome would deliver them, from a chosen sender.
//
// The handlers make their own Notion clients (createNotionClient with the saved secret, no address),
// so a test file points every client at the sandbox by mocking src/notion/client.ts:
//
//   const sandbox = vi.hoisted(() => ({ notionUrl: '' }));
//   vi.mock('../notion/client', async (importOriginal) => sandboxedNotionClient(await importOriginal(), sandbox));
//
// and sets `sandbox.notionUrl = world.notionUrl` once the world has started.
import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type * as NotionClientModule from '../../src/notion/client.ts';
import { NotionPacer } from '../../src/notion/pacer.ts';
import { STATE_PORT, type ProtocolMap, type StatePortMessage, type StatePortRequest } from '../../src/messaging.ts';
import type { SenderInfo } from '../../src/background/senders.ts';
import { DEFAULT_SETTINGS, type Secrets, type Settings } from '../../src/shared/settings.ts';
import { settingsItem, writeSecrets } from '../../src/storage.ts';
import { ModelApis } from './models/index.ts';
import { FIXTURES, NotionApi } from './notion/index.ts';
import { serveHandler, type Served } from './serve.ts';

export { FIXTURES };

/** The module src/notion/client.ts, with every client it makes sent to the sandbox through one fast pacer. */
export function sandboxedNotionClient(
  actual: typeof NotionClientModule,
  sandbox: { notionUrl: string },
): typeof NotionClientModule {
  const pacer = new NotionPacer({ requestsPerSecond: 1_000, transientBaseDelayMs: 1 });
  return {
    ...actual,
    createNotionClient: (token, options = {}) =>
      actual.createNotionClient(token, { pacer, ...options, baseUrl: sandbox.notionUrl }),
  };
}

export interface WorkerWorld {
  notion: NotionApi;
  models: ModelApis;
  /** http://127.0.0.1:<port>, standing for https://api.notion.com. */
  notionUrl: string;
  /** The OpenAI-compatible server's Base URL, as a user types it into Settings (…/v1). */
  modelBaseUrl: string;
  close(): Promise<void>;
}

export async function startWorkerWorld(): Promise<WorkerWorld> {
  const notion = new NotionApi();
  const models = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
  const notionServer: Served = await serveHandler(
    (req, res) => notion.handle(req, res),
    () => 'https://api.notion.com',
  );
  const modelServer: Served = await serveHandler(
    (req, res) => models.handleCompatible(req, res),
    (port) => `http://127.0.0.1:${port}`,
  );
  return {
    notion,
    models,
    notionUrl: notionServer.url,
    modelBaseUrl: `${modelServer.url}/v1`,
    close: async () => {
      await Promise.all([notionServer.close(), modelServer.close()]);
    },
  };
}

/** The compatible server's model every test run uses. */
export const SANDBOX_MODEL = 'llama3.2:latest';
/** A key saved for the compatible server: it must never show up where a screen or a log can read it. */
export const SANDBOX_COMPATIBLE_KEY = 'sk-local-InklingWorkerWorld0001';

/** Settings and secrets as a successful Save leaves them: the fixture workspace and the sandbox's model server. */
export async function saveSandboxSettings(
  world: WorkerWorld,
  extra: { settings?: Partial<Settings>; secrets?: Secrets } = {},
): Promise<void> {
  await settingsItem.setValue({
    ...DEFAULT_SETTINGS,
    engine: 'compatible',
    models: { compatible: SANDBOX_MODEL },
    limitPresets: { compatible: 'local' },
    baseUrl: world.modelBaseUrl,
    workspaceName: FIXTURES.workspaceName,
    secretHints: { notionToken: 'ntn_…2is', compatibleKey: 'sk-l…0001' },
    savedAt: Date.now(),
    ...extra.settings,
  });
  await writeSecrets(extra.secrets ?? { notionToken: FIXTURES.token, compatibleKey: SANDBOX_COMPATIBLE_KEY });
}

// ---- senders, as Chrome describes them (fakeBrowser's extension id and origin)

const ID = fakeBrowser.runtime.id;
const ORIGIN = fakeBrowser.runtime.getURL('/');

export const SENDERS = {
  /** The popup (or Settings opened as a tab): Inkling's own page. */
  popup: { id: ID, url: `${ORIGIN}popup.html` },
  /** The panel: Inkling's content script in the top frame of a notion.so tab. */
  panel: {
    id: ID,
    url: 'https://www.notion.so/Inkling-Playground-c0000000000040008000000000000001',
    tab: { id: 7 },
    frameId: 0,
  },
  /** Inkling's content script, but in a frame inside the Notion tab. */
  notionFrame: { id: ID, url: 'https://www.notion.so/embed', tab: { id: 7 }, frameId: 3 },
  /** Inkling's content script on a page that is not notion.so (a look-alike host). */
  webPage: { id: ID, url: 'https://www.notion.so.evil.example/page', tab: { id: 8 }, frameId: 0 },
  /** Another extension's page. */
  otherExtension: {
    id: 'abcdefghijklmnopabcdefghijklmnop',
    url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/popup.html',
  },
  /** A sender that says nothing about itself. */
  empty: {},
} satisfies Record<string, SenderInfo>;

export type Ask = <K extends keyof ProtocolMap>(
  name: K,
  data: Parameters<ProtocolMap[K]>[0] | unknown,
  sender?: SenderInfo,
) => Promise<ReturnType<ProtocolMap[K]>>;

/**
 * Runs `register` (which sets up @webext-core/messaging's onMessage handlers) and returns `ask`: a
 * message delivered as Chrome's runtime.onMessage delivers it, with `sender` as Chrome would describe
 * the sender (undefined: none at all). It answers what the screen's sendMessage resolves with, or
 * throws the Error its sendMessage throws. Call once per test file (messaging allows one handler per
 * name); fakeBrowser.reset() afterwards does not undo it.
 */
export function captureHandlers(register: () => void): Ask {
  const addListener = vi.spyOn(fakeBrowser.runtime.onMessage, 'addListener');
  register();
  const listener = addListener.mock.calls[0]?.[0] as
    ((message: unknown, sender: SenderInfo | undefined, respond: (response: unknown) => void) => boolean) | undefined;
  addListener.mockRestore();
  if (!listener) throw new Error('register() added no runtime.onMessage listener');
  let seq = 0;
  return (async (name: string, data: unknown, sender?: SenderInfo) => {
    const message = { id: ++seq, type: name, data, timestamp: Date.now() };
    const response = await new Promise<{ res?: unknown; err?: { name?: string; message: string } } | undefined>(
      (resolve) => {
        if (listener(message, sender, resolve as (response: unknown) => void) !== true) resolve(undefined);
      },
    );
    if (!response) throw new Error('No response');
    if (response.err) throw Object.assign(new Error(response.err.message), { name: response.err.name ?? 'Error' });
    return response.res;
  }) as Ask;
}

/** Waits until `check` answers something truthy (polling), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the state port, as the background sees a panel's or popup's end of it

type Listener<A extends unknown[]> = (...args: A) => void;

/** An extension event the test fires itself. */
export function fakeEvent<A extends unknown[]>() {
  const listeners: Array<Listener<A>> = [];
  return {
    addListener: (listener: Listener<A>) => void listeners.push(listener),
    removeListener: (listener: Listener<A>) => void listeners.splice(listeners.indexOf(listener), 1),
    hasListeners: () => listeners.length > 0,
    fire: (...args: A) => listeners.forEach((listener) => listener(...args)),
  };
}

/** A runtime.Port the panel or popup opened, as the background sees it; `sent` is what the background posted. */
export function fakePort(sender: SenderInfo | undefined, name = STATE_PORT) {
  const sent: StatePortMessage[] = [];
  const port = {
    name,
    sender,
    sent,
    onMessage: fakeEvent<[unknown]>(),
    onDisconnect: fakeEvent<[]>(),
    postMessage: vi.fn((message: StatePortMessage) => void sent.push(structuredClone(message))),
    disconnect: vi.fn(),
    /** The other side sends a request; the background's answer, if any, has gone out when this resolves. */
    async request(message: StatePortRequest | unknown) {
      port.onMessage.fire(message);
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
  return port;
}

export type FakePort = ReturnType<typeof fakePort>;

/**
 * Gives fakeBrowser a runtime.onConnect (it has none) and returns `connect`, which opens a port to
 * whatever registered a listener on it since.
 */
export function installOnConnect(): (sender: SenderInfo | undefined, name?: string) => FakePort {
  const onConnect = fakeEvent<[FakePort]>();
  (fakeBrowser.runtime as unknown as { onConnect: typeof onConnect }).onConnect = onConnect;
  return (sender, name) => {
    const port = fakePort(sender, name);
    onConnect.fire(port);
    return port;
  };
}
