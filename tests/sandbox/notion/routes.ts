// The HTTP side of the emulator: the route table, then for every request the checks Notion makes
// before an operation runs — known URL, bearer token, Notion-Version, rate limit, body size, JSON —
// and the error objects when one fails. Everything is logged for tests.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { parseJsonBody, sendJson, type SandboxRequest } from '../http-util.ts';
import {
  failed,
  invalidJson,
  invalidRequestUrl,
  missingVersion,
  NotionError,
  oneOf,
  rateLimited,
  unauthorized,
  validation,
} from './errors.ts';
import { API_VERSIONS, MAX_BODY_BYTES, VERSION_WITHOUT_ARCHIVED, VERSION_WITH_HEADING_4 } from './limits.ts';
import * as ops from './operations.ts';
import type { OpContext } from './operations.ts';
import type { TokenBuckets } from './rate-limit.ts';
import type { ApiObject } from './render.ts';
import type { Store } from './store.ts';

export interface RequestLogEntry {
  method: string;
  /** Path and query string as requested. */
  path: string;
  /** `${METHOD} ${route pattern}`, e.g. "PATCH /v1/blocks/:id/children"; the raw path when no route matched. */
  route: string;
  /** Bearer token sent, if any. */
  token: string | undefined;
  /** The Notion-Version header sent, if any. */
  version: string | undefined;
  status: number;
  /** The parsed JSON body (undefined when none, or when it was not JSON). */
  body: unknown;
  /** Date.now() when the request was answered. */
  at: number;
}

type Params = Record<string, string>;
type Handler = (ctx: OpContext, p: Params, body: unknown, query: URLSearchParams) => ApiObject;

interface Route {
  method: string;
  /** Segments starting with ':' are parameters; the name after the colon is Notion's parameter name. */
  pattern: string;
  handler: Handler;
}

const id = (p: Params, name: string): string => ops.pathId(p[name] ?? '', name);

// Literal routes (users/me) come before parameterised ones that would also match.
const ROUTES: Route[] = [
  { method: 'GET', pattern: '/v1/users/me', handler: (ctx) => ops.getSelf(ctx) },
  { method: 'GET', pattern: '/v1/users', handler: (ctx, _p, _b, q) => ops.listUsers(ctx, q) },
  { method: 'GET', pattern: '/v1/users/:user_id', handler: (ctx, p) => ops.getUser(ctx, id(p, 'user_id')) },
  { method: 'POST', pattern: '/v1/databases', handler: (ctx, _p, b) => ops.createDatabase(ctx, b) },
  {
    method: 'GET',
    pattern: '/v1/databases/:database_id',
    handler: (ctx, p) => ops.getDatabase(ctx, id(p, 'database_id')),
  },
  {
    method: 'PATCH',
    pattern: '/v1/databases/:database_id',
    handler: (ctx, p, b) => ops.updateDatabase(ctx, id(p, 'database_id'), b),
  },
  { method: 'POST', pattern: '/v1/data_sources', handler: (ctx, _p, b) => ops.createDataSource(ctx, b) },
  {
    method: 'GET',
    pattern: '/v1/data_sources/:data_source_id',
    handler: (ctx, p) => ops.getDataSource(ctx, id(p, 'data_source_id')),
  },
  {
    method: 'PATCH',
    pattern: '/v1/data_sources/:data_source_id',
    handler: (ctx, p, b) => ops.updateDataSource(ctx, id(p, 'data_source_id'), b),
  },
  {
    method: 'POST',
    pattern: '/v1/data_sources/:data_source_id/query',
    handler: (ctx, p, b, q) => ops.queryDataSource(ctx, id(p, 'data_source_id'), b, q),
  },
  {
    method: 'GET',
    pattern: '/v1/data_sources/:data_source_id/templates',
    handler: (ctx, p) => ops.listDataSourceTemplates(ctx, id(p, 'data_source_id')),
  },
  { method: 'POST', pattern: '/v1/pages', handler: (ctx, _p, b, q) => ops.createPage(ctx, b, q) },
  { method: 'GET', pattern: '/v1/pages/:page_id', handler: (ctx, p, _b, q) => ops.getPage(ctx, id(p, 'page_id'), q) },
  {
    method: 'GET',
    pattern: '/v1/pages/:page_id/markdown',
    handler: (ctx, p) => ops.getPageMarkdown(ctx, id(p, 'page_id')),
  },
  {
    method: 'PATCH',
    pattern: '/v1/pages/:page_id',
    handler: (ctx, p, b, q) => ops.updatePage(ctx, id(p, 'page_id'), b, q),
  },
  {
    method: 'GET',
    pattern: '/v1/pages/:page_id/properties/:property_id',
    handler: (ctx, p, _b, q) => ops.getPageProperty(ctx, id(p, 'page_id'), p.property_id ?? '', q),
  },
  { method: 'GET', pattern: '/v1/blocks/:block_id', handler: (ctx, p) => ops.getBlock(ctx, id(p, 'block_id')) },
  {
    method: 'PATCH',
    pattern: '/v1/blocks/:block_id',
    handler: (ctx, p, b) => ops.updateBlock(ctx, id(p, 'block_id'), b),
  },
  { method: 'DELETE', pattern: '/v1/blocks/:block_id', handler: (ctx, p) => ops.deleteBlock(ctx, id(p, 'block_id')) },
  {
    method: 'GET',
    pattern: '/v1/blocks/:block_id/children',
    handler: (ctx, p, _b, q) => ops.listBlockChildren(ctx, id(p, 'block_id'), q),
  },
  {
    method: 'PATCH',
    pattern: '/v1/blocks/:block_id/children',
    handler: (ctx, p, b) => ops.appendBlockChildren(ctx, id(p, 'block_id'), b),
  },
  { method: 'POST', pattern: '/v1/search', handler: (ctx, _p, b) => ops.search(ctx, b) },
  { method: 'GET', pattern: '/v1/views', handler: (ctx, _p, _b, q) => ops.listViews(ctx, q) },
  { method: 'GET', pattern: '/v1/views/:view_id', handler: (ctx, p) => ops.getView(ctx, id(p, 'view_id')) },
  {
    method: 'POST',
    pattern: '/v1/views/:view_id/queries',
    handler: (ctx, p, b) => ops.createViewQuery(ctx, id(p, 'view_id'), b),
  },
  {
    method: 'GET',
    pattern: '/v1/views/:view_id/queries/:query_id',
    handler: (ctx, p, _b, q) => ops.getViewQueryResults(ctx, id(p, 'view_id'), id(p, 'query_id'), q),
  },
  {
    method: 'DELETE',
    pattern: '/v1/views/:view_id/queries/:query_id',
    handler: (ctx, p) => ops.deleteViewQuery(ctx, id(p, 'view_id'), id(p, 'query_id')),
  },
];

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The route for a method and path; a known path with another method is as unknown as any. */
export function matchRoute(method: string, pathname: string): { route: Route; params: Params } | undefined {
  const segments = pathname.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const parts = route.pattern.split('/');
    if (parts.length !== segments.length) continue;
    const params: Params = {};
    const ok = parts.every((part, i) => {
      const seg = segments[i] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = safeDecode(seg);
        return seg !== '';
      }
      return part === seg;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

/** Route patterns in the form the request log uses ("PATCH /v1/blocks/:id/children"). */
export function routeLabel(route: Route): string {
  return `${route.method} ${route.pattern.replace(/:\w+/g, ':id')}`;
}

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, notion-version',
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
};

/** 2026-03-11 responses drop the deprecated `archived` field of pages, blocks, databases and data sources. */
function stripArchived(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripArchived);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const isEntity = ['page', 'block', 'database', 'data_source'].includes(String(obj.object));
  for (const [k, v] of Object.entries(obj)) {
    if (isEntity && k === 'archived') continue;
    out[k] = stripArchived(v);
  }
  return out;
}

/** Before 2026-03-11 a heading_4 block (written in Notion's app) is served as `unsupported`, as Notion serves block types a version does not know. */
function hideHeading4(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideHeading4);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (obj.object === 'block' && obj.type === 'heading_4') {
    const { heading_4: _hidden, ...rest } = obj;
    return { ...rest, type: 'unsupported', unsupported: {} };
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, hideHeading4(v)]));
}

export interface HttpState {
  store: Store;
  limiter: TokenBuckets;
  log: RequestLogEntry[];
  tokens: ReadonlySet<string>;
}

export async function handleRequest(state: HttpState, req: SandboxRequest, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const method = req.method.toUpperCase();
  const pathname = req.url.pathname;
  let route = `${method} ${pathname}`;
  let status = 500;
  let token: string | undefined;
  const rawVersion = req.headers['notion-version'];
  const version = Array.isArray(rawVersion) ? rawVersion[0] : rawVersion;
  let body: unknown;
  let bodyError = false;
  try {
    body = parseJsonBody(req);
  } catch {
    bodyError = true;
  }
  const send = (code: number, payload: unknown, headers: Record<string, string> = {}): void => {
    status = code;
    sendJson(res, code, payload, { ...CORS_HEADERS, 'x-notion-request-id': requestId, ...headers });
  };

  try {
    if (method === 'OPTIONS') {
      status = 204;
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    const match = matchRoute(method, pathname);
    if (!match) throw invalidRequestUrl();
    route = routeLabel(match.route);

    const auth = req.headers.authorization;
    token = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1] : undefined;
    if (!token || !state.tokens.has(token)) throw unauthorized();

    if (!version) throw missingVersion();
    if (!(API_VERSIONS as readonly string[]).includes(version)) {
      throw validation(
        `Notion-Version header failed validation: Notion-Version header should be ${oneOf(API_VERSIONS)}, instead was \`${JSON.stringify(version)}\`.`,
      );
    }

    const decision = state.limiter.take(token);
    if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);

    if (req.body.length > MAX_BODY_BYTES) {
      throw failed('body', `at most ${MAX_BODY_BYTES / 1024}KB of JSON`, `${Math.ceil(req.body.length / 1024)}KB`);
    }
    if (bodyError) throw invalidJson();

    const ctx: OpContext = { store: state.store, version };
    let result: unknown = match.route.handler(ctx, match.params, body, req.url.searchParams);
    if (version >= VERSION_WITHOUT_ARCHIVED) result = stripArchived(result);
    if (version < VERSION_WITH_HEADING_4) result = hideHeading4(result);
    send(200, { ...(result as ApiObject), request_id: requestId });
  } catch (error) {
    if (error instanceof NotionError) {
      send(error.status, error.body(requestId), error.headers);
    } else {
      // A bug in the emulator: answer as Notion would answer its own bugs, and say what it was.
      console.error('[notion sandbox] internal error', error);
      send(500, {
        object: 'error',
        status: 500,
        code: 'internal_server_error',
        message: `Unexpected error in the Notion sandbox: ${error instanceof Error ? error.message : String(error)}`,
        request_id: requestId,
      });
    }
  } finally {
    state.log.push({ method, path: pathname + req.url.search, route, token, version, status, body, at: Date.now() });
  }
}
