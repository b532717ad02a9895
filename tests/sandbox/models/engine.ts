// State shared by the emulated providers: pacing, the call log, the script, and the timing
// helpers that make a stream take as long as a real model would (and stop when the client leaves).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sleep } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { asAttachment } from './media.ts';
import type { Attachment, Received } from './media.ts';
import { Script } from './script.ts';
import type { Provider } from './script.ts';

export interface Pacing {
  /** Latency before the first token (and before a non-streamed answer starts being generated). */
  timeToFirstTokenMs: number;
  /** Generation speed; 0 means instant. */
  tokensPerSecond: number;
}

/** Fast enough for unit tests, slow enough that a stream really is spread over time. */
export const DEFAULT_PACING: Pacing = { timeToFirstTokenMs: 30, tokensPerSecond: 400 };

export interface ModelCall {
  provider: Provider;
  model: string;
  /** System + user text (see promptForMatching). */
  prompt: string;
  stream: boolean;
  /** The JSON Schema / OpenAPI schema asked for; `{}` for JSON mode without a schema. */
  schema?: unknown;
  /** Tokens as reported in the usage fields. 0 when the call failed before the model ran. */
  inputTokens: number;
  outputTokens: number;
  /** HTTP status sent; 0 while the call is in flight and for dropped connections. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** True when the client went away before the answer was complete (output = what was sent). */
  aborted?: boolean;
  /** The tool types the request named, e.g. ['web_search'] or ['googleSearch']; absent without tools. */
  tools?: string[];
  /** Web searches made (each is charged); absent when the request offered no search tool. */
  searches?: number;
  /** The images and files the request carried, in order (also on a refused call: those read before the refusal). */
  attachments: Attachment[];
  /** The batch (OpenAI `batch_…`, Gemini `batches/…`) whose line this call answered; absent for a direct call. */
  batch?: string;
}

export class Engine {
  pacing: Pacing;
  rejectExtensionOrigins = false;
  /** Set by batch-core.ts while a batch line is handed to a handler: the call it logs belongs to that batch. */
  batchTag: string | undefined = undefined;
  readonly calls: ModelCall[] = [];
  readonly script = new Script();

  constructor(pacing: Pacing) {
    this.pacing = { ...pacing };
  }

  /** Logs a call as it arrives; handlers fill in status and tokens as they answer. */
  begin(
    call: Omit<ModelCall, 'inputTokens' | 'outputTokens' | 'status' | 'at' | 'attachments'> & {
      attachments?: readonly Received[];
    },
    at: number,
  ): ModelCall {
    const attachments = (call.attachments ?? []).map(asAttachment);
    const entry: ModelCall = { ...call, attachments, inputTokens: 0, outputTokens: 0, status: 0, at };
    if (this.batchTag !== undefined) entry.batch = this.batchTag;
    // Optional fields stay absent rather than undefined, so that tests can compare calls with toEqual.
    for (const key of ['schema', 'tools', 'searches'] as const) if (entry[key] === undefined) delete entry[key];
    this.calls.push(entry);
    return entry;
  }
}

/** Tracks whether the client is still there, so streams stop writing when it disconnects. */
export class ClientWatch {
  gone = false;
  private readonly closed: Promise<void>;

  constructor(res: ServerResponse) {
    this.closed = new Promise((resolve) => {
      res.on('close', () => {
        // 'close' also fires after a normal end; only a close before the end means the client left.
        if (!res.writableFinished) this.gone = true;
        resolve();
      });
    });
  }

  /** Waits `ms`, returning early (false) if the client disconnects meanwhile. */
  async wait(ms: number): Promise<boolean> {
    if (this.gone) return false;
    if (ms > 0) await Promise.race([sleep(ms), this.closed]);
    return !this.gone;
  }
}

/** How long generating `tokens` takes after the first token. */
export function generationMs(tokens: number, pacing: Pacing): number {
  return pacing.tokensPerSecond > 0 ? (tokens / pacing.tokensPerSecond) * 1000 : 0;
}

/**
 * Streams `pieces`: waits the time to first token, then writes each piece and waits as long as
 * generating the next one would take. Returns how many pieces were written before the client left.
 */
export async function paceOut(
  pieces: string[],
  pieceTokens: (piece: string) => number,
  pacing: Pacing,
  client: ClientWatch,
  write: (piece: string, index: number) => void,
): Promise<number> {
  if (!(await client.wait(pacing.timeToFirstTokenMs))) return 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    if (i > 0 && !(await client.wait(generationMs(pieceTokens(piece), pacing)))) return i;
    if (client.gone) return i;
    write(piece, i);
  }
  return pieces.length;
}

/** An id with a provider's prefix and random hex, e.g. chatcmpl-…, req_…. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

/** Seconds since the epoch, as OpenAI's `created` fields use. */
export const unixNow = (): number => Math.floor(Date.now() / 1000);

/** CORS headers for an answer: the request's Origin is allowed (hosted APIs allow any origin). */
export function corsHeaders(req: SandboxRequest): Record<string, string> {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  if (!origin) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

export function answerPreflight(req: SandboxRequest, res: ServerResponse, extra: Record<string, string> = {}): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...corsHeaders(req),
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD',
    // Echo the requested headers: `*` would not cover Authorization.
    ...(typeof requested === 'string' ? { 'access-control-allow-headers': requested } : {}),
    'access-control-max-age': '43200',
    ...extra,
  });
  res.end();
}

export function isPreflight(req: SandboxRequest): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}
