// The one place Notion clients are made. Everything that speaks Notion takes a Client from here.
import { Client, LogLevel } from '@notionhq/client';
import { pacerFor, type NotionPacer } from './pacer';

/** The API version Inkling speaks: data sources, `position` and `in_trash` only, heading_4. */
export const NOTION_VERSION = '2026-03-11';
/**
 * The SDK's own timeout only races a request (it does not abort it), and it counts time spent waiting
 * in the pacer's queue: a request it gave up on would still be sent later. So it is set beyond any wait
 * the pacer allows, and the pacer's per-attempt limit (NOTION_ATTEMPT_TIMEOUT_MS) is the real one.
 */
const SDK_RACE_TIMEOUT_MS = 2 ** 31 - 1;

export interface NotionClientOptions {
  pacer?: NotionPacer;
  /** Aborts every request of this client: queued ones never leave, in-flight ones are cut (a run's Cancel). */
  signal?: AbortSignal;
  /** Awaited as each request of this client leaves the pacer's queue for the wire (see PacedInit). */
  onDispatch?: () => Promise<void>;
  /** Only tests point a client elsewhere. */
  baseUrl?: string;
}

export function createNotionClient(token: string, options: NotionClientOptions = {}): Client {
  const pacer = options.pacer ?? pacerFor(token);
  const { signal, onDispatch } = options;
  const extra = { ...(signal ? { signal } : {}), ...(onDispatch ? { onDispatch } : {}) };
  return new Client({
    auth: token,
    notionVersion: NOTION_VERSION,
    timeoutMs: SDK_RACE_TIMEOUT_MS,
    // The pacer is the single retry layer (see pacer.ts).
    retry: false,
    fetch: (input, init) => pacer.fetch(input, { ...(init as RequestInit), ...extra }),
    logLevel: LogLevel.ERROR,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
}
