// Preview: the first few chosen rows answered by the model and shown, nothing written — packed the
// way the run would pack them, so that it shows what the run would write.
import type { PageObjectResponse } from '@notionhq/client';
import { InklingError } from '../shared/problem';
import { PAGE_PLACEHOLDER } from '../shared/template';
import type { DatabaseRunSetup } from '../shared/intents';
import { queryRowsPage } from '../notion/rows';
import { buildPackPrompt, interpretPack, type RowResults } from '../prompt/pack-prompt';
import { addUsage, EMPTY_USAGE, type JobUsage } from '../shared/job';
import type { ComparedModel, PreviewRow } from '../shared/run-preview';
import type { EngineChoice } from '../shared/engines';
import type { Source } from '../shared/sources';
import type { JobContext } from './context';
import { exclusions, rowValues, setupFilter, titleOf, type CheckedSetup } from './database-setup';
import { answerSteps, askModel, displayOf } from './row-answer';
import { isChained, stepOutputs, stepReferences, stepsOf } from './run-steps';
import { examplesFor } from './corrections';
import { withExamples } from '../prompt/examples';
import { filesInput, promptRow, rowFiles, sendsPageImages, withUnsent } from './row-inputs';
import type { Attachment } from '../shared/attachments';
import { rowsPerCallFor } from './run-pace';

/** A row as Preview shows it: its answers (by step, in a chained run), or why it has none. */
function previewRow(
  page: PageObjectResponse,
  results: RowResults,
  sources?: Source[],
  steps?: Record<string, number>,
): PreviewRow {
  const reasons = results.flatMap((r) => (r.result.ok ? [] : [r.result.reason]));
  return {
    id: page.id,
    title: titleOf(page),
    outputs: displayOf(results),
    ...(reasons.length ? { reason: reasons.join(' ') } : {}),
    ...(sources ? { sources } : {}),
    ...(steps ? { steps } : {}),
  };
}

/**
 * Preview: the first few chosen rows, answered by the model and shown — nothing is written. When the
 * run would pack rows, Preview packs them the same way, so it shows what the run would write.
 */
export async function previewRows(
  checked: CheckedSetup,
  setup: DatabaseRunSetup,
  ctx: JobContext,
  count: number,
): Promise<{ rows: PreviewRow[]; usage: ReturnType<JobContext['price']>[] }> {
  const filter = setupFilter(checked, setup.selection);
  const { rows } = await queryRowsPage(ctx.notion, checked.target.dataSourceId, {
    ...(filter ? { filter } : {}),
    pageSize: count,
  });
  const usage: ReturnType<JobContext['price']>[] = [];
  // With Learn from corrections, as the run would ask.
  const examples = await examplesFor(ctx.notion, checked, setup);
  const base = { template: checked.template, propertyNames: checked.propertyNames, outputs: checked.outputs };
  const ask = async (
    prompt: { system: string; prompt: string; schema?: Record<string, unknown> },
    attachments?: readonly Attachment[],
  ) => {
    const { answer, usage: priced } = await askModel(ctx, prompt, checked.webSearch, attachments);
    usage.push(priced);
    return answer;
  };
  const usesPage = stepReferences(stepsOf(checked), checked.propertyNames).includes(PAGE_PLACEHOLDER);
  const read = (page: PageObjectResponse) =>
    promptRow(ctx, { id: page.id, title: titleOf(page), values: rowValues(page) }, usesPage);
  const one = async (page: PageObjectResponse, known?: Awaited<ReturnType<typeof read>>): Promise<PreviewRow> => {
    try {
      const { row, page: images } = known ?? (await read(page));
      const files = rowFiles(filesInput(checked, ctx, page.id, images));
      const answered = await answerSteps(checked, stepsOf(checked), row, exclusions(checked), async (prompt, step) => {
        const sent = await files(step);
        return ask(
          withExamples(withUnsent(prompt, sent.unsent), examples, stepOutputs(checked.outputs, step)),
          sent.attachments,
        );
      });
      return previewRow(
        page,
        answered.results,
        checked.webSearch ? answered.sources : undefined,
        isChained(checked) ? answered.stepOf : undefined,
      );
    } catch (error) {
      // Stopped: the whole Preview ends, rather than each row saying so.
      if (error instanceof InklingError && !ctx.signal.aborted)
        return { id: page.id, title: titleOf(page), outputs: {}, reason: error.problem.message };
      throw error;
    }
  };
  const packs = rowsPerCallFor({ ...setup, ...checked }, ctx.scheduler.limits) > 1 && rows.length > 1;
  if (!packs) return { rows: await Promise.all(rows.map((page) => one(page))), usage };
  // As the run does: a row whose page has images is asked alone.
  const readRows = await Promise.all(rows.map(read));
  const packed = rows.filter((_, i) => !sendsPageImages(ctx, readRows[i]!.page));
  const alone = rows.filter((page) => !packed.includes(page));
  if (packed.length < 2) return { rows: await Promise.all(rows.map((page) => one(page))), usage };
  const pack = buildPackPrompt({
    ...base,
    rows: readRows.filter((_, i) => packed.includes(rows[i]!)).map((r) => r.row),
    exclude: exclusions(checked),
  });
  const readOf = (page: PageObjectResponse) => readRows[rows.indexOf(page)]!;
  let answered: Array<RowResults | undefined> = packed.map(() => undefined);
  try {
    answered = interpretPack(pack, checked.outputs, await ask(withExamples(pack, examples, checked.outputs)));
  } catch (error) {
    if (!(error instanceof InklingError) || ctx.signal.aborted) throw error;
    // An answer that is not the JSON asked for: each row is asked alone, as the run would do.
    if (error.problem.kind !== 'bad_output') {
      const reason = error.problem.message;
      return {
        rows: await Promise.all(
          rows.map((page) =>
            alone.includes(page) ? one(page, readOf(page)) : { id: page.id, title: titleOf(page), outputs: {}, reason },
          ),
        ),
        usage,
      };
    }
  }
  return {
    rows: await Promise.all(
      rows.map((page) => {
        const answer = answered[packed.indexOf(page)];
        return answer ? previewRow(page, answer) : one(page, readOf(page));
      }),
    ),
    usage,
  };
}

/**
 * Compare models: the same first rows previewed by each engine at once, each with the answers, what
 * they used and cost, and how long they took — nothing written. An engine that cannot answer (no key,
 * a model it does not have) says so in its own column; the other still answers.
 */
export async function compareModels(
  sides: ReadonlyArray<{ choice: EngineChoice; context: () => Promise<JobContext> }>,
  preview: (ctx: JobContext) => Promise<{ rows: PreviewRow[]; usage: JobUsage[] }>,
  signal: AbortSignal,
): Promise<ComparedModel[]> {
  return Promise.all(
    sides.map(async ({ choice, context }): Promise<ComparedModel> => {
      const started = performance.now();
      try {
        const { rows, usage } = await preview(await context());
        const used = usage.reduce(addUsage, EMPTY_USAGE);
        return { ...choice, rows, usage: used, ms: Math.round(performance.now() - started) };
      } catch (error) {
        if (signal.aborted) throw error;
        // Whatever went wrong on one side, the other side's paid answers are still shown.
        const problem =
          error instanceof InklingError
            ? error.problem.message
            : `It could not answer (${error instanceof Error ? error.message : String(error)}). Try again.`;
        return { ...choice, rows: [], usage: EMPTY_USAGE, ms: 0, problem };
      }
    }),
  );
}
