// The outside world for unit tests of runs, in one Node process: the Notion API and an
// OpenAI-compatible model server on 127.0.0.1, reached through Inkling's own client, pacer, engine and
// scheduler — a JobContext as the worker would build it, minus the secrets. Requests to Notion can be
// held (to stand for a slow or stuck request) and released later, when they land.
import type { Client } from '@notionhq/client';
import type { JobContext } from '../../src/jobs/context.ts';
import type { CheckedSetup } from '../../src/jobs/database-setup.ts';
import { EMPTY_USAGE, type JobBase } from '../../src/shared/job.ts';
import type { EngineLimits } from '../../src/shared/limit-presets.ts';
import { EngineScheduler } from '../../src/llm/scheduler.ts';
import { createOpenAIEngine } from '../../src/llm/openai.ts';
import { createNotionClient } from '../../src/notion/client.ts';
import { NotionPacer } from '../../src/notion/pacer.ts';
import type { SandboxRequest } from './http-util.ts';
import { ModelApis, type ModelApisOptions } from './models/index.ts';
import { FIXTURES, NotionApi } from './notion/index.ts';
import { serveHandler, type Served } from './serve.ts';

interface Hold {
  matches: (req: SandboxRequest) => boolean;
  held: Array<() => void>;
  released: boolean;
}

export interface JobWorld {
  notion: NotionApi;
  models: ModelApis;
  /**
   * A run's context: Inkling's own Notion client (through a fast pacer) and a compatible-server engine,
   * with the world's engine limits or these.
   */
  context(signal?: AbortSignal, limits?: EngineLimits, provider?: 'compatible' | 'openai'): JobContext;
  /** A client for checking what Notion holds, as a test (not through the run's signal). */
  client(): Client;
  /**
   * Holds every matching Notion request before Notion sees it, until `release` (then they land, in
   * order, even if their caller has given up). `count()` is how many are waiting.
   */
  hold(method: string, path: RegExp): { release: () => Promise<void>; count: () => number };
  close(): Promise<void>;
}

/** Unit tests take the defaults (no limits, an instant model); the benchmarks set Notion's real pace. */
/** Gemini's free tier, about: few requests a minute, so a run packs its rows. */
export const MODEL_BOUND_LIMITS: EngineLimits = { concurrency: 2, requestsPerMinute: 15 };

/** What the panel's Start gives a new database run over `checked`, on the sandbox's compatible engine. */
export function runBase(checked: CheckedSetup, limitPreset: string): Omit<JobBase, 'kind'> {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    connectionId: crypto.randomUUID(),
    targetId: checked.target.id,
    targetTitle: checked.target.title,
    targetUrl: checked.target.url,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine: { engine: 'compatible', model: 'llama3.2:latest', baseUrl: '', limitPreset },
    usage: EMPTY_USAGE,
  };
}

export interface JobWorldOptions {
  /** Notion's rate limit as the sandbox enforces it (0: none) and its burst. */
  notionRequestsPerSecond?: number;
  notionBurst?: number;
  /** The rate Inkling's pacer keeps to (the product's own is 3 a second). */
  pacerRequestsPerSecond?: number;
  model?: ModelApisOptions;
  /** The engine's limits, as a Settings preset gives them. */
  limits?: EngineLimits;
}

export async function startJobWorld(options: JobWorldOptions = {}): Promise<JobWorld> {
  const notion = new NotionApi({
    rateLimitPerSecond: options.notionRequestsPerSecond ?? 0,
    ...(options.notionBurst === undefined ? {} : { rateLimitBurst: options.notionBurst }),
  });
  const models = new ModelApis(options.model ?? { timeToFirstTokenMs: 0, tokensPerSecond: 0 });
  const holds: Hold[] = [];
  const notionServer: Served = await serveHandler(
    async (req, res) => {
      const hold = holds.find((h) => !h.released && h.matches(req));
      if (hold) await new Promise<void>((resolve) => hold.held.push(resolve));
      await notion.handle(req, res);
    },
    () => 'https://api.notion.com',
  );
  const modelServer = await serveHandler(
    (req, res) => models.handleCompatible(req, res),
    (port) => `http://127.0.0.1:${port}`,
  );
  // OpenAI itself, for what only a hosted provider does (web search).
  const openaiServer = await serveHandler(
    (req, res) => models.handleOpenAI(req, res),
    () => 'https://api.openai.com',
  );
  const pacer = new NotionPacer({
    requestsPerSecond: options.pacerRequestsPerSecond ?? 1_000,
    transientBaseDelayMs: 1,
  });
  const limits = options.limits ?? { concurrency: 4, requestsPerMinute: 0 };
  const clientFor = (signal?: AbortSignal, onDispatch?: () => Promise<void>) =>
    createNotionClient(FIXTURES.token, {
      pacer,
      baseUrl: notionServer.url,
      ...(signal ? { signal } : {}),
      ...(onDispatch ? { onDispatch } : {}),
    });
  return {
    notion,
    models,
    context(signal = new AbortController().signal, engineLimits = limits, provider = 'compatible') {
      return {
        signal,
        notion: clientFor(signal),
        notionWith: (onDispatch) => clientFor(signal, onDispatch),
        engine:
          provider === 'openai'
            ? createOpenAIEngine({
                engine: 'openai',
                apiKey: models.keys.openai,
                model: 'gpt-5.5-mini',
                baseURL: `${openaiServer.url}/v1`,
              })
            : createOpenAIEngine({
                engine: 'compatible',
                apiKey: '',
                model: 'llama3.2:latest',
                baseURL: `${modelServer.url}/v1`,
              }),
        scheduler: new EngineScheduler(engineLimits, { transientBaseDelayMs: 1 }),
        price: (usage) => ({
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          costUsd: 0,
          calls: 1,
          ...(usage.searches ? { searches: usage.searches } : {}),
        }),
        onText: () => undefined,
      };
    },
    client: () => clientFor(),
    hold(method, path) {
      const hold: Hold = {
        matches: (req) => req.method === method && path.test(req.url.pathname),
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
    close: async () => {
      await Promise.all([notionServer.close(), modelServer.close(), openaiServer.close()]);
    },
  };
}
