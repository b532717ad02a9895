// The generator of a database run: one row's prompt (or several rows' in one call), the model's
// answer, and each answer kept — paid for once — as the write it makes, or the row failed with its reason.
import { toNotionProblem } from '../notion/errors';
import { updateBody } from '../notion/property-answers';
import { requestText } from '../notion/property-cells';
import { withExamples } from '../prompt/examples';
import { buildPackPrompt, interpretPack, type PackRow, type RowResults } from '../prompt/pack-prompt';
import { buildRowPrompt, interpretAnswer, type RowPrompt } from '../prompt/row-prompt';
import { addUsage, type Cells, type DatabaseJob, type JobRow, type JobUsage, type RunStep } from '../shared/job';
import type { RowInputs } from '../shared/row-marks';
import type { OutputSpec } from '../shared/notion-shapes';
import { InklingError, isAbortError, type Problem } from '../shared/problem';
import { cleanSources, sourcesRichText, type Source } from '../shared/sources';
import { budgetReachedProblem, budgetState } from '../usage/budget';
import type { JobContext } from './context';
import { finish } from './database-rows';
import { inputsOf, pageUnchanged, UNCHANGED_REASON } from './row-marks';
import { updateJob } from './job-store';
import type { RowBook } from './row-book';
import { QUOTA_DEFAULT_PAUSE_MS, Stop, stopFor, STOPS_THE_RUN } from './run-stops';
import { stepOutputs, stepsOf } from './run-steps';
import { filesInput, promptRow, rowFiles, sendsPageImages, withUnsent } from './row-inputs';
import type { Attachment } from '../shared/attachments';

/** What the prompt of every row of a run takes from the run. */
export interface RowPromptSetup {
  /** The template names {{page}}: each row's page content is read for it. */
  usesPage: boolean;
  /** Columns the prompt leaves out (the outputs, the checkbox). */
  exclude: string[];
}

/** The Stop for a monthly budget already spent (unless this run was allowed past it). */
async function budgetStop(job: DatabaseJob): Promise<Stop | undefined> {
  if (job.budgetOverride) return undefined;
  const budget = await budgetState();
  return budget.limitUsd !== null && budget.spentUsd >= budget.limitUsd
    ? new Stop(budgetReachedProblem(budget))
    : undefined;
}

/** One model call through the engine's scheduler, priced (which also counts it in Usage). */
export async function askModel(
  ctx: JobContext,
  prompt: { system: string; prompt: string; schema?: Record<string, unknown> },
  webSearch = false,
  attachments: readonly Attachment[] = [],
): Promise<{ answer: ModelAnswer; usage: JobUsage }> {
  const result = await ctx.scheduler.run(
    (signal) =>
      ctx.engine.generate({
        system: prompt.system,
        prompt: prompt.prompt,
        ...(prompt.schema ? { schema: prompt.schema } : {}),
        ...(webSearch ? { webSearch } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
        signal,
      }),
    { signal: ctx.signal },
  );
  return {
    answer: {
      text: result.text,
      ...(result.json === undefined ? {} : { json: result.json }),
      ...(result.sources ? { sources: result.sources } : {}),
    },
    usage: ctx.price(result.usage),
  };
}

/** A model's answer to a row's (or a pack's) prompt, with the pages it cites when it searched the web. */
export interface ModelAnswer {
  text: string;
  json?: unknown;
  sources?: Source[];
}

/** One model call for the run, its usage added to the run's. */
async function ask(
  job: DatabaseJob,
  ctx: JobContext,
  prompt: { system: string; prompt: string; schema?: Record<string, unknown> },
  attachments?: readonly Attachment[],
): Promise<ModelAnswer> {
  const { answer, usage } = await askModel(ctx, prompt, job.webSearch, attachments);
  await updateJob<DatabaseJob>(job.id, (j) => void (j.usage = addUsage(j.usage, usage)));
  return answer;
}

/** A row's answers as the panel shows them, by column name ('' for a value that could not be used). */
export function displayOf(results: RowResults): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.spec.name, r.result.ok ? requestText(r.result.request) : '']));
}

/** Keeps a row's answer, paid for once, as the write it makes (`generated`), or fails the row with its reasons. */
export async function keepAnswer(
  job: DatabaseJob,
  book: RowBook,
  id: string,
  results: RowResults,
  inputs: RowInputs,
  sources: readonly Source[] = [],
): Promise<void> {
  const failures = results.flatMap((r) => (r.result.ok ? [] : [r.result.reason]));
  if (failures.length > 0) {
    await book.update(id, (r) => {
      r.display = displayOf(results);
      r.state = 'failed';
      r.reason = failures.join(' ');
      r.inputs = inputs;
    });
    return;
  }
  const write: Cells = updateBody(
    results.flatMap((r) => (r.result.ok ? [{ spec: r.spec, request: r.result.request }] : [])),
  );
  // The pages the answer cites, as links: always written, so that a row answered again (Overwrite)
  // never keeps the sources of its old answer.
  if (job.sources) write[job.sources.id] = { rich_text: sourcesRichText(sources) };
  if (job.untick && job.checkbox && job.selection === 'ticked') write[job.checkbox.id] = { checkbox: false };
  // The answer is paid for: it is kept (as the write it makes) before anything else can go wrong.
  await book.update(id, (r) => {
    r.write = write;
    r.inputs = inputs;
    r.state = 'generated';
    delete r.reason;
    delete r.display;
    delete r.answered;
  });
}

/** What a failed call means: nothing (Stop pressed), a Stop for the whole run, or the rows' reason. */
function failure(error: unknown, ctx: JobContext): { stop?: Stop; reason?: string; problem?: Problem } {
  if (ctx.signal.aborted || isAbortError(error)) return {};
  const problem = error instanceof InklingError ? error.problem : toNotionProblem(error, 'page');
  if (problem.kind === 'aborted') return {};
  if (problem.kind === 'quota')
    return { stop: new Stop(problem, Date.now() + (problem.retryAfterMs ?? QUOTA_DEFAULT_PAUSE_MS)) };
  if (problem.kind === 'storage_full' || STOPS_THE_RUN.has(problem.kind)) return { stop: stopFor(problem) };
  return { reason: problem.message, problem };
}

/** A row's answers so far in a chained run: the cells and the pages they cite. */
export type Answered = NonNullable<JobRow['answered']>;

/**
 * A row's answers through the run's steps, in order: each step's prompt gets the answers of the steps
 * before it in place of their columns. Steps already `known` (paid for before) are not asked again;
 * `onStep` keeps what is answered before the next step is paid for. Stops at the first step whose
 * answer cannot be used: a later one would be built on it.
 */
export async function answerSteps(
  run: { propertyNames: string[]; outputs: OutputSpec[] },
  steps: readonly RunStep[],
  row: PackRow,
  exclude: readonly string[],
  askFor: (prompt: RowPrompt, step: RunStep) => Promise<ModelAnswer>,
  known?: Answered,
  onStep?: (answered: Answered) => Promise<unknown>,
): Promise<{ results: RowResults; sources: Source[]; stepOf: Record<string, number> }> {
  const results: RowResults = [];
  const stepOf: Record<string, number> = {};
  let sources = [...(known?.sources ?? [])];
  const cells = (): Cells =>
    Object.fromEntries(results.flatMap((r) => (r.result.ok ? [[r.spec.id, r.result.request]] : [])));
  for (const [i, step] of steps.entries()) {
    const outputs = stepOutputs(run.outputs, step);
    for (const spec of outputs) stepOf[spec.name] = i + 1;
    if (known && outputs.every((spec) => spec.id in known.cells)) {
      results.push(...outputs.map((spec) => ({ spec, result: { ok: true as const, request: known.cells[spec.id]! } })));
      continue;
    }
    const earlier = Object.fromEntries(
      results.flatMap((r) => (r.result.ok ? [[r.spec.name, requestText(r.result.request)]] : [])),
    );
    const prompt = buildRowPrompt({
      template: step.template,
      propertyNames: run.propertyNames,
      row: { ...row, values: { ...row.values, ...earlier } },
      outputs,
      exclude,
    });
    const answer = await askFor(prompt, step);
    const answered = interpretAnswer(prompt, outputs, answer);
    results.push(...answered);
    sources = cleanSources([...sources, ...(answer.sources ?? [])]);
    if (answered.some((r) => !r.result.ok)) break;
    if (i < steps.length - 1) await onStep?.({ cells: cells(), sources });
  }
  return { results, sources, stepOf };
}

/**
 * The generator: asks the model for one row's answer (a call for each step of a chained run) and keeps
 * it in the book, as the write it makes (state `generated`), or fails the row with its reason. Returns
 * the Stop for a problem no row can get past.
 */
export async function answerRow(
  job: DatabaseJob,
  book: RowBook,
  id: string,
  ctx: JobContext,
  setup: RowPromptSetup,
): Promise<Stop | undefined> {
  let inputs: RowInputs | undefined;
  try {
    const stop = await budgetStop(job);
    if (stop) return stop;
    const jobRow = book.get(id)!;
    const { row, page } = await promptRow(ctx, jobRow, setup.usesPage);
    inputs = inputsOf(job.inputColumns ?? [], row.values, row.pageMarkdown);
    // Left for its page to say (a refresh): a page as it was needs no answer, unless one is paid for.
    if (jobRow.pageCheck && !jobRow.answered && pageUnchanged(jobRow, inputs)) {
      await finish(book, id, 'skipped', UNCHANGED_REASON);
      return undefined;
    }
    const files = rowFiles(filesInput(job, ctx, id, page));
    const { results, sources } = await answerSteps(
      job,
      stepsOf(job),
      row,
      setup.exclude,
      async (prompt, step) => {
        const sent = await files(step);
        const taught = withExamples(withUnsent(prompt, sent.unsent), job.examples, stepOutputs(job.outputs, step));
        return ask(job, ctx, taught, sent.attachments);
      },
      jobRow.answered,
      // A later step may fail: the answers before it are paid for, and kept for Retry failed.
      (answered) => book.update(id, (r) => void (r.answered = answered)),
    );
    await keepAnswer(job, book, id, results, inputs, sources);
    return undefined;
  } catch (error) {
    const failed = failure(error, ctx);
    // The inputs it failed on are kept with it: a timer does not ask again until they change.
    if (failed.reason !== undefined) await finish(book, id, 'failed', failed.reason, inputs);
    return failed.stop;
  }
}

/**
 * The generator for several rows in one call (pack-prompt.ts): each row's answer kept as answerRow
 * keeps it. Returns the rows the answer left out, to be asked for alone, and the Stop for a problem no
 * row can get past. An answer that is not the JSON asked for sends every row of the pack alone.
 */
export async function answerPack(
  job: DatabaseJob,
  book: RowBook,
  ids: readonly string[],
  ctx: JobContext,
  setup: RowPromptSetup,
): Promise<{ stop?: Stop; alone: string[] }> {
  const alone: string[] = [];
  let packed = [...ids];
  try {
    const stop = await budgetStop(job);
    if (stop) return { stop, alone: [] };
    const read = await Promise.all(ids.map((id) => promptRow(ctx, book.get(id)!, setup.usesPage)));
    const inputs = read.map((r) => inputsOf(job.inputColumns ?? [], r.row.values, r.row.pageMarkdown));
    const unchanged = ids.filter((id, i) => book.get(id)!.pageCheck && pageUnchanged(book.get(id)!, inputs[i]!));
    for (const id of unchanged) await finish(book, id, 'skipped', UNCHANGED_REASON);
    // A row whose page has images goes alone: a packed prompt cannot say whose images are whose.
    alone.push(...ids.filter((id, i) => !unchanged.includes(id) && sendsPageImages(ctx, read[i]!.page)));
    packed = ids.filter((id) => !alone.includes(id) && !unchanged.includes(id));
    if (packed.length === 0) return { alone };
    const rowOf = (id: string) => ids.indexOf(id);
    const pack = buildPackPrompt({
      template: job.template,
      propertyNames: job.propertyNames,
      rows: packed.map((id) => read[rowOf(id)]!.row),
      outputs: job.outputs,
      exclude: setup.exclude,
    });
    const results = interpretPack(
      pack,
      job.outputs,
      await ask(job, ctx, withExamples(pack, job.examples, job.outputs)),
    );
    for (const [i, id] of packed.entries()) {
      const answered = results[i];
      if (answered) await keepAnswer(job, book, id, answered, inputs[rowOf(id)]!);
      else alone.push(id);
    }
    return { alone };
  } catch (error) {
    const failed = failure(error, ctx);
    if (failed.problem?.kind === 'bad_output') return { alone: [...ids] };
    if (failed.reason !== undefined) for (const id of packed) await finish(book, id, 'failed', failed.reason);
    return { ...(failed.stop ? { stop: failed.stop } : {}), alone };
  }
}
