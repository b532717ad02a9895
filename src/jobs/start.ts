// Turning a "Generate" into a stored job: check what can be checked before paying for a model call
// (the page is shared, the engine has its key), save the connection, then hand the job to the runner.
import { findConnectionFor, getConnection, upsertConnection } from '../connections/connections';
import { InklingError, type Problem } from '../errors';
import { DEFAULT_MODELS } from '../llm/catalog';
import { createEngine, engineConfigFrom } from '../llm/factory';
import { limitsFor } from '../llm/limits';
import { estimateCallCost } from '../llm/prices';
import { PAGE_SYSTEM_PROMPT } from '../prompt/page-prompt';
import { budgetState, checkBudget } from '../usage/budget';
import type { DatabaseRunSetup, Outcome, StartPageRunRequest } from '../messaging';
import { createNotionClient } from '../notion/client';
import { NO_TOKEN_PROBLEM, toNotionProblem } from '../notion/errors';
import { resolveTarget } from '../notion/target';
import { readSecrets, readSettings } from '../storage';
import { startJob } from './runner';
import { checkSetup } from './database-setup';
import { EMPTY_COUNTS, EMPTY_USAGE, type DatabaseJob, type JobEngine, type PageJob } from './types';

/** A page answer's length guess for the estimate before a run (a substantial article). */
const PAGE_EXPECTED_OUTPUT_TOKENS = 1_500;

function fail(problem: Problem): Outcome<never> {
  return { ok: false, problem };
}

/** Settings → the engine a run uses, or the problem that stops it (no key, no Notion secret). */
async function runEngine(): Promise<{ engine: JobEngine; notionToken: string } | { problem: Problem }> {
  const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
  if (!secrets.notionToken) return { problem: NO_TOKEN_PROBLEM };
  const config = engineConfigFrom(settings, secrets);
  try {
    createEngine(config);
  } catch (error) {
    if (error instanceof InklingError) return { problem: error.problem };
    throw error;
  }
  return {
    notionToken: secrets.notionToken,
    engine: {
      engine: config.engine,
      model: config.model || DEFAULT_MODELS[config.engine],
      baseUrl: config.baseUrl,
      limitPreset: limitsFor(settings.engine, settings.limitPresets[settings.engine]).id,
    },
  };
}

export async function startDatabaseRun(setup: DatabaseRunSetup): Promise<Outcome<{ jobId: string; connectionId: string }>> {
  const ready = await runEngine();
  if ('problem' in ready) return fail(ready.problem);
  let checked;
  try {
    checked = await checkSetup(createNotionClient(ready.notionToken), setup);
  } catch (error) {
    return fail(error instanceof InklingError ? error.problem : toNotionProblem(error, 'database'));
  }
  const { target } = checked;
  const budget = checkBudget(await budgetState(), 0, setup.overBudgetOk ?? false);
  if (budget) return fail(budget);
  const existing = setup.connectionId ? await getConnection(setup.connectionId) : await findConnectionFor(target.id);
  const connectionId = existing?.id ?? crypto.randomUUID();
  await upsertConnection({
    id: connectionId,
    name: setup.connectionName?.trim() || existing?.name || target.title,
    kind: 'database',
    targetId: target.id,
    targetTitle: target.title,
    targetUrl: target.url,
    prompt: checked.template,
    engine: ready.engine.engine,
    model: ready.engine.model,
    options: { outputs: setup.outputs, selection: setup.selection, checkboxId: setup.checkboxId, overwrite: setup.overwrite, untick: setup.untick },
  });
  const now = Date.now();
  const job: DatabaseJob = {
    id: crypto.randomUUID(),
    kind: 'database',
    connectionId,
    targetId: target.id,
    targetTitle: target.title,
    targetUrl: target.url,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine: ready.engine,
    usage: EMPTY_USAGE,
    dataSourceId: target.dataSourceId,
    template: checked.template,
    propertyNames: checked.propertyNames,
    titleColumn: checked.titleColumn,
    outputs: checked.outputs,
    selection: setup.selection,
    ...(checked.checkbox ? { checkbox: checked.checkbox } : {}),
    overwrite: setup.overwrite,
    untick: setup.untick,
    phase: 'listing',
    chunks: 0,
    counts: EMPTY_COUNTS,
    ...(setup.overBudgetOk ? { budgetOverride: true } : {}),
  };
  await startJob(job);
  return { ok: true, value: { jobId: job.id, connectionId } };
}

export async function startPageRun(request: StartPageRunRequest): Promise<Outcome<{ jobId: string; connectionId: string }>> {
  const prompt = request.prompt.trim();
  if (!prompt) return fail({ source: 'inkling', kind: 'no_prompt', message: 'Write a prompt first.', retryable: false });
  const ready = await runEngine();
  if ('problem' in ready) return fail(ready.problem);
  let target;
  try {
    target = await resolveTarget(createNotionClient(ready.notionToken), { id: request.pageId });
  } catch (error) {
    return fail(error instanceof InklingError ? error.problem : toNotionProblem(error, 'page'));
  }
  if (target.kind !== 'page') {
    return fail({ source: 'inkling', kind: 'wrong_kind', message: 'This is a database: generate into its rows instead.', retryable: false });
  }
  const estimate = estimateCallCost(ready.engine.engine, ready.engine.model, PAGE_SYSTEM_PROMPT.length + prompt.length, PAGE_EXPECTED_OUTPUT_TOKENS, ready.engine.baseUrl);
  const budget = checkBudget(await budgetState(), estimate.usd, request.overBudgetOk ?? false);
  if (budget) return fail(budget);

  const existing = request.connectionId ? await getConnection(request.connectionId) : await findConnectionFor(target.id);
  const connectionId = existing?.id ?? crypto.randomUUID();
  const { engine } = ready;
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
    ...(request.overBudgetOk ? { budgetOverride: true } : {}),
  };
  await startJob(job);
  return { ok: true, value: { jobId: job.id, connectionId } };
}
