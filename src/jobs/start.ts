// Turning a "Generate" into a stored job: check what can be checked before paying for a model call
// (the page is shared, the engine has its key), save the connection, then hand the job to the runner.
import { findConnectionFor, getConnection, upsertConnection } from '../connections/connections';
import { InklingError, type Problem } from '../shared/problem';
import { DEFAULT_MODELS } from '../shared/engines';
import { createEngine, engineConfigFrom, type EngineChoice } from '../llm/factory';
import { examplesFor } from './corrections';
import { checkBatch } from './batch-run';
import { checkWebSearch } from '../llm/errors';
import { checkFileInputs } from './row-inputs';
import { limitsFor } from '../shared/limit-presets';
import { estimateCallCost } from '../llm/prices';
import { PAGE_SYSTEM_PROMPT } from '../prompt/page-prompt';
import { budgetState, checkBudget } from '../usage/budget';
import type { DatabaseRunSetup, StartPageRunRequest } from '../shared/intents';
import type { Outcome } from '../shared/outcome';
import { createNotionClient } from '../notion/client';
import { NO_TOKEN_PROBLEM, toNotionProblem } from '../notion/errors';
import { FIRST_ROWS } from '../shared/notion-shapes';
import { resolveTarget } from '../notion/target';
import { readSecrets, readSettings } from '../storage';
import { startJob, targetBusy } from './runner';
import { checkSetup, type CheckedSetup } from './database-setup';
import {
  EMPTY_COUNTS,
  EMPTY_USAGE,
  type DatabaseJob,
  type Job,
  type JobBase,
  type JobEngine,
  type PageJob,
} from '../shared/job';
import type { CorrectionExample } from '../shared/row-marks';

/** A page answer's length guess for the estimate before a run (a substantial article). */
const PAGE_EXPECTED_OUTPUT_TOKENS = 1_500;

function fail(problem: Problem): Outcome<never> {
  return { ok: false, problem };
}

/** Settings → the engine a run uses, or the problem that stops it (no key, no Notion secret). */
async function runEngine(
  choice?: EngineChoice,
): Promise<{ engine: JobEngine; notionToken: string } | { problem: Problem }> {
  const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
  if (!secrets.notionToken) return { problem: NO_TOKEN_PROBLEM };
  const config = engineConfigFrom(settings, secrets, choice);
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
      limitPreset: limitsFor(config.engine, settings.limitPresets[config.engine]).id,
    },
  };
}

interface ConnectionChoice {
  connectionId: string | undefined;
  connectionName: string | undefined;
  kind: 'page' | 'database';
  target: { id: string; title: string; url: string };
  prompt: string;
  engine: JobEngine;
  options: Record<string, unknown>;
  overBudgetOk: boolean | undefined;
  /** Keep the connection's saved options (a run the timer starts is not the person's new setup). */
  keepOptions?: boolean;
}

/**
 * Saves the run's connection (the one asked for, else the target's own, else a new one) and returns
 * what every job starts with.
 */
async function saveConnection(choice: ConnectionChoice): Promise<Omit<JobBase, 'kind'>> {
  const { target } = choice;
  const existing = choice.connectionId ? await getConnection(choice.connectionId) : await findConnectionFor(target.id);
  const connectionId = existing?.id ?? crypto.randomUUID();
  await upsertConnection({
    id: connectionId,
    name: choice.connectionName?.trim() || existing?.name || target.title,
    kind: choice.kind,
    targetId: target.id,
    targetTitle: target.title,
    targetUrl: target.url,
    prompt: choice.prompt,
    engine: choice.engine.engine,
    model: choice.engine.model,
    options: choice.keepOptions && existing ? existing.options : choice.options,
  });
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    connectionId,
    targetId: target.id,
    targetTitle: target.title,
    targetUrl: target.url,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine: choice.engine,
    usage: EMPTY_USAGE,
    ...(choice.overBudgetOk ? { budgetOverride: true } : {}),
  };
}

export async function startDatabaseRun(
  setup: DatabaseRunSetup,
  how: { keepOptions?: boolean } = {},
): Promise<Outcome<{ jobId: string; connectionId: string }>> {
  const ready = await runEngine(setup.engine);
  if ('problem' in ready) return fail(ready.problem);
  let checked;
  let examples: CorrectionExample[] | undefined;
  try {
    checkWebSearch(ready.engine.engine, setup.webSearch);
    const notion = createNotionClient(ready.notionToken);
    checked = await checkSetup(notion, setup);
    checkFileInputs(ready.engine.engine, checked.fileColumns);
    if (setup.batch) checkBatch(ready.engine.engine, checked);
    examples = await examplesFor(notion, checked, setup);
  } catch (error) {
    return fail(error instanceof InklingError ? error.problem : toNotionProblem(error, 'database'));
  }
  const { target } = checked;
  const busy = await targetBusy(target.id);
  if (busy) return fail(busy);
  const budget = checkBudget(await budgetState(), 0, setup.overBudgetOk ?? false);
  if (budget) return fail(budget);
  const base = await saveConnection({
    connectionId: setup.connectionId,
    connectionName: setup.connectionName,
    kind: 'database',
    target,
    prompt: checked.template,
    engine: ready.engine,
    options: {
      outputs: setup.outputs,
      selection: setup.selection,
      checkboxId: setup.checkboxId,
      overwrite: setup.overwrite,
      untick: setup.untick,
      ...(setup.packRows === false ? { packRows: false } : {}),
      ...(setup.webSearch ? { webSearch: true } : {}),
      ...(setup.webSearch && setup.sourcesId ? { sourcesId: setup.sourcesId } : {}),
      ...(setup.selection === 'view' && setup.viewId ? { viewId: setup.viewId } : {}),
      ...(setup.learn ? { learn: true } : {}),
      ...(setup.keepUpToDate ? { keepUpToDate: true } : {}),
    },
    overBudgetOk: setup.overBudgetOk,
    ...(how.keepOptions ? { keepOptions: true } : {}),
  });
  const job = databaseJob(base, checked, setup);
  // A refresh takes as new only the rows added since the connection began.
  const since = setup.selection === 'changed' ? (await getConnection(base.connectionId))?.createdAt : undefined;
  return launch({
    ...job,
    ...(examples?.length ? { examples } : {}),
    ...(since ? { refreshSince: since } : {}),
    ...(setup.batch ? { batch: { round: 0, keys: [] } } : {}),
  });
}

/** A new database run, from what every job starts with and the setup checked against the database. */
export function databaseJob(base: Omit<JobBase, 'kind'>, checked: CheckedSetup, setup: DatabaseRunSetup): DatabaseJob {
  return {
    ...base,
    kind: 'database',
    dataSourceId: checked.target.dataSourceId,
    template: checked.template,
    propertyNames: checked.propertyNames,
    titleColumn: checked.titleColumn,
    outputs: checked.outputs,
    ...(checked.steps ? { steps: checked.steps } : {}),
    ...(checked.fileColumns ? { fileColumns: checked.fileColumns } : {}),
    inputColumns: checked.inputColumns,
    selection: setup.selection,
    ...(checked.checkbox ? { checkbox: checked.checkbox } : {}),
    overwrite: setup.overwrite,
    untick: setup.untick,
    ...(setup.packRows === false ? { packRows: false } : {}),
    ...(checked.webSearch ? { webSearch: true } : {}),
    ...(checked.sources ? { sources: checked.sources } : {}),
    ...(checked.view ? { view: checked.view } : {}),
    phase: 'running',
    readFrom: FIRST_ROWS,
    pages: [],
    ...(setup.expectedRows === undefined ? {} : { expectedRows: setup.expectedRows }),
    chunks: 0,
    counts: EMPTY_COUNTS,
  };
}

/** Hands the job to the runner; a run that started on the same target meanwhile refuses it. */
async function launch(job: Job): Promise<Outcome<{ jobId: string; connectionId: string }>> {
  try {
    await startJob(job);
  } catch (error) {
    if (error instanceof InklingError) return fail(error.problem);
    throw error;
  }
  return { ok: true, value: { jobId: job.id, connectionId: job.connectionId } };
}

export async function startPageRun(
  request: StartPageRunRequest,
): Promise<Outcome<{ jobId: string; connectionId: string }>> {
  const prompt = request.prompt.trim();
  if (!prompt)
    return fail({ source: 'inkling', kind: 'no_prompt', message: 'Write a prompt first.', retryable: false });
  const ready = await runEngine();
  if ('problem' in ready) return fail(ready.problem);
  let target;
  try {
    checkWebSearch(ready.engine.engine, request.webSearch);
    target = await resolveTarget(createNotionClient(ready.notionToken), { id: request.pageId });
  } catch (error) {
    return fail(error instanceof InklingError ? error.problem : toNotionProblem(error, 'page'));
  }
  if (target.kind !== 'page') {
    return fail({
      source: 'inkling',
      kind: 'wrong_kind',
      message: 'This is a database: generate into its rows instead.',
      retryable: false,
    });
  }
  const busy = await targetBusy(target.id);
  if (busy) return fail(busy);
  const estimate = estimateCallCost(
    ready.engine.engine,
    ready.engine.model,
    PAGE_SYSTEM_PROMPT.length + prompt.length,
    PAGE_EXPECTED_OUTPUT_TOKENS,
    ready.engine.baseUrl,
    request.webSearch ? 1 : 0,
  );
  const budget = checkBudget(await budgetState(), estimate.usd, request.overBudgetOk ?? false);
  if (budget) return fail(budget);

  const base = await saveConnection({
    connectionId: request.connectionId,
    connectionName: request.connectionName,
    kind: 'page',
    target,
    prompt,
    engine: ready.engine,
    options: { useContext: request.useContext, mode: request.mode, ...(request.webSearch ? { webSearch: true } : {}) },
    overBudgetOk: request.overBudgetOk,
  });
  const job: PageJob = {
    ...base,
    kind: 'page',
    prompt,
    useContext: request.useContext,
    mode: request.mode,
    phase: 'generating',
    createdIds: [],
    ...(request.allowImages ? { allowImages: true } : {}),
    ...(request.webSearch ? { webSearch: true } : {}),
  };
  return launch(job);
}
