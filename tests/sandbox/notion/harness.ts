// Test harness: the emulator behind a plain node:http server on 127.0.0.1, and real @notionhq/client
// instances pointed at it.
import { Client, LogLevel } from '@notionhq/client';
import { serveHandler } from '../serve.ts';
import { FIXTURES, NotionApi } from './index.ts';

export interface NotionHarness {
  api: NotionApi;
  baseUrl: string;
  /** A client with retries off and quiet logging; `auth` defaults to the fixture integration secret. */
  client(auth?: string, options?: { notionVersion?: string }): Client;
  /**
   * A raw request, for what the SDK cannot send (bad JSON, missing headers, unknown routes). Sends the
   * fixture token and Notion-Version unless overridden; a header set to '' is left out.
   */
  raw(method: string, path: string, init?: { body?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Fetches a signed file URL (https://prod-files-secure.s3…) from the emulated bucket, path and query unchanged. */
  fetchFile(url: string, init?: { method?: string }): Promise<Response>;
  close(): Promise<void>;
}

export async function startNotionHarness(api: NotionApi = new NotionApi()): Promise<NotionHarness> {
  const served = await serveHandler(
    (req, res) => api.handle(req, res),
    () => 'https://api.notion.com',
  );
  const files = await serveHandler(
    (req, res) => api.handleFileHost(req, res),
    () => 'https://prod-files-secure.s3.us-west-2.amazonaws.com',
  );
  const baseUrl = served.url;
  return {
    api,
    baseUrl,
    client: (auth = FIXTURES.token, options = {}) =>
      new Client({ auth, baseUrl, retry: false, logLevel: LogLevel.ERROR, notionVersion: options.notionVersion }),
    raw: (method, path, init = {}) =>
      fetch(`${baseUrl}${path}`, {
        method,
        ...(init.body === undefined ? {} : { body: init.body }),
        headers: Object.fromEntries(
          Object.entries({
            authorization: `Bearer ${FIXTURES.token}`,
            'notion-version': '2025-09-03',
            'content-type': 'application/json',
            ...init.headers,
          }).filter(([, v]) => v !== ''),
        ),
      }),
    fetchFile: (url, init = {}) => {
      const { pathname, search } = new URL(url);
      return fetch(`${files.url}${pathname}${search}`, { method: init.method ?? 'GET' });
    },
    close: async () => {
      await Promise.all([served.close(), files.close()]);
    },
  };
}
