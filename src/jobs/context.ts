// What a running job needs from the outside world, made from settings and secrets at run time
// (a job stores no secret). Tests build one by hand.
import type { Client } from '@notionhq/client';
import { InklingError } from '../shared/problem';
import { createEngine } from '../llm/factory';
import { limitsFor } from '../shared/limit-presets';
import { costOf } from '../llm/prices';
import { schedulerFor, type EngineScheduler } from '../llm/scheduler';
import type { Engine, Usage } from '../llm/types';
import { createNotionClient } from '../notion/client';
import { NO_TOKEN_PROBLEM } from '../notion/errors';
import { ENGINE_KEY } from '../shared/engines';
import { readSecrets } from '../storage';
import { recordUsage } from '../usage/ledger';
import type { JobEngine, JobUsage } from '../shared/job';

export interface JobContext {
  signal: AbortSignal;
  notion: Client;
  /** The same client, calling `onDispatch` as each of its requests leaves for Notion (a write's intent). */
  notionWith(onDispatch: () => Promise<void>): Client;
  engine: Engine;
  scheduler: EngineScheduler;
  /** Prices a call's usage as this job's engine and model (at the batch price for a batch's), and adds it to the usage ledger. */
  price(usage: Usage, batch?: boolean): JobUsage;
  /** Streams text to whoever watches the job (the panel, the popup). */
  onText(text: string): void;
}

export async function createJobContext(
  jobEngine: JobEngine,
  signal: AbortSignal,
  onText: (text: string) => void,
  connectionId = '',
): Promise<JobContext> {
  const secrets = await readSecrets();
  const token = secrets.notionToken;
  if (!token) throw new InklingError(NO_TOKEN_PROBLEM);
  const keyName = ENGINE_KEY[jobEngine.engine];
  const engine = createEngine({
    engine: jobEngine.engine,
    model: jobEngine.model,
    apiKey: keyName ? (secrets[keyName] ?? '') : '',
    baseUrl: jobEngine.baseUrl,
  });
  const limits = limitsFor(jobEngine.engine, jobEngine.limitPreset).limits;
  return {
    signal,
    // Bound to the run's signal: Cancel takes its queued Notion requests out of the queue and cuts the one in flight.
    notion: createNotionClient(token, { signal }),
    notionWith: (onDispatch) => createNotionClient(token, { signal, onDispatch }),
    engine,
    scheduler: schedulerFor(`${jobEngine.engine}|${jobEngine.baseUrl}`, limits),
    price: (usage, batch = false) => {
      const priced: JobUsage = {
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: costOf(jobEngine.engine, jobEngine.model, usage, jobEngine.baseUrl, batch).usd,
        calls: 1,
        ...(usage.searches ? { searches: usage.searches } : {}),
      };
      void recordUsage({ engine: jobEngine.engine, model: jobEngine.model, connectionId, ...priced });
      return priced;
    },
    onText,
  };
}
