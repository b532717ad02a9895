// The sandbox's control API, for a person driving the demo by hand or a process outside the test's
// own (E2E tests in the same process call the Sandbox object directly).
import type { ServerResponse } from 'node:http';
import type { Faults, FaultRule } from './faults.ts';
import { parseJsonBody, sendJson, type SandboxRequest } from './http-util.ts';
import type { ModelApis } from './models/index.ts';
import type { NotionApi } from './notion/index.ts';

/** The part of the sandbox (server.ts) the control API drives: declared here so neither file imports the other. */
export interface ControlledSandbox {
  readonly httpsPort: number;
  readonly compatibleBaseUrl: string;
  readonly notion: NotionApi;
  readonly models: ModelApis;
  readonly faults: Faults;
  chromiumArgs(): string[];
  reset(): void;
}

export async function handleControl(
  sandbox: ControlledSandbox,
  req: SandboxRequest,
  res: ServerResponse,
): Promise<void> {
  const route = `${req.method} ${req.url.pathname.replace(/^\/__sandbox/, '')}`;
  const body = (parseJsonBody(req) ?? {}) as Record<string, unknown>;
  switch (route) {
    case 'GET /':
      return sendJson(res, 200, {
        httpsPort: sandbox.httpsPort,
        compatibleBaseUrl: sandbox.compatibleBaseUrl,
        chromiumArgs: sandbox.chromiumArgs(),
        notionRequests: sandbox.notion.requestLog.length,
        modelCalls: sandbox.models.calls.length,
        faultsFired: sandbox.faults.firedCount,
      });
    case 'POST /reset':
      sandbox.reset();
      return sendJson(res, 200, { ok: true });
    case 'POST /faults': {
      const rule = body as FaultRule & { pathPattern?: string };
      if (rule.pathPattern) rule.path = new RegExp(rule.pathPattern);
      if (rule.times === -1) rule.times = Infinity;
      sandbox.faults.add(rule);
      return sendJson(res, 200, { ok: true });
    }
    case 'DELETE /faults':
      sandbox.faults.clear();
      return sendJson(res, 200, { ok: true });
    case 'POST /rate-limit':
      sandbox.notion.setRateLimit(
        Number(body.perSecond ?? 0),
        body.burst === undefined ? undefined : Number(body.burst),
      );
      return sendJson(res, 200, { ok: true });
    case 'POST /models/script':
      sandbox.models.script(body as Parameters<ModelApis['script']>[0]);
      return sendJson(res, 200, { ok: true });
    case 'POST /models/configure':
      sandbox.models.configure(body);
      return sendJson(res, 200, { ok: true });
    case 'GET /models/calls':
      return sendJson(res, 200, { calls: sandbox.models.calls, totals: sandbox.models.usageTotals() });
    case 'GET /notion/requests':
      return sendJson(res, 200, { requests: sandbox.notion.requestLog });
    default: {
      const page = /^GET \/notion\/(pages|blocks)\/([\w-]+)$/.exec(route);
      if (page?.[2]) {
        return sendJson(res, 200, {
          page: sandbox.notion.getPage(page[2]),
          blocks: sandbox.notion.getBlockTree(page[2]),
        });
      }
      return sendJson(res, 404, { error: `No control route ${route}` });
    }
  }
}
