// Faults injected in front of every simulated service: error answers shaped like the real ones,
// delays, and dropped connections. Tests add rules; each rule fires for its matching requests.
import type { SandboxRequest } from './http-util.ts';

export interface FaultRule {
  /** Host the rule applies to, e.g. "api.notion.com"; any host when absent. */
  host?: string;
  method?: string;
  /** A path prefix ("/v1/pages") or a pattern tested against pathname + search. */
  path?: string | RegExp;
  /** Answer with this HTTP status (a body shaped like the host's own errors is chosen). */
  status?: number;
  /** Override the answer's body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (or before passing the request on when no status/drop). */
  delayMs?: number;
  /**
   * Destroy the socket: without answering, or (with afterApplying) part-way through the answer.
   * Note that a browser resends a request on its own when a reused connection closes before any
   * answer arrives, so a drop before the answer is invisible to the client when it can be retried.
   */
  drop?: boolean;
  /**
   * Let the service apply the request first, then answer with the fault: the ambiguous case where
   * a write landed but the client saw an error (a 502 from a proxy, a dropped connection).
   */
  afterApplying?: boolean;
  /** How many matching requests the rule fires for. Default 1; Infinity for "until removed". */
  times?: number;
  /** Let this many matching requests through before the rule starts firing. */
  skip?: number;
}

interface ActiveRule extends FaultRule {
  fired: number;
  seen: number;
}

export class Faults {
  private rules: ActiveRule[] = [];
  /** How many times any rule fired, for assertions that a fault really happened. */
  firedCount = 0;

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, fired: 0, seen: 0 });
  }

  clear(): void {
    this.rules = [];
    this.firedCount = 0;
  }

  /** The rule that fires for this request, if any (counting it as fired). */
  take(req: SandboxRequest): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, req)) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      if (rule.fired >= (rule.times ?? 1)) continue;
      rule.fired += 1;
      this.firedCount += 1;
      return rule;
    }
    return undefined;
  }
}

function matches(rule: FaultRule, req: SandboxRequest): boolean {
  if (rule.host && rule.host !== req.url.hostname) return false;
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  if (rule.path !== undefined) {
    const target = req.url.pathname + req.url.search;
    if (typeof rule.path === 'string' ? !req.url.pathname.startsWith(rule.path) : !rule.path.test(target)) {
      return false;
    }
  }
  return true;
}

const NOTION_ERROR_CODES: Record<number, [code: string, message: string]> = {
  409: ['conflict_error', 'Conflict occurred while saving. Please try again.'],
  429: ['rate_limited', 'You have been rate limited. Please try again in a few minutes.'],
  500: ['internal_server_error', 'Unexpected error occurred.'],
  503: ['service_unavailable', 'Notion is unavailable, please try again later.'],
  504: ['gateway_timeout', 'Notion timed out while processing this request.'],
  529: ['service_overload', 'Notion is overloaded, please try again later.'],
};

/** S3's XML error codes, as the bucket of Notion-hosted files answers them. */
const S3_ERROR_CODES: Record<number, [code: string, message: string]> = {
  403: ['AccessDenied', 'Access Denied'],
  404: ['NoSuchKey', 'The specified key does not exist.'],
  500: ['InternalError', 'We encountered an internal error. Please try again.'],
  503: ['SlowDown', 'Please reduce your request rate.'],
};

/** The body and content type a real host would send with this status. */
export function faultBody(host: string, status: number): { contentType: string; text: string } {
  if (status === 502) {
    // Notion's edge answers a bad gateway with an HTML page, not a JSON error object.
    return { contentType: 'text/html', text: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
  }
  if (host === 'api.notion.com') {
    const [code, message] = NOTION_ERROR_CODES[status] ?? ['internal_server_error', 'Unexpected error occurred.'];
    return {
      contentType: 'application/json',
      text: JSON.stringify({ object: 'error', status, code, message, request_id: crypto.randomUUID() }),
    };
  }
  if (host === 'prod-files-secure.s3.us-west-2.amazonaws.com') {
    const [code, message] = S3_ERROR_CODES[status] ?? [
      'InternalError',
      'We encountered an internal error. Please try again.',
    ];
    const requestId = crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    return {
      contentType: 'application/xml',
      text: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>${btoa(requestId)}</HostId></Error>`,
    };
  }
  if (host === 'generativelanguage.googleapis.com') {
    const statusName: Record<number, string> = {
      429: 'RESOURCE_EXHAUSTED',
      500: 'INTERNAL',
      503: 'UNAVAILABLE',
      504: 'DEADLINE_EXCEEDED',
    };
    return {
      contentType: 'application/json',
      text: JSON.stringify({
        error: {
          code: status,
          message: 'The service is currently unavailable.',
          status: statusName[status] ?? 'INTERNAL',
        },
      }),
    };
  }
  return {
    contentType: 'application/json',
    text: JSON.stringify({
      error: {
        message: 'The server had an error while processing your request.',
        type: 'server_error',
        param: null,
        code: null,
      },
    }),
  };
}
