// Turning a "Generate" into a stored job: check what can be checked before paying for a model call
// (the page is shared, the engine has its key), save the connection, then hand the job to the runner.
import { findConnectionFor, getConnection, upsertConnection } from '../connections/connections';
import { InklingError, type Problem } from '../errors';
import { DEFAULT_MODELS } from '../llm/catalog';
import { createEngine, engineConfigFrom } from '../llm/factory';
import { limitsFor } from '../llm/limits';
import type { Outcome, StartPageRunRequest } from '../messaging';
import { createNotionClient } from '../notion/client';
import { NO_TOKEN_PROBLEM, toNotionProblem } from '../notion/errors';
import { resolveTarget } from '../notion/target';
import { readSecrets, readSettings } from '../storage';
import { startJob } from './runner';
import { EMPTY_USAGE, type JobEngine, type PageJob } from './types';

function fail(problem: Problem): Outcome<never> {
  return { ok: false, problem };
}

export async function startPageRun(request: StartPageRunRequest): Promise<Outcome<{ jobId: string; connectionId: string }>> {
  const prompt = request.prompt.trim();
  if (!prompt) return fail({ source: 'inkling', kind: 'no_prompt', message: 'Write a prompt first.', retryable: false });
  const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
  if (!secrets.notionToken) return fail(NO_TOKEN_PROBLEM);
  const engineConfig = engineConfigFrom(settings, secrets);
  try {
    createEngine(engineConfig);
  } catch (error) {
    if (error instanceof InklingError) return fail(error.problem);
    throw error;
  }
  let target;
  try {
    target = await resolveTarget(createNotionClient(secrets.notionToken), { id: request.pageId });
  } catch (error) {
    return fail(error instanceof InklingError ? error.problem : toNotionProblem(error, 'page'));
  }
  if (target.kind !== 'page') {
    return fail({ source: 'inkling', kind: 'wrong_kind', message: 'This is a database: generate into its rows instead.', retryable: false });
  }

  const existing = request.connectionId ? await getConnection(request.connectionId) : await findConnectionFor(target.id);
  const connectionId = existing?.id ?? crypto.randomUUID();
  const engine: JobEngine = {
    engine: engineConfig.engine,
    model: engineConfig.model || DEFAULT_MODELS[engineConfig.engine],
    baseUrl: engineConfig.baseUrl,
    limitPreset: limitsFor(settings.engine, settings.limitPresets[settings.engine]).id,
  };
  await upsertConnection({
    id: connectionId,
    name: request.connectionName?.trim() || existing?.name || target.title,
    kind: 'page',
    targetId: target.id,
    targetTitle: target.title,
    targetUrl: target.url,
    prompt,
    engine: engine.engine,
    model: engine.model,
    options: { useContext: request.useContext, mode: request.mode },
  });
  const now = Date.now();
  const job: PageJob = {
    id: crypto.randomUUID(),
    kind: 'page',
    connectionId,
    targetId: target.id,
    targetTitle: target.title,
    targetUrl: target.url,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine,
    usage: EMPTY_USAGE,
    prompt,
    useContext: request.useContext,
    mode: request.mode,
    phase: 'generating',
    createdIds: [],
  };
  await startJob(job);
  return { ok: true, value: { jobId: job.id, connectionId } };
}
