// A database run, as a stored state machine: list the chosen rows → run every row → finished.
// Model calls run as fast as the engine's limits allow; each answer is saved before it is written;
// writes go through the credential's pacer at Notion's rate. After a restart, rows caught between
// "generated" and "written" are checked against Notion before they are written, so none is written
// twice — and rows edited by someone during the run are left as they are.
import { isFullDataSource, type Client, type PageObjectResponse } from '@notionhq/client';
import PQueue from 'p-queue';
import { InklingError, isAbortError, type Problem } from '../errors';
import { blocksToMarkdown } from '../notion/blocks-to-markdown';
import { notionProblem, toNotionProblem } from '../notion/errors';
import { isEmptyValue, propertyText, toRequestValue, updateBody, type PropertyValue } from '../notion/properties';
import { readBlockTree } from '../notion/read-blocks';
import { queryRowsPage, rowFilter } from '../notion/rows';
import { schemaOf, type PropertyInfo } from '../notion/target';
import { buildRowPrompt, interpretAnswer } from '../prompt/row-prompt';
import { checkTemplate, PAGE_PLACEHOLDER } from '../prompt/template';
import { budgetReachedProblem, budgetState } from '../usage/budget';
import type { JobContext } from './context';
import { updateJob } from './job-store';
import { RowBook } from './row-book';
import type { DatabaseJob, JobRow } from './types';
import { addUsage } from './usage';

/** Notion writes in flight at once; the pacer sets the actual rate. */
const WRITE_CONCURRENCY = 4;
/** Times a row's write is re-sent after Notion confirmed it had not landed. */
const WRITE_MAX_ATTEMPTS = 3;
/** How often rows edited by someone else during the run are looked for. */
export const FRESHNESS_INTERVAL_MS = 20_000;
/** Notion rounds last_edited_time to the minute: look back that much further. */
const EDIT_TIME_ROUNDING_MS = 60_000;
/** A quota that named no time to wait: try again after this long. */
const QUOTA_DEFAULT_PAUSE_MS = 60 * 60_000;

/** Model problems no row can get past: the run stops (rows stay pending, nothing is lost). */
const STOPS_THE_RUN = new Set(['bad_key', 'no_key', 'no_permission', 'ollama_origin', 'model_not_found', 'unsupported', 'unauthorized', 'not_shared', 'restricted', 'no_token', 'output_missing']);

class Stop extends Error {
  constructor(readonly problem: Problem, readonly pauseUntil?: number) {
    super(problem.message);
  }
}

const save = (id: string, change: (j: DatabaseJob) => void) =>
  updateJob<DatabaseJob>(id, (j) => void change(j)).then((saved) => {
    if (!saved) throw new InklingError(notionProblem('validation', 'This run was removed.'));
    if (saved.status === 'cancelled') throw new InklingError({ source: 'inkling', kind: 'aborted', message: 'Stopped.', retryable: false });
    return saved;
  });

function valueById(page: PageObjectResponse, id: string): PropertyValue | undefined {
  return Object.values(page.properties).find((value) => value.id === id) as PropertyValue | undefined;
}

function outputMissing(name: string): Problem {
  return {
    source: 'notion',
    kind: 'output_missing',
    message: `The output column “${name}” no longer exists in this database (renamed or deleted?). Choose it again under Output property.`,
    retryable: false,
  };
}

/** The database's current columns, checked against what the run was set up with. Renames are followed. */
async function checkColumns(job: DatabaseJob, notion: Client): Promise<{ job: DatabaseJob; schema: PropertyInfo[] }> {
  const dataSource = await notion.dataSources.retrieve({ data_source_id: job.dataSourceId });
  if (!isFullDataSource(dataSource)) throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this database.'));
  const schema = schemaOf(dataSource);
  const byId = new Map(schema.map((p) => [p.id, p]));
  const follow = <T extends { id: string; name: string; type: string }>(column: T): T => {
    const now = byId.get(column.id);
    if (!now) throw new InklingError(outputMissing(column.name));
    if (now.type !== column.type) {
      throw new InklingError({
        source: 'notion',
        kind: 'output_missing',
        message: `“${now.name}” is now a ${now.type.replace('_', ' ')} column, not ${column.type.replace('_', ' ')}. Choose the output again under Output property.`,
        retryable: false,
      });
    }
    return { ...column, name: now.name };
  };
  const outputs = job.outputs.map((o) => ({ ...follow(o), ...(byId.get(o.id)?.options ? { options: byId.get(o.id)!.options!.map((x) => x.name) } : {}) }));
  const checkbox = job.checkbox ? follow(job.checkbox) : undefined;
  const titleColumn = follow(job.titleColumn);
  const template = checkTemplate(job.template, schema.map((p) => p.name));
  if (template.errors.length > 0) {
    throw new InklingError({ source: 'inkling', kind: 'template', message: template.errors.join(' '), retryable: false });
  }
  const saved = await save(job.id, (j) => {
    j.outputs = outputs;
    j.titleColumn = titleColumn;
    if (checkbox) j.checkbox = checkbox;
    j.propertyNames = schema.map((p) => p.name);
  });
  return { job: saved, schema };
}

/** Which of the row's values the prompt needs: the referenced ones, or (with no placeholder) all readable ones. */
function valuesFor(job: DatabaseJob, page: PageObjectResponse): Record<string, string> {
  const refs = checkTemplate(job.template, job.propertyNames).references.filter((r) => r !== PAGE_PLACEHOLDER);
  const names = refs.length > 0 ? refs : Object.keys(page.properties);
  return Object.fromEntries(names.map((name) => [name, propertyText(page.properties[name] as PropertyValue | undefined)]));
}

function toJobRow(job: DatabaseJob, page: PageObjectResponse): JobRow {
  const previous: Record<string, unknown> = {};
  for (const output of job.outputs) {
    const value = valueById(page, output.id);
    if (value) previous[output.id] = toRequestValue(value);
  }
  const checkboxValue = job.checkbox ? valueById(page, job.checkbox.id) : undefined;
  if (job.checkbox && checkboxValue?.type === 'checkbox') previous[job.checkbox.id] = { checkbox: checkboxValue.checkbox };
  const filled = job.outputs.filter((o) => !isEmptyValue(valueById(page, o.id)));
  const row: JobRow = {
    id: page.id,
    title: propertyText(valueById(page, job.titleColumn.id)) || 'Untitled',
    values: valuesFor(job, page),
    state: 'pending',
    previous,
  };
  if (!job.overwrite && filled.length > 0) {
    row.state = 'skipped';
    row.reason = `Already has a value in ${filled.map((o) => `“${o.name}”`).join(', ')}; choose Overwrite to replace it.`;
  }
  return row;
}

async function listRows(job: DatabaseJob, ctx: JobContext, book: RowBook): Promise<DatabaseJob> {
  let current = job;
  if (current.onlyRows) {
    const wanted = current.onlyRows.filter((id) => !book.has(id));
    for (const id of wanted) {
      ctx.signal.throwIfAborted();
      const page = await ctx.notion.pages.retrieve({ page_id: id });
      if ('properties' in page) await book.add([toJobRow(current, page as PageObjectResponse)]);
    }
  } else {
    const filter = rowFilter({ selection: current.selection, checkbox: current.checkbox, outputs: current.outputs });
    let cursor = current.listCursor ?? null;
    do {
      ctx.signal.throwIfAborted();
      const page = await queryRowsPage(ctx.notion, current.dataSourceId, { ...(filter ? { filter } : {}), cursor });
      await book.add(page.rows.map((row) => toJobRow(current, row)));
      cursor = page.nextCursor;
      current = await save(current.id, (j) => void (j.listCursor = cursor));
      await book.flushCounts();
    } while (cursor);
  }
  await book.flushCounts();
  return save(current.id, (j) => {
    j.phase = 'running';
    j.runningSince = Date.now();
  });
}

/** Is the row's page already holding what we meant to write? (A write that landed but whose answer was lost.) */
function landed(page: PageObjectResponse, write: Record<string, unknown>): boolean {
  return Object.entries(write).every(([id, request]) => {
    const value = valueById(page, id);
    return value !== undefined && JSON.stringify(normalise(toRequestValue(value))) === JSON.stringify(normalise(request));
  });
}

/** A request value reduced to its content, so a read-back and the request compare equal. */
function normalise(request: unknown): unknown {
  if (Array.isArray(request)) return request.map(normalise);
  if (request && typeof request === 'object') {
    const record = request as Record<string, unknown>;
    if ('text' in record && record.text && typeof record.text === 'object') return (record.text as { content: string }).content;
    if ('name' in record && typeof record.name === 'string' && Object.keys(record).some((k) => k === 'id' || k === 'color')) return record.name;
    return Object.fromEntries(
      Object.entries(record)
        .filter(([k, v]) => v !== undefined && k !== 'type' && k !== 'annotations' && k !== 'id' && k !== 'color' && k !== 'time_zone')
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return request;
}

export async function runDatabaseJob(job: DatabaseJob, ctx: JobContext): Promise<DatabaseJob> {
  const book = await RowBook.load(job);
  let current = (await checkColumns(job, ctx.notion)).job;
  if (current.phase === 'listing') current = await listRows(current, ctx, book);
  if (current.phase !== 'running') return current;
  return runRows(current, ctx, book);
}

async function runRows(job: DatabaseJob, ctx: JobContext, book: RowBook): Promise<DatabaseJob> {
  const { notion } = ctx;
  const usesPage = checkTemplate(job.template, job.propertyNames).references.includes(PAGE_PLACEHOLDER);
  const exclude = [...job.outputs.map((o) => o.name), ...(job.checkbox ? [job.checkbox.name] : [])];
  let stop: Stop | undefined;
  // A stop from Notion's side also stops the writes still queued; a stop from the model's side
  // (a key, a quota, the budget) lets answers already paid for be written first.
  const halt = (s: Stop) => {
    stop ??= s;
    if (s.problem.source === 'notion') writer.clear();
  };
  const writer = new PQueue({ concurrency: WRITE_CONCURRENCY });

  // ---- rows edited by someone else while the run goes on
  let lastFresh = Date.now();
  let freshening: Promise<void> | undefined;
  const freshen = (): Promise<void> => {
    if (Date.now() - lastFresh < FRESHNESS_INTERVAL_MS) return Promise.resolve();
    freshening ??= (async () => {
      const since = new Date(lastFresh - EDIT_TIME_ROUNDING_MS).toISOString();
      lastFresh = Date.now();
      let cursor: string | null = null;
      do {
        const page = await queryRowsPage(notion, job.dataSourceId, {
          filter: { timestamp: 'last_edited_time', last_edited_time: { on_or_after: since } } as never,
          cursor,
        });
        for (const edited of page.rows) {
          const row = book.get(edited.id);
          if (!row || (row.state !== 'pending' && row.state !== 'generated')) continue;
          const filled = job.outputs.filter((o) => !isEmptyValue(valueById(edited, o.id)));
          const unticked = job.selection === 'ticked' && job.checkbox && isEmptyValue(valueById(edited, job.checkbox.id));
          if ((filled.length > 0 && !job.overwrite) || unticked) {
            await book.update(row.id, (r) => {
              r.state = 'skipped';
              r.reason = unticked ? 'Unticked during the run.' : `Filled in by someone during the run (${filled.map((o) => `“${o.name}”`).join(', ')}).`;
            });
          }
        }
        cursor = page.nextCursor;
      } while (cursor);
    })().finally(() => {
      freshening = undefined;
    });
    return freshening;
  };

  // ---- writing one row: checked before it is sent again, never twice
  const writeRow = async (id: string, verifyFirst: boolean): Promise<void> => {
    if (stop?.problem.source === 'notion' || ctx.signal.aborted) return;
    await freshen();
    const row = book.get(id);
    if (!row || row.state !== 'generated' || !row.write) return;
    const write = row.write;
    if (verifyFirst) {
      const page = (await notion.pages.retrieve({ page_id: id })) as PageObjectResponse;
      if (landed(page, write)) {
        await book.update(id, (r) => void (r.state = 'written'));
        return;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await notion.pages.update({ page_id: id, properties: write as never });
        await book.update(id, (r) => void (r.state = 'written'));
        return;
      } catch (error) {
        const problem = toNotionProblem(error, 'page');
        if (problem.kind === 'unavailable' || problem.kind === 'network' || problem.kind === 'timeout') {
          // It may have landed: look before sending it again.
          const page = (await notion.pages.retrieve({ page_id: id })) as PageObjectResponse;
          if (landed(page, write)) {
            await book.update(id, (r) => void (r.state = 'written'));
            return;
          }
          if (attempt < WRITE_MAX_ATTEMPTS) continue;
        }
        const missing = /(.+) is not a property that exists/.exec(problem.message);
        if (missing) return halt(new Stop(outputMissing(job.outputs.find((o) => missing[1]?.includes(o.id) || missing[1]?.includes(o.name))?.name ?? 'output')));
        if (STOPS_THE_RUN.has(problem.kind) && problem.kind !== 'not_shared') return halt(new Stop(problem));
        await book.update(id, (r) => {
          r.state = 'failed';
          r.reason = problem.kind === 'not_shared' ? 'This row was deleted, or is no longer shared with Inkling.' : problem.message;
        });
        return;
      }
    }
  };

  // ---- generating one row's answer
  const generateRow = async (row: JobRow): Promise<boolean> => {
    if (!job.budgetOverride) {
      const budget = await budgetState();
      if (budget.limitUsd !== null && budget.spentUsd >= budget.limitUsd) {
        halt(new Stop(budgetReachedProblem(budget)));
        return false;
      }
    }
    const pageMarkdown = usesPage ? blocksToMarkdown((await readBlockTree(notion, row.id)).blocks) : undefined;
    const prompt = buildRowPrompt({
      template: job.template,
      propertyNames: job.propertyNames,
      row: { title: row.title, values: row.values, ...(pageMarkdown === undefined ? {} : { pageMarkdown }) },
      outputs: job.outputs,
      exclude,
    });
    const result = await ctx.scheduler.run(
      (signal) => ctx.engine.generate({ system: prompt.system, prompt: prompt.prompt, ...(prompt.schema ? { schema: prompt.schema } : {}), ...(signal ? { signal } : {}) }),
      { signal: ctx.signal },
    );
    await updateJob<DatabaseJob>(job.id, (j) => void (j.usage = addUsage(j.usage, ctx.price(result.usage))));
    const answer = { text: result.text, ...(result.json === undefined ? {} : { json: result.json }) };
    const results = interpretAnswer(prompt, job.outputs, answer);
    const failures = results.flatMap((r) => (r.result.ok ? [] : [r.result.reason]));
    const display = Object.fromEntries(results.map((r) => [r.spec.name, r.result.ok ? requestText(r.result.request) : '']));
    if (failures.length > 0) {
      await book.update(row.id, (r) => {
        r.answer = answer;
        r.display = display;
        r.state = 'failed';
        r.reason = failures.join(' ');
      });
      return false;
    }
    const ok = results.flatMap((r) => (r.result.ok ? [{ spec: r.spec, request: r.result.request }] : []));
    const write = updateBody(ok);
    if (job.untick && job.checkbox && job.selection === 'ticked') write[job.checkbox.id] = { checkbox: false };
    await book.update(row.id, (r) => {
      r.answer = answer;
      r.display = display;
      r.write = write;
      r.state = 'generated';
      delete r.reason;
    });
    return true;
  };

  // Rows answered before a restart: written now, after checking they did not land already.
  for (const row of book.rows) if (row.state === 'generated') void writer.add(() => writeRow(row.id, true));

  // Pending rows: as many model calls in flight as the engine allows, each written as soon as it is answered.
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = Math.max(2, ctx.scheduler.concurrency * 2);
  for (const row of book.rows) {
    if (stop || ctx.signal.aborted) break;
    if (row.state !== 'pending') continue;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (stop || ctx.signal.aborted || book.get(row.id)?.state !== 'pending') continue;
    const task = generateRow(row)
      .then((ok) => {
        if (ok) void writer.add(() => writeRow(row.id, false));
      })
      .catch(async (error: unknown) => {
        if (ctx.signal.aborted || isAbortError(error)) return;
        const problem = error instanceof InklingError ? error.problem : toNotionProblem(error, 'page');
        if (problem.kind === 'aborted') return;
        if (problem.kind === 'quota') return halt(new Stop(problem, Date.now() + (problem.retryAfterMs ?? QUOTA_DEFAULT_PAUSE_MS)));
        if (STOPS_THE_RUN.has(problem.kind)) return halt(new Stop(problem));
        await book.update(row.id, (r) => {
          r.state = 'failed';
          r.reason = problem.message;
        });
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  await writer.onIdle();
  await book.flushCounts();

  ctx.signal.throwIfAborted();
  const stopped = stop as Stop | undefined;
  if (stopped?.pauseUntil) {
    return save(job.id, (j) => {
      j.status = 'paused';
      j.resumeAt = stopped.pauseUntil;
      j.problem = stopped.problem;
    });
  }
  if (stopped) throw new InklingError(stopped.problem);
  return save(job.id, (j) => {
    j.phase = 'finished';
    j.status = 'done';
    delete j.problem;
  });
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

/** Undo: every written row's cells back to what they were (and re-ticked where the run unticked them). */
export async function undoDatabaseJob(job: DatabaseJob, ctx: JobContext): Promise<DatabaseJob> {
  const book = await RowBook.load(job);
  const writer = new PQueue({ concurrency: WRITE_CONCURRENCY });
  let failure: Problem | undefined;
  for (const row of book.rows) {
    if (row.state !== 'written') continue;
    void writer.add(async () => {
      if (failure || ctx.signal.aborted) return;
      try {
        await ctx.notion.pages.update({ page_id: row.id, properties: row.previous as never });
        await book.update(row.id, (r) => void (r.state = 'undone'));
      } catch (error) {
        failure ??= toNotionProblem(error, 'page');
      }
    });
  }
  await writer.onIdle();
  await book.flushCounts();
  if (failure) throw new InklingError({ ...failure, message: `Undo did not finish: ${failure.message} Try Undo run again.` });
  return save(job.id, (j) => void (j.status = 'undone'));
}
