// Small helpers shared by the sandbox's simulated services. Node runs these files directly
// (type stripping), so: erasable TypeScript only, and imports end in .ts.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as a simulated service sees it: the body is already read. */
export interface SandboxRequest {
  method: string;
  /** Full URL, with the host the client asked for (www.notion.so, api.notion.com, …). */
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  raw: IncomingMessage;
}

/** A simulated service: answers the request itself (JSON, SSE, or a dropped socket). */
export type ServiceHandler = (req: SandboxRequest, res: ServerResponse) => Promise<void> | void;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON body; returns `undefined` for an empty body and throws SyntaxError for bad JSON. */
export function parseJsonBody(req: SandboxRequest): unknown {
  if (req.body.length === 0) return undefined;
  return JSON.parse(req.body.toString('utf8'));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Starts a Server-Sent Events response; write events with `sseEvent`. */
export function startSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
}

export function sseEvent(res: ServerResponse, data: string, event?: string): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`);
}

/** Destroys the socket without an answer, as a dropped connection would. */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
