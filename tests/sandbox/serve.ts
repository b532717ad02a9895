// One simulated service behind a plain node:http server on 127.0.0.1, for tests that call it with a
// real SDK in Node (the browser reaches the full sandbox through server.ts instead).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, type SandboxRequest } from './http-util.ts';

export type Handler = (req: SandboxRequest, res: ServerResponse) => Promise<void> | void;

export interface Served {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `handler`; each request's URL carries the host the real client would have called (`origin`). */
export async function serveHandler(handler: Handler, origin: (port: number) => string): Promise<Served> {
  const server = createServer((raw, res) => {
    void (async () => {
      const body = await readBody(raw);
      const port = (server.address() as AddressInfo).port;
      const req: SandboxRequest = {
        method: raw.method ?? 'GET',
        url: new URL(`${origin(port)}${raw.url ?? '/'}`),
        headers: raw.headers,
        body,
        raw,
      };
      try {
        await handler(req, res);
      } catch (e) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`sandbox handler threw: ${String(e)}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
