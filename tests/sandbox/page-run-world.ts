// For the tests of page runs and of the runner: the job world's Notion answering also where a client
// made the production way calls it (https://api.notion.com through globalThis.fetch: the runner and
// start.ts make their own clients from the stored secret), its model server at an address a JobEngine
// can name, and Notion failures and held requests in front of both ways in.
import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from './http-util.ts';
import { Faults, faultBody, type FaultRule } from './faults.ts';
import type { JobWorld } from './job-world.ts';
import { serveHandler } from './serve.ts';

const NOTION_ORIGIN = 'https://api.notion.com';

export interface PageRunWorld {
  /** The OpenAI-compatible server's base URL (…/v1), as Settings would hold it. */
  modelBaseUrl: string;
  /** Failures Notion answers with instead of applying the request (FaultRule: status, body, times, skip). */
  failNotion(rule: FaultRule & { status: number }): void;
  /**
   * Holds matching Notion requests (after letting the first `skip` through) until `release`; then
   * they land in order, even if their caller has given up.
   */
  hold(method: string, path: RegExp, skip?: number): { release: () => Promise<void>; count: () => number };
  /** No failures and no held requests any more (held ones are let through). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

interface Hold {
  matches: (req: SandboxRequest) => boolean;
  held: Array<() => void>;
  released: boolean;
}

export async function startPageRunWorld(world: JobWorld): Promise<PageRunWorld> {
  const faults = new Faults();
  let holds: Hold[] = [];
  const handle = world.notion.handle.bind(world.notion);
  world.notion.handle = async (req: SandboxRequest, res: ServerResponse) => {
    const hold = holds.find((h) => !h.released && h.matches(req));
    if (hold) await new Promise<void>((resolve) => hold.held.push(resolve));
    const rule = faults.take(req);
    if (rule?.status !== undefined) {
      const { contentType, text } = faultBody('api.notion.com', rule.status);
      res.writeHead(rule.status, { 'content-type': rule.body === undefined ? contentType : 'application/json' });
      res.end(rule.body === undefined ? text : JSON.stringify(rule.body));
      return;
    }
    await handle(req, res);
  };
  const notionServer = await serveHandler(
    (req, res) => world.notion.handle(req, res),
    () => NOTION_ORIGIN,
  );
  const modelServer = await serveHandler(
    (req, res) => world.models.handleCompatible(req, res),
    (port) => `http://127.0.0.1:${port}`,
  );
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(NOTION_ORIGIN)) return realFetch(input, init);
    const local = `${notionServer.url}${url.slice(NOTION_ORIGIN.length)}`;
    return realFetch(typeof input === 'string' || input instanceof URL ? local : new Request(local, input), init);
  };
  const releaseAll = async () => {
    for (const hold of holds) {
      hold.released = true;
      for (const resolve of hold.held.splice(0)) resolve();
    }
    holds = [];
    await new Promise((r) => setTimeout(r, 20));
  };
  return {
    modelBaseUrl: `${modelServer.url}/v1`,
    failNotion: (rule) => faults.add({ host: 'api.notion.com', ...rule }),
    hold(method, path, skip = 0) {
      let seen = 0;
      const hold: Hold = {
        matches: (req) => req.method === method && path.test(req.url.pathname) && ++seen > skip,
        held: [],
        released: false,
      };
      holds.push(hold);
      return {
        count: () => hold.held.length,
        release: async () => {
          hold.released = true;
          for (const resolve of hold.held.splice(0)) resolve();
          // Let the released requests reach Notion before the caller looks.
          await new Promise((r) => setTimeout(r, 50));
        },
      };
    },
    reset: async () => {
      faults.clear();
      await releaseAll();
    },
    close: async () => {
      await releaseAll();
      globalThis.fetch = realFetch;
      world.notion.handle = handle;
      await Promise.all([notionServer.close(), modelServer.close()]);
    },
  };
}

/** A Notion API error body, as Notion sends it with a 400. */
export function notionValidationError(message: string): {
  object: 'error';
  status: 400;
  code: 'validation_error';
  message: string;
} {
  return { object: 'error', status: 400, code: 'validation_error', message };
}
