// The in-process Notion API (a JobWorld's) behind a second door with faults in front of it, for the
// connections mirror's tests: Notion answering 503s, dropping connections, or applying a write and then
// losing its answer. The code under test reaches it through Inkling's own client (createNotionClient,
// with its own fast pacer), or, for code that builds its client from the stored secret against
// https://api.notion.com, through a fetch that sends api.notion.com here instead.
import { ServerResponse } from 'node:http';
import type { Client } from '@notionhq/client';
import { createNotionClient } from '../../src/notion/client.ts';
import { NotionPacer, type PacerOptions } from '../../src/notion/pacer.ts';
import { dropConnection, sleep } from './http-util.ts';
import { Faults, faultBody, type FaultRule } from './faults.ts';
import type { NotionApi } from './notion/index.ts';
import { serveHandler } from './serve.ts';

export interface FaultyNotion {
  /** http://127.0.0.1:<port> */
  url: string;
  faults: Faults;
  /** Adds a fault rule for api.notion.com (see FaultRule). */
  fault(rule: FaultRule): void;
  /** flushMirror's clientFor: Inkling's client for this token, paced by a fast pacer of its own. */
  clientFor(token: string, pacer?: PacerOptions): Client;
  /** Makes globalThis.fetch send https://api.notion.com requests to this door; returns the undo. */
  redirectNotionHost(): () => void;
  close(): Promise<void>;
}

export async function startFaultyNotion(notion: NotionApi): Promise<FaultyNotion> {
  const faults = new Faults();
  const served = await serveHandler(
    async (req, res) => {
      const fault = faults.take(req);
      if (!fault) return notion.handle(req, res);
      if (fault.delayMs) await sleep(fault.delayMs);
      // Notion applies the request; its answer goes nowhere.
      if (fault.afterApplying) await notion.handle(req, new ServerResponse(req.raw));
      if (fault.drop) return dropConnection(res);
      if (fault.status === undefined) {
        if (!fault.afterApplying) await notion.handle(req, res);
        return;
      }
      const { contentType, text } =
        fault.body === undefined
          ? faultBody('api.notion.com', fault.status)
          : { contentType: 'application/json', text: JSON.stringify(fault.body) };
      res.writeHead(fault.status, { 'content-type': contentType, ...fault.headers });
      res.end(text);
    },
    () => 'https://api.notion.com',
  );
  return {
    url: served.url,
    faults,
    fault: (rule) => faults.add({ host: 'api.notion.com', ...rule }),
    clientFor: (token, pacer) =>
      createNotionClient(token, {
        pacer: new NotionPacer({ requestsPerSecond: 1_000, transientBaseDelayMs: 1, ...pacer }),
        baseUrl: served.url,
      }),
    redirectNotionHost() {
      const original = globalThis.fetch;
      globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!href.startsWith('https://api.notion.com/')) return original(input, init);
        return original(served.url + href.slice('https://api.notion.com'.length), init);
      }) as typeof fetch;
      return () => {
        globalThis.fetch = original;
      };
    },
    close: () => served.close(),
  };
}
