// Notion's file host for unit tests in one Node process: the sandbox's bucket served on 127.0.0.1, and
// the global fetch sending it every request to that host (as a resolver rule does in a browser), while
// every other request goes where it was sent. Each host asked is logged, to show what was never fetched.
import { vi } from 'vitest';
import { NOTION_FILE_HOST } from '../../src/notion/files.ts';
import type { NotionApi } from './notion/index.ts';
import { serveHandler } from './serve.ts';

export interface FileHostRoute {
  /** The host of every request made since the last `reset`. */
  readonly fetchedHosts: string[];
  /** Called before each request reaches the bucket (to expire its addresses, say). */
  beforeBucket: () => void;
  reset(): void;
  close(): Promise<void>;
}

export async function routeFileHost(notion: NotionApi): Promise<FileHostRoute> {
  const realFetch = globalThis.fetch;
  const bucket = await serveHandler(
    (req, res) => notion.handleFileHost(req, res),
    () => `https://${NOTION_FILE_HOST}`,
  );
  const route: FileHostRoute = {
    fetchedHosts: [],
    beforeBucket: () => undefined,
    reset() {
      route.fetchedHosts.length = 0;
      route.beforeBucket = () => undefined;
    },
    async close() {
      vi.unstubAllGlobals();
      await bucket.close();
    },
  };
  vi.stubGlobal('fetch', (input: URL | string, init?: RequestInit) => {
    const url = new URL(String(input));
    route.fetchedHosts.push(url.hostname);
    if (url.hostname !== NOTION_FILE_HOST) return realFetch(input, init);
    route.beforeBucket();
    return realFetch(`${bucket.url}${url.pathname}${url.search}`, init);
  });
  return route;
}
