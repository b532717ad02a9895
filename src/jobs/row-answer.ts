// The generator of a database run: one row's prompt, the model's answer, and the answer kept — paid
// for once — as the write it makes, or the row failed with its reason.
import { blocksToMarkdown } from '../notion/blocks-to-markdown';
import { toNotionProblem } from '../notion/errors';
import { updateBody } from '../notion/property-answers';
import { readBlockTree } from '../notion/read-blocks';
import { buildRowPrompt, interpretAnswer } from '../prompt/row-prompt';
import { addUsage, type Cells, type DatabaseJob } from '../shared/job';
import { InklingError, isAbortError } from '../shared/problem';
import { budgetReachedProblem, budgetState } from '../usage/budget';
import type { JobContext } from './context';
import { finish } from './database-rows';
import { updateJob } from './job-store';
import type { RowBook } from './row-book';
import { QUOTA_DEFAULT_PAUSE_MS, Stop, stopFor, STOPS_THE_RUN } from './run-stops';

/** What the prompt of every row of a run takes from the run. */
export interface RowPromptSetup {
  /** The template names {{page}}: each row's page content is read for it. */
  usesPage: boolean;
  /** Columns the prompt leaves out (the outputs, the checkbox). */
  exclude: string[];
}

/**
 * The generator: asks the model for one row's answer and keeps it in the book, as the write it makes
 * (state `generated`), or fails the row with its reason. Returns the Stop for a problem no row can get past.
 */
export async function answerRow(
  job: DatabaseJob,
  book: RowBook,
  id: string,
  ctx: JobContext,
  setup: RowPromptSetup,
): Promise<Stop | undefined> {
  const row = book.get(id)!;
  try {
    if (!job.budgetOverride) {
      const budget = await budgetState();
      if (budget.limitUsd !== null && budget.spentUsd >= budget.limitUsd) {
        return new Stop(budgetReachedProblem(budget));
      }
    }
    const pageMarkdown = setup.usesPage ? blocksToMarkdown((await readBlockTree(ctx.notion, id)).blocks) : undefined;
    const prompt = buildRowPrompt({
      template: job.template,
      propertyNames: job.propertyNames,
      row: { title: row.title, values: row.values ?? {}, ...(pageMarkdown === undefined ? {} : { pageMarkdown }) },
      outputs: job.outputs,
      exclude: setup.exclude,
    });
    const result = await ctx.scheduler.run(
      (signal) =>
        ctx.engine.generate({
          system: prompt.system,
          prompt: prompt.prompt,
          ...(prompt.schema ? { schema: prompt.schema } : {}),
          signal,
        }),
      { signal: ctx.signal },
    );
    await updateJob<DatabaseJob>(job.id, (j) => void (j.usage = addUsage(j.usage, ctx.price(result.usage))));
    const results = interpretAnswer(prompt, job.outputs, {
      text: result.text,
      ...(result.json === undefined ? {} : { json: result.json }),
    });
    const failures = results.flatMap((r) => (r.result.ok ? [] : [r.result.reason]));
    if (failures.length > 0) {
      await book.update(id, (r) => {
        r.display = Object.fromEntries(
          results.map((x) => [x.spec.name, x.result.ok ? requestText(x.result.request) : '']),
        );
        r.state = 'failed';
        r.reason = failures.join(' ');
      });
      return undefined;
    }
    const write: Cells = updateBody(
      results.flatMap((r) => (r.result.ok ? [{ spec: r.spec, request: r.result.request }] : [])),
    );
    if (job.untick && job.checkbox && job.selection === 'ticked') write[job.checkbox.id] = { checkbox: false };
    // The answer is paid for: it is kept (as the write it makes) before anything else can go wrong.
    await book.update(id, (r) => {
      r.write = write;
      r.state = 'generated';
      delete r.reason;
      delete r.display;
    });
    return undefined;
  } catch (error) {
    if (ctx.signal.aborted || isAbortError(error)) return undefined;
    const problem = error instanceof InklingError ? error.problem : toNotionProblem(error, 'page');
    if (problem.kind === 'aborted') return undefined;
    if (problem.kind === 'quota')
      return new Stop(problem, Date.now() + (problem.retryAfterMs ?? QUOTA_DEFAULT_PAUSE_MS));
    if (problem.kind === 'storage_full' || STOPS_THE_RUN.has(problem.kind)) return stopFor(problem);
    await finish(book, id, 'failed', problem.message);
    return undefined;
  }
}

/** A request value as the panel shows it: "Red", "a, b", "42", "Yes", "2026-01-15", the text. */
export function requestText(request: unknown): string {
  if (request === null || request === undefined) return '';
  if (typeof request !== 'object') return String(request);
  const [key, value] = Object.entries(request as Record<string, unknown>)[0] ?? [];
  if (value === null || value === undefined) return '';
  switch (key) {
    case 'title':
    case 'rich_text':
      return (value as Array<{ text?: { content: string } }>).map((t) => t.text?.content ?? '').join('');
    case 'select':
    case 'status':
      return (value as { name: string }).name;
    case 'multi_select':
      return (value as Array<{ name: string }>).map((o) => o.name).join(', ');
    case 'checkbox':
      return value ? 'Yes' : 'No';
    case 'date': {
      const d = value as { start: string; end?: string | null };
      return d.end ? `${d.start} → ${d.end}` : d.start;
    }
    default:
      return String(value);
  }
}
