// The sandbox: the outside world Inkling talks to, simulated on 127.0.0.1 and reached at the real host
// names with a certificate made at run time: by Chromium through --host-resolver-rules, by Firefox
// through a proxy (the HTTP server's CONNECT, which tunnels only the five hosts below to the HTTPS server).
//   https  www.notion.so                      → a notion.so look-alike (site/)
//          api.notion.com                     → the Notion API (notion/)
//          prod-files-secure.s3.us-west-2.amazonaws.com → the bucket of Notion-hosted files (notion/file-host.ts)
//          api.openai.com                     → OpenAI (models/)
//          generativelanguage.googleapis.com  → Gemini (models/)
//   http   127.0.0.1:<httpPort>/v1            → an OpenAI-compatible server, as Ollama would be
//          127.0.0.1:<httpPort>/__sandbox/    → the control API (state, faults, scripts)
import { createServer as createHttpServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { makeCertificate, SANDBOX_HOSTS, type SandboxCertificate } from './certs.ts';
import { handleControl } from './control.ts';
import { Faults, faultBody } from './faults.ts';
import { dropConnection, readBody, sendJson, sleep, type SandboxRequest, type ServiceHandler } from './http-util.ts';
import { ModelApis, type ModelApisOptions } from './models/index.ts';
import { NotionApi, type NotionApiOptions } from './notion/index.ts';
import { NotionSite } from './site/index.ts';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  httpsPort?: number;
  httpPort?: number;
  notion?: NotionApiOptions;
  models?: ModelApisOptions;
}

export class Sandbox {
  readonly notion: NotionApi;
  readonly models: ModelApis;
  readonly site: NotionSite;
  readonly faults = new Faults();
  /** Every request to the OpenAI-compatible server: the address it was sent to and the key it carried. */
  readonly compatibleRequests: Array<{
    host: string;
    method: string;
    path: string;
    authorization: string | undefined;
  }> = [];
  readonly cert: SandboxCertificate;
  httpsPort = 0;
  httpPort = 0;
  private servers: Server[] = [];
  private sockets = new Set<Socket>();

  private constructor(opts: SandboxOptions) {
    this.cert = makeCertificate();
    this.notion = new NotionApi(opts.notion);
    this.models = new ModelApis(opts.models);
    this.site = new NotionSite(this.notion);
  }

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(opts);
    await sandbox.listen(opts);
    return sandbox;
  }

  /** Chromium's resolver rules: the real hosts go to the sandbox, every other look-up fails. */
  get hostResolverRules(): string {
    const maps = SANDBOX_HOSTS.map((host) => `MAP ${host} 127.0.0.1:${this.httpsPort}`);
    return [...maps, 'MAP * ~NOTFOUND', 'EXCLUDE localhost', 'EXCLUDE 127.0.0.1'].join(', ');
  }

  /** The OpenAI-compatible server's base URL, as a user would paste Ollama's. */
  get compatibleBaseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}/v1`;
  }

  /** Flags that point Chromium at the sandbox and trust exactly its certificate. */
  chromiumArgs(): string[] {
    return [
      `--host-resolver-rules=${this.hostResolverRules}`,
      `--ignore-certificate-errors-spki-list=${this.cert.spkiHash}`,
    ];
  }

  /**
   * Firefox's preferences that point it at the sandbox: a proxy script sends the real hosts through
   * the sandbox's CONNECT tunnel and everything else nowhere (as Chromium's `MAP * ~NOTFOUND`); the
   * certificate is accepted through the WebDriver session's acceptInsecureCerts.
   */
  firefoxPrefs(): Record<string, string | number | boolean> {
    const hosts = JSON.stringify(SANDBOX_HOSTS);
    const pac = `function FindProxyForURL(url, host) {
      if (host === '127.0.0.1' || host === 'localhost') return 'DIRECT';
      if (${hosts}.indexOf(host) >= 0) return 'PROXY 127.0.0.1:${this.httpPort}';
      return 'PROXY 127.0.0.1:9';
    }`;
    return {
      'network.proxy.type': 2,
      'network.proxy.autoconfig_url': `data:text/javascript,${encodeURIComponent(pac)}`,
      'network.proxy.allow_hijacking_localhost': false,
    };
  }

  /** Back to the seeded world: fixtures, no faults, no scripts, no logs. */
  reset(): void {
    this.faults.clear();
    this.compatibleRequests.length = 0;
    this.notion.reset();
    this.models.reset();
    this.site.theme = 'system';
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private async listen(opts: SandboxOptions): Promise<void> {
    const https = createHttpsServer({ key: this.cert.key, cert: this.cert.cert }, (req, res) =>
      this.dispatch(req, res, 'https'),
    );
    const http = createHttpServer((req, res) => this.dispatch(req, res, 'http'));
    http.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head));
    this.httpsPort = await this.listenOn(https, opts.httpsPort ?? 0);
    this.httpPort = await this.listenOn(http, opts.httpPort ?? 0);
  }

  /** A proxy's CONNECT to one of the real hosts becomes a connection to the HTTPS server; others are refused. */
  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const [host, port] = (req.url ?? '').split(':');
    if (!(SANDBOX_HOSTS as readonly string[]).includes(host ?? '') || port !== '443') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connectTcp(this.httpsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }

  private listenOn(server: Server, port: number): Promise<number> {
    this.servers.push(server);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve) => {
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }

  private async dispatch(raw: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https'): Promise<void> {
    try {
      const body = await readBody(raw);
      const host = scheme === 'https' ? (raw.headers.host ?? '').replace(/:\d+$/, '') : `127.0.0.1:${this.httpPort}`;
      const req: SandboxRequest = {
        method: raw.method ?? 'GET',
        url: new URL(raw.url ?? '/', `${scheme}://${host}`),
        headers: raw.headers,
        body,
        raw,
      };
      if (scheme === 'http' && req.url.pathname.startsWith('/__sandbox/')) {
        await handleControl(this, req, res);
        return;
      }
      if (scheme === 'http' && req.method !== 'OPTIONS') {
        const authorization = raw.headers.authorization;
        this.compatibleRequests.push({
          host: raw.headers.host ?? '',
          method: req.method,
          path: req.url.pathname,
          authorization: typeof authorization === 'string' ? authorization : undefined,
        });
      }
      const handler = this.handlerFor(req);
      if (!handler) {
        sendJson(res, 404, { error: `The sandbox does not serve ${req.url.host}` });
        return;
      }
      await this.serveWithFaults(req, res, handler);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.end();
    }
  }

  private handlerFor(req: SandboxRequest): ServiceHandler | undefined {
    if (req.url.protocol === 'http:') return (q, r) => this.models.handleCompatible(q, r);
    switch (req.url.hostname) {
      case 'api.notion.com':
        return (q, r) => this.notion.handle(q, r);
      case 'prod-files-secure.s3.us-west-2.amazonaws.com':
        return (q, r) => this.notion.handleFileHost(q, r);
      case 'api.openai.com':
        return (q, r) => this.models.handleOpenAI(q, r);
      case 'generativelanguage.googleapis.com':
        return (q, r) => this.models.handleGemini(q, r);
      case 'www.notion.so':
        return (q, r) => this.site.handle(q, r);
      default:
        return undefined;
    }
  }

  private async serveWithFaults(req: SandboxRequest, res: ServerResponse, handler: ServiceHandler): Promise<void> {
    // A CORS preflight is the browser's business, not the service's: never fault it.
    const fault = req.method === 'OPTIONS' ? undefined : this.faults.take(req);
    if (!fault) return handler(req, res);
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.afterApplying) {
      // The service applies the request; its answer goes nowhere.
      await handler(req, new ServerResponse(req.raw));
    }
    if (fault.drop) {
      if (fault.afterApplying) {
        // The answer dies mid-way: the client got the start of it, so it cannot resend on its own
        // (browsers silently resend a request whose reused connection closed before any answer).
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"object":"list","results":[');
        await sleep(10);
      }
      return dropConnection(res);
    }
    if (fault.status === undefined) {
      if (!fault.afterApplying) await handler(req, res);
      return;
    }
    const { contentType, text } =
      fault.body === undefined
        ? faultBody(req.url.hostname, fault.status)
        : { contentType: 'application/json', text: JSON.stringify(fault.body) };
    const corsOrigin = req.headers.origin;
    res.writeHead(fault.status, {
      'content-type': contentType,
      ...(corsOrigin && req.url.protocol === 'http:' ? { 'access-control-allow-origin': corsOrigin } : {}),
      ...fault.headers,
    });
    res.end(text);
  }
}
