// "Slow and cheap (batch)": every chosen row is read first (each with its baseline), then their prompts
// go to the provider as one batch labelled by the job's id — its keys saved before it is sent, its id
// as soon as it is, and a batch cut off in between found again by its label, never sent twice. The run
// then waits, paused, looking again by itself (across worker stops and browser restarts), and keeps
// each answer on its row as any paid answer is kept; the same writer as any run then writes them, only
// where a row still holds what was read.
import { batchesAvailable, ENGINE_LABELS, type EngineId } from '../shared/engines';
import { addUsage, EMPTY_USAGE, type DatabaseJob } from '../shared/job';
import { InklingError, type Problem } from '../shared/problem';
import { buildRowPrompt, interpretAnswer } from '../prompt/row-prompt';
import { withExamples } from '../prompt/examples';
import type { BatchItem } from '../llm/types';
import type { JobContext } from './context';
import { finish } from './database-rows';
import { exclusions } from './database-setup';
import type { RowBook } from './row-book';
import { keepAnswer } from './row-answer';
import { promptRow } from './row-inputs';
import { inputsOf } from './row-marks';
import { readJob } from './job-store';
import { saveRun } from './run-stops';
import { PAGE_PLACEHOLDER } from '../shared/template';
import { isChained, stepReferences, stepsOf } from './run-steps';

/** A batch is offered for runs of at least this many rows: for fewer, waiting saves next to nothing. */
export const BATCH_MIN_ROWS = 20;
/** The first look after submitting, and the longest wait between looks (they lengthen as it goes). */
const FIRST_LOOK_MS = 15_000;
const LONGEST_WAIT_MS = 10 * 60_000;

/** An engine without a batch API, and what to do for one. */
const noBatchAPI = (engine: EngineId): string =>
  `${ENGINE_LABELS[engine]} has no batch API: choose GPT (OpenAI) or Gemini in Settings → AI engine, or in Compare models`;

/** Why a run that could go as one batch is not offered one: its engine has none (and may cost nothing). */
export const noBatchOffered = (engine: EngineId, free: boolean): string =>
  free
    ? `${ENGINE_LABELS[engine]} has no batch API, and costs nothing to run here: Slow and cheap (batch) is for GPT (OpenAI) and Gemini, at about half their price.`
    : `Slow and cheap (batch), at about half the price, is not offered here. ${noBatchAPI(engine)}.`;

const unsupported = (message: string): InklingError =>
  new InklingError({ source: 'inkling', kind: 'unsupported', message, retryable: false });

/** Before a batch run: what a batch cannot carry is said, with what to do instead. */
export function checkBatch(
  engine: EngineId,
  run: { template: string; steps?: DatabaseJob['steps']; webSearch?: boolean; fileColumns?: readonly string[] },
): void {
  if (!batchesAvailable(engine)) throw unsupported(`${noBatchAPI(engine)}, or untick Slow and cheap (batch).`);
  if (isChained(run))
    throw unsupported(
      'Outputs with prompts of their own are asked one after another, which one batch cannot do: untick Slow and cheap (batch).',
    );
  if (run.webSearch)
    throw unsupported('Web search does not go in a batch: untick Use web search or Slow and cheap (batch).');
  const column = run.fileColumns?.[0];
  if (column)
    throw unsupported(
      `Files do not go in a batch: take {{${column}}} out of the prompt, or untick Slow and cheap (batch).`,
    );
}

const waiting = (message: string): Problem => ({ source: 'model', kind: 'batch_waiting', message, retryable: true });

const CANCELLING =
  'Cancelling the batch: the rows it answered by then are written, the others are left for Retry failed.';

/**
 * Saves the run as waiting for its batch, to look again by itself after the wait `plan` gives — which
 * is told whether Cancel was asked meanwhile (as the stored run has it), so a Cancel that came during
 * this look is neither overwritten nor left for the long wait.
 */
function waitFor(job: DatabaseJob, plan: (cancel: boolean) => [ms: number, message: string]): Promise<DatabaseJob> {
  return saveRun(job.id, (j) => {
    const [ms, message] = plan(Boolean(j.batch?.cancel));
    j.status = 'paused';
    j.resumeAt = Date.now() + ms;
    j.problem = waiting(message);
  });
}

/**
 * Saves the batch's state, keeping a Cancel asked for since the run was read — but not one of a round
 * collected already: a new round (Retry failed) starts without it.
 */
const saveBatch = (id: string, state: NonNullable<DatabaseJob['batch']>): Promise<DatabaseJob> =>
  saveRun(id, (j) => {
    const cancel = j.batch?.collected ? undefined : j.batch?.cancel;
    j.batch = { ...state, ...(cancel ? { cancel } : {}) };
  });

/** Whether Cancel was asked for (and whether the provider was told), as the stored run has it now. */
async function cancelAsked(id: string): Promise<'asked' | 'sent' | undefined> {
  return ((await readJob(id)) as DatabaseJob | undefined)?.batch?.cancel;
}

const cancelledRun = () =>
  new InklingError({ source: 'inkling', kind: 'aborted', message: 'Cancelled.', retryable: false });

/**
 * One stretch of a batch run, once every chosen row has been read: submits the rows still to answer
 * (a new round after Retry failed), or looks at the batch sent; returns the job paused while it is
 * running, or with its answers kept on the rows, for the writer.
 */
export async function collectBatch(job: DatabaseJob, ctx: JobContext, book: RowBook): Promise<DatabaseJob> {
  const batch = ctx.engine.batch;
  checkBatch(ctx.engine.id, job);
  let state = job.batch ?? { round: 0, keys: [] };
  const pending = book.rows.filter((row) => row.state === 'pending').map((row) => row.id);
  if (state.collected || !state.id) {
    if (pending.length === 0) return job;
    const round = state.collected ? state.round + 1 : state.round;
    state = (await saveBatch(job.id, { round, keys: pending })).batch!;
    const label = `${job.id}:${round}`;
    const found = await batch!.find(label, ctx.signal);
    // Cancelled before it was sent: nothing to stop at the provider, nothing paid for.
    if (!found && (await cancelAsked(job.id))) throw cancelledRun();
    const id = found ?? (await submit(job, ctx, book, pending));
    job = await saveBatch(job.id, { ...state, id, submittedAt: Date.now() });
    state = job.batch!;
  }
  // Cancel (asked now, or while the batch was being sent) stops the batch at the provider. A request
  // that fails is asked again on the next look; one that has ended already needs none (its status says so).
  if ((await cancelAsked(job.id)) === 'asked') {
    const told = await batch!.cancel(state.id!).then(
      () => true,
      () => false,
    );
    if (told) job = await saveRun(job.id, (j) => void (j.batch!.cancel = 'sent'));
    state = job.batch ?? state;
  }
  const status = await batch!.status(state.id!, ctx.signal);
  if (status.state === 'running') {
    const age = Date.now() - (state.submittedAt ?? Date.now());
    const counts = status.counts?.total ? `${status.counts.done} of ${status.counts.total} answered. ` : '';
    return waitFor(job, (cancel) =>
      cancel
        ? [FIRST_LOOK_MS, `${counts}${CANCELLING}`]
        : [
            Math.min(LONGEST_WAIT_MS, Math.max(FIRST_LOOK_MS, age / 4)),
            `${counts}${ENGINE_LABELS[ctx.engine.id]} answers a batch within a day, usually much sooner, and Inkling writes the answers when they come.`,
          ],
    );
  }
  return keepAnswers(job, ctx, book, state.id!, state.keys, status.problem);
}

/** The prompts of the rows to answer, as one batch labelled by the job's id and round. */
async function submit(job: DatabaseJob, ctx: JobContext, book: RowBook, ids: readonly string[]): Promise<string> {
  const usesPage = stepReferences(stepsOf(job), job.propertyNames).includes(PAGE_PLACEHOLDER);
  const items: BatchItem[] = [];
  for (const id of ids) {
    const { row } = await promptRow(ctx, book.get(id)!, usesPage);
    const prompt = withExamples(
      buildRowPrompt({
        template: job.template,
        propertyNames: job.propertyNames,
        row,
        outputs: job.outputs,
        exclude: exclusions(job),
      }),
      job.examples,
      job.outputs,
    );
    // What the answer is made from, kept with the row: its mark once it is written.
    const inputs = inputsOf(job.inputColumns ?? [], row.values, row.pageMarkdown);
    await book.update(id, (r) => void (r.inputs = inputs));
    items.push({
      key: id,
      request: { system: prompt.system, prompt: prompt.prompt, ...(prompt.schema ? { schema: prompt.schema } : {}) },
    });
  }
  return ctx.engine.batch!.submit(items, `${job.id}:${job.batch?.round ?? 0}`, ctx.signal);
}

/** The batch's answers kept on their rows (or each row failed with why), priced at the batch price. */
async function keepAnswers(
  job: DatabaseJob,
  ctx: JobContext,
  book: RowBook,
  id: string,
  keys: readonly string[],
  failed: Problem | undefined,
): Promise<DatabaseJob> {
  const answers = failed
    ? keys.map((key) => ({ key, problem: failed }))
    : await ctx.engine.batch!.answers(id, keys, ctx.signal);
  let usage = EMPTY_USAGE;
  for (const answer of answers) {
    const row = book.get(answer.key);
    if (!row || row.state !== 'pending') continue;
    if ('problem' in answer) {
      await finish(book, row.id, 'failed', answer.problem.message);
      continue;
    }
    usage = addUsage(usage, ctx.price(answer.usage, true));
    const prompt = buildRowPrompt({
      template: job.template,
      propertyNames: job.propertyNames,
      row: { title: row.title, values: row.values ?? {} },
      outputs: job.outputs,
      exclude: exclusions(job),
    });
    const results = interpretAnswer(prompt, job.outputs, { text: answer.text });
    await keepAnswer(job, book, row.id, results, row.inputs ?? { columns: '' });
  }
  return saveRun(job.id, (j) => {
    j.usage = addUsage(j.usage, usage);
    if (j.batch) j.batch.collected = true;
    delete j.problem;
    delete j.resumeAt;
  });
}
