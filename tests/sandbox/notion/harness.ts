// Test harness: the emulator behind a plain node:http server on 127.0.0.1, and real @notionhq/client
// instances pointed at it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, LogLevel } from '@notionhq/client';
import { readBody } from '../http-util.ts';
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
  close(): Promise<void>;
}

export async function startNotionHarness(api: NotionApi = new NotionApi()): Promise<NotionHarness> {
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    await api.handle(
      { method: req.method ?? 'GET', url: new URL(`https://api.notion.com${req.url ?? '/'}`), headers: req.headers, body, raw: req },
      res,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
