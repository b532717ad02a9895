// The services Save in Settings verifies credentials with, in one Node process: the Notion API, OpenAI,
// Gemini and an OpenAI-compatible server on 127.0.0.1, each answering as the real host would. Save
// reaches them through its own seam (SaveDeps): Inkling's Notion client and engines, pointed here
// instead of at api.notion.com, api.openai.com and generativelanguage.googleapis.com.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { EngineConfig } from '../../src/llm/factory.ts';
import { createEngine } from '../../src/llm/factory.ts';
import { createGeminiEngine } from '../../src/llm/gemini.ts';
import { createOpenAIEngine } from '../../src/llm/openai.ts';
import { createNotionClient } from '../../src/notion/client.ts';
import { NotionPacer } from '../../src/notion/pacer.ts';
import type { SaveDeps } from '../../src/settings/save.ts';
import { ensureConnectionsSchema } from '../../src/connections/connections-database.ts';
import { ModelApis } from './models/index.ts';
import { NotionApi } from './notion/index.ts';
import { serveHandler, type Served } from './serve.ts';

export interface SettingsSaveWorld {
  notion: NotionApi;
  models: ModelApis;
  /** The compatible server's Base URL, as a user would type it (…/v1). */
  compatibleBaseUrl: string;
  /** A Base URL where nothing listens. */
  unreachableBaseUrl: string;
  /** Save's dependencies, reaching the services above. `configs` records every engine Save made. */
  deps: SaveDeps;
  configs: EngineConfig[];
  /** How many times Save adopted a newly chosen connections database. */
  adoptions: { count: number };
  close(): Promise<void>;
}

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startSettingsSaveWorld(): Promise<SettingsSaveWorld> {
  const notion = new NotionApi();
  const models = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
  const servers: Served[] = await Promise.all([
    serveHandler(
      (req, res) => notion.handle(req, res),
      () => 'https://api.notion.com',
    ),
    serveHandler(
      (req, res) => models.handleOpenAI(req, res),
      () => 'https://api.openai.com',
    ),
    serveHandler(
      (req, res) => models.handleGemini(req, res),
      () => 'https://generativelanguage.googleapis.com',
    ),
    serveHandler(
      (req, res) => models.handleCompatible(req, res),
      (port) => `http://127.0.0.1:${port}`,
    ),
  ]);
  const [notionServer, openaiServer, geminiServer, compatibleServer] = servers as [Served, Served, Served, Served];
  const pacer = new NotionPacer({ requestsPerSecond: 1_000, transientBaseDelayMs: 1 });
  const configs: EngineConfig[] = [];
  const adoptions = { count: 0 };
  const deps: SaveDeps = {
    notionClient: (token) => createNotionClient(token, { pacer, baseUrl: notionServer.url }),
    engine: (config) => {
      configs.push(config);
      switch (config.engine) {
        case 'gemini':
          return createGeminiEngine({ apiKey: config.apiKey, model: config.model, baseUrl: geminiServer.url });
        case 'openai':
          return createOpenAIEngine({
            engine: 'openai',
            apiKey: config.apiKey,
            model: config.model,
            baseURL: `${openaiServer.url}/v1`,
          });
        default:
          // The compatible server is reached at the Base URL the form gives, as in the extension.
          return createEngine(config);
      }
    },
    // The connections domain's side of Save, as the background wires it (adopting is counted, not run:
    // it would send every connection to the new database).
    connectionsDatabase: {
      ready: ensureConnectionsSchema,
      adopted: async () => {
        adoptions.count += 1;
      },
    },
  };
  return {
    notion,
    models,
    compatibleBaseUrl: `${compatibleServer.url}/v1`,
    unreachableBaseUrl: `http://127.0.0.1:${await closedPort()}/v1`,
    deps,
    configs,
    adoptions,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
