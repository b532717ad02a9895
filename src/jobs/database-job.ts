// A database run, as a stored state machine: read the chosen rows a small page at a time, ask the
// model for each row's answer as soon as it is read, save the answer, and write it — only while the
// row still holds what was read (database-rows.ts), through the one checked writer, at Notion's rate.
// After a restart, a Cancel or Retry failed, the rows not yet finished are read again before any is
// written. Undo puts back only cells that still hold what the run wrote.
import {
  isFullDataSource,
  isFullPage,
  type Client,
  type PageObjectResponse,
  type UpdatePageParameters,
} from '@notionhq/client';
import PQueue from 'p-queue';
import { InklingError, isAbortError, type Problem } from '../shared/problem';
import { blocksToMarkdown } from '../notion/blocks-to-markdown';
import { writeOnce, type WriteCheck } from '../notion/checked-write';
import { notionProblem, toNotionProblem } from '../notion/errors';
import { sameCell, updateBody } from '../notion/properties';
import { readBlockTree } from '../notion/read-blocks';
import { FIRST_ROWS, type RowsPosition, type PropertyInfo } from '../shared/notion-shapes';
import { QUERY_CAP_PROBLEM, readRowsAt, ROWS_PAGE_SIZE } from '../notion/rows';
import { schemaOf } from '../notion/target';
import { buildRowPrompt, interpretAnswer } from '../prompt/row-prompt';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { budgetReachedProblem, budgetState } from '../usage/budget';
import type { JobContext } from './context';
import {
  finish,
  JIT_PAGE_ROWS,
  minuteOf,
  readRunPage,
  recheckRows,
  standingOf,
  toJobRow,
  valueById,
} from './database-rows';
import { updateJob } from './job-store';
import { RowBook } from './row-book';
import type { Cells, DatabaseJob, JobRow } from '../shared/job';
import { addUsage } from '../shared/job';

/** Notion writes in flight at once; the pacer sets the actual rate. */
const WRITE_CONCURRENCY = 4;
/**
 * The next page of rows is read when fewer rows than this wait for their answer or their write: enough
 * to keep Notion's queue full while the model answers, few enough that a row is written soon after it
 * was read.
 */
export const READ_AHEAD_ROWS = 10;
/** A quota that named no time to wait: try again after this long. */
const QUOTA_DEFAULT_PAUSE_MS = 60 * 60_000;

/** Model problems no row can get past: the run stops (rows stay pending, nothing is lost). */
const STOPS_THE_RUN = new Set([
  'bad_key',
  'no_key',
  'no_permission',
  'ollama_origin',
  'model_not_found',
  'unsupported',
  'unauthorized',
  'not_shared',
  'restricted',
  'no_token',
  'output_missing',
]);

/** Why a run stops; a paused one carries on by itself at `pauseUntil`, or (null) when the user resumes it. */
class Stop extends Error {
  constructor(
    readonly problem: Problem,
    readonly pauseUntil?: number | null,
  ) {
    super(problem.message);
  }
}

/** A stop for a problem that holds every row (storage full): the run pauses, nothing is lost, Resume carries on. */
function stopFor(problem: Problem): Stop {
  return problem.kind === 'storage_full' ? new Stop(problem, null) : new Stop(problem);
}

const save = (id: string, change: (j: DatabaseJob) => void) =>
  updateJob<DatabaseJob>(id, (j) => void change(j)).then((saved) => {
    if (!saved) throw new InklingError(notionProblem('validation', 'This run was removed.'));
    if (saved.status === 'cancelled')
      throw new InklingError({ source: 'inkling', kind: 'aborted', message: 'Stopped.', retryable: false });
    return saved;
  });

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
  if (!isFullDataSource(dataSource))
    throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this database.'));
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
  const outputs = job.outputs.map((o) => ({
    ...follow(o),
    ...(byId.get(o.id)?.options ? { options: byId.get(o.id)!.options!.map((x) => x.name) } : {}),
  }));
  const checkbox = job.checkbox ? follow(job.checkbox) : undefined;
  const titleColumn = follow(job.titleColumn);
  const template = checkTemplate(
    job.template,
    schema.map((p) => p.name),
  );
  if (template.errors.length > 0) {
    throw new InklingError({
      source: 'inkling',
      kind: 'template',
      message: template.errors.join(' '),
      retryable: false,
    });
  }
  const saved = await save(job.id, (j) => {
    j.outputs = outputs;
    j.titleColumn = titleColumn;
    if (checkbox) j.checkbox = checkbox;
    j.propertyNames = schema.map((p) => p.name);
  });
  return { job: saved, schema };
}

/** Resolves the next time a row moves (so the reader knows when to read on). */
class Pulse {
  private waiters: Array<() => void> = [];
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  fire(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

export async function runDatabaseJob(job: DatabaseJob, ctx: JobContext): Promise<DatabaseJob> {
  const book = await RowBook.load(job);
  const current = (await checkColumns(job, ctx.notion)).job;
  if (current.phase !== 'running') return current;
  return new RowsRun(current, ctx, book).run();
}

/** One stretch of a database run, from reading again what was left to the last write. */
class RowsRun {
  private stop: Stop | undefined;
  private capReached = false;
  private readonly writes = new PQueue({ concurrency: WRITE_CONCURRENCY });
  private readonly answers: PQueue;
  private readonly moved = new Pulse();
  private readonly usesPage: boolean;
  private readonly exclude: string[];

  constructor(
    private job: DatabaseJob,
    private readonly ctx: JobContext,
    private readonly book: RowBook,
  ) {
    // As many model calls queued as the engine can take at once, and as many again waiting their turn.
    this.answers = new PQueue({ concurrency: Math.max(2, ctx.scheduler.concurrency * 2) });
    this.usesPage = checkTemplate(job.template, job.propertyNames).references.includes(PAGE_PLACEHOLDER);
    this.exclude = [...job.outputs.map((o) => o.name), ...(job.checkbox ? [job.checkbox.name] : [])];
  }

  private get halted(): boolean {
    return this.stop !== undefined || this.ctx.signal.aborted;
  }

  /** A stop from Notion's side stops the writes still queued too; one from the model's lets paid answers be written. */
  private halt(stop: Stop): void {
    this.stop ??= stop;
    this.answers.clear();
    if (stop.problem.source === 'notion') this.writes.clear();
    this.moved.fire();
  }

  async run(): Promise<DatabaseJob> {
    this.job = await save(this.job.id, (j) => void (j.runningSince ??= Date.now()));
    // Rows read before (a restart, Cancel, Retry failed): read again, and settled, before any is written.
    try {
      await recheckRows(this.ctx.notion, this.job, this.book);
    } catch (error) {
      if (!(error instanceof InklingError) || error.problem.kind !== 'storage_full') throw error;
      this.halt(stopFor(error.problem));
    }
    for (const row of this.book.rows) this.schedule(row);
    await this.readOn();
    await this.answers.onIdle();
    await this.writes.onIdle();
    await this.book.flushCounts();
    this.ctx.signal.throwIfAborted();
    const stopped = this.stop;
    if (stopped?.pauseUntil !== undefined) {
      return save(this.job.id, (j) => {
        j.status = 'paused';
        if (stopped.pauseUntil === null) delete j.resumeAt;
        else j.resumeAt = stopped.pauseUntil;
        j.problem = stopped.problem;
      });
    }
    if (stopped) throw new InklingError(stopped.problem);
    // Every row ends written, skipped or failed, each with its reason: none is left behind silently.
    for (const row of this.book.rows) {
      if (row.state === 'pending' || row.state === 'generated')
        await finish(this.book, row.id, 'failed', 'Inkling could not finish this row. Retry failed runs it again.');
    }
    await this.book.flushCounts();
    if (this.capReached) throw new InklingError(QUERY_CAP_PROBLEM);
    return save(this.job.id, (j) => {
      j.phase = 'finished';
      j.status = 'done';
      delete j.problem;
    });
  }

  private waiting(): number {
    const { pending, generated } = this.book.counts;
    return pending + generated;
  }

  /** Reads the next page whenever few rows are left waiting, until every chosen row has been read. */
  private async readOn(): Promise<void> {
    let pageSize = JIT_PAGE_ROWS;
    while (this.job.readFrom && !this.halted) {
      while (this.waiting() >= READ_AHEAD_ROWS && !this.halted) await this.moved.next();
      if (this.halted) return;
      try {
        const fresh = await this.readPage(this.job.readFrom, pageSize);
        // A page of rows with nothing to do (all filled) is quickly passed: read on in Notion's largest pages.
        pageSize = fresh.some((row) => row.state === 'pending') ? JIT_PAGE_ROWS : ROWS_PAGE_SIZE;
        for (const row of fresh) this.schedule(row);
      } catch (error) {
        if (this.ctx.signal.aborted || isAbortError(error)) return;
        if (error instanceof InklingError && error.problem === QUERY_CAP_PROBLEM) {
          this.capReached = true;
          this.job = await save(this.job.id, (j) => void (j.readFrom = null));
          return;
        }
        this.halt(stopFor(error instanceof InklingError ? error.problem : toNotionProblem(error, 'database')));
      }
    }
  }

  /** One page of the run's rows, kept with their baselines; returns the rows new to the run. */
  private async readPage(at: RowsPosition, pageSize: number): Promise<JobRow[]> {
    const read = await readRunPage(this.ctx.notion, this.job, at, pageSize);
    const index = this.job.pages.length;
    const fresh = read.rows.filter((page) => !this.book.has(page.id)).map((page) => toJobRow(this.job, page, index));
    await this.book.add(fresh);
    this.job = await save(this.job.id, (j) => {
      j.pages.push(at);
      j.readFrom = read.next;
      if (read.next === null) delete j.expectedRows;
    });
    await this.book.flushCounts();
    return fresh;
  }

  private schedule(row: JobRow): void {
    if (row.state === 'generated') void this.writes.add(() => this.write(row.id));
    if (row.state !== 'pending') return;
    void this.answers.add(async () => {
      if (this.halted || this.book.get(row.id)?.state !== 'pending') return;
      if (await this.answer(row.id)) void this.writes.add(() => this.write(row.id));
    });
  }

  /** Asks the model for one row's answer and keeps it; false when the row got none. */
  private async answer(id: string): Promise<boolean> {
    const { ctx, job } = this;
    const row = this.book.get(id)!;
    try {
      if (!job.budgetOverride) {
        const budget = await budgetState();
        if (budget.limitUsd !== null && budget.spentUsd >= budget.limitUsd) {
          this.halt(new Stop(budgetReachedProblem(budget)));
          return false;
        }
      }
      const pageMarkdown = this.usesPage ? blocksToMarkdown((await readBlockTree(ctx.notion, id)).blocks) : undefined;
      const prompt = buildRowPrompt({
        template: job.template,
        propertyNames: job.propertyNames,
        row: { title: row.title, values: row.values ?? {}, ...(pageMarkdown === undefined ? {} : { pageMarkdown }) },
        outputs: job.outputs,
        exclude: this.exclude,
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
        await this.book.update(id, (r) => {
          r.display = Object.fromEntries(
            results.map((x) => [x.spec.name, x.result.ok ? requestText(x.result.request) : '']),
          );
          r.state = 'failed';
          r.reason = failures.join(' ');
        });
        return false;
      }
      const write: Cells = updateBody(
        results.flatMap((r) => (r.result.ok ? [{ spec: r.spec, request: r.result.request }] : [])),
      );
      if (job.untick && job.checkbox && job.selection === 'ticked') write[job.checkbox.id] = { checkbox: false };
      // The answer is paid for: it is kept (as the write it makes) before anything else can go wrong.
      await this.book.update(id, (r) => {
        r.write = write;
        r.state = 'generated';
        delete r.reason;
        delete r.display;
      });
      return true;
    } catch (error) {
      if (ctx.signal.aborted || isAbortError(error)) return false;
      const problem = error instanceof InklingError ? error.problem : toNotionProblem(error, 'page');
      if (problem.kind === 'aborted') return false;
      if (problem.kind === 'quota')
        this.halt(new Stop(problem, Date.now() + (problem.retryAfterMs ?? QUOTA_DEFAULT_PAUSE_MS)));
      else if (problem.kind === 'storage_full' || STOPS_THE_RUN.has(problem.kind)) this.halt(stopFor(problem));
      else await finish(this.book, id, 'failed', problem.message);
      return false;
    } finally {
      this.moved.fire();
    }
  }

  /** Writes one answered row, exactly once, and only while it still holds what was read. */
  private async write(id: string): Promise<void> {
    const { ctx, job, book } = this;
    const row = book.get(id);
    if (this.stop?.problem.source === 'notion' || ctx.signal.aborted || !row || row.state !== 'generated' || !row.write)
      return;
    const properties = row.write as UpdatePageParameters['properties'];
    try {
      const outcome = await writeOnce({
        send: (dispatched) => ctx.notionWith(dispatched).pages.update({ page_id: id, properties }),
        check: async (): Promise<WriteCheck<unknown>> => {
          const standing = standingOf(job, book.get(id)!, await retrieveRow(ctx.notion, id));
          if (standing.state === 'written') return { state: 'landed', value: null };
          return standing.state === 'changed' ? standing : { state: 'absent' };
        },
        sent: async (at) => {
          try {
            await book.update(id, (r) => void (r.sentAt = at));
          } catch (error) {
            // Not saved, so not sent: the copy in memory must not say otherwise.
            delete book.get(id)!.sentAt;
            throw error;
          }
        },
        notLanded: () => book.update(id, (r) => void delete r.sentAt).then(() => undefined),
        ...(row.sentAt === undefined ? {} : { sentAt: row.sentAt }),
        signal: ctx.signal,
      });
      if (outcome.ok) await finish(book, id, 'written');
      else await finish(book, id, 'skipped', outcome.reason);
    } catch (error) {
      if (ctx.signal.aborted) return;
      const problem = toNotionProblem(error, 'page');
      const missing = /(.+) is not a property that exists/.exec(problem.message);
      if (problem.kind === 'storage_full') this.halt(stopFor(problem));
      else if (missing)
        this.halt(
          new Stop(
            outputMissing(
              job.outputs.find((o) => missing[1]?.includes(o.id) || missing[1]?.includes(o.name))?.name ?? 'output',
            ),
          ),
        );
      else if (STOPS_THE_RUN.has(problem.kind) && problem.kind !== 'not_shared') this.halt(new Stop(problem));
      else
        await finish(
          book,
          id,
          'failed',
          problem.kind === 'not_shared'
            ? 'This row was deleted, or is no longer shared with Inkling.'
            : problem.message,
        );
    } finally {
      this.moved.fire();
    }
  }
}

async function retrieveRow(notion: Client, id: string): Promise<PageObjectResponse> {
  const page = await notion.pages.retrieve({ page_id: id });
  if (!isFullPage(page)) throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this row.'));
  return page;
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

// ---- Undo

/**
 * Undo: every cell the run wrote goes back to its baseline — but only a cell that still holds what
 * the run wrote; one a person changed since is left as it is (and Undo says so). The rows are found
 * by reading those edited since the run started, a small page at a time, right before they are put back.
 */
export async function undoDatabaseJob(job: DatabaseJob, ctx: JobContext): Promise<DatabaseJob> {
  const book = await RowBook.load(job);
  const left = new Set(book.rows.filter((row) => row.state === 'written').map((row) => row.id));
  const writes = new PQueue({ concurrency: WRITE_CONCURRENCY });
  const names = new Map([...job.outputs, ...(job.checkbox ? [job.checkbox] : [])].map((c) => [c.id, c.name]));
  // Set by the writes below while the loop waits for them.
  const undo: { failure?: Problem; kept: number } = { kept: job.keptOnUndo ?? 0 };
  const editedSince = {
    timestamp: 'last_edited_time',
    last_edited_time: { on_or_after: minuteOf(job.createdAt) },
  } as const;
  let at: RowsPosition | null = FIRST_ROWS;
  while (at && left.size > 0 && !undo.failure) {
    ctx.signal.throwIfAborted();
    const read = await readRowsAt(ctx.notion, job.dataSourceId, editedSince, at, JIT_PAGE_ROWS);
    for (const page of read.rows) {
      if (!left.delete(page.id)) continue;
      void writes.add(async () => {
        if (undo.failure || ctx.signal.aborted) return;
        try {
          const kept = await undoRow(ctx, book, page, names);
          undo.kept += kept;
        } catch (error) {
          undo.failure ??= toNotionProblem(error, 'page');
        }
      });
    }
    await writes.onIdle();
    at = read.next;
  }
  const { failure } = undo;
  if (!failure && !ctx.signal.aborted) {
    for (const id of left) {
      await book.update(id, (r) => {
        r.state = 'undone';
        r.reason = 'No longer in the database (deleted in Notion?): nothing to put back.';
      });
    }
  }
  await book.flushCounts();
  await save(job.id, (j) => void (j.keptOnUndo = undo.kept));
  if (failure)
    throw new InklingError({ ...failure, message: `Undo did not finish: ${failure.message} Try Undo run again.` });
  ctx.signal.throwIfAborted();
  return save(job.id, (j) => void (j.status = 'undone'));
}

/** Puts one row's cells back where they still hold the run's write. Returns how many cells it left as a person changed them. */
async function undoRow(
  ctx: JobContext,
  book: RowBook,
  page: PageObjectResponse,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  const row = book.get(page.id)!;
  const back: Cells = {};
  const changed: string[] = [];
  for (const [id, wrote] of Object.entries(row.write ?? {})) {
    const now = valueById(page, id);
    const baseline = row.baseline[id];
    if (sameCell(now, wrote)) {
      if (baseline !== undefined && !sameCell(now, baseline)) back[id] = baseline;
    } else if (!sameCell(now, baseline)) changed.push(names.get(id) ?? id);
  }
  if (Object.keys(back).length > 0) {
    const outcome = await writeOnce({
      send: (dispatched) =>
        ctx
          .notionWith(dispatched)
          .pages.update({ page_id: row.id, properties: back as UpdatePageParameters['properties'] }),
      check: async () => {
        const now = await retrieveRow(ctx.notion, row.id);
        const cells = Object.entries(back);
        if (cells.every(([id, value]) => sameCell(valueById(now, id), value))) return { state: 'landed', value: null };
        if (cells.every(([id]) => sameCell(valueById(now, id), row.write?.[id]))) return { state: 'absent' };
        return { state: 'changed', reason: 'changed in Notion during Undo' };
      },
      signal: ctx.signal,
    });
    if (!outcome.ok) changed.push(...Object.keys(back).map((id) => names.get(id) ?? id));
  }
  await book.update(row.id, (r) => {
    r.state = 'undone';
    if (changed.length > 0)
      r.reason = `Left as it was: ${changed.map((name) => `“${name}”`).join(', ')} changed in Notion after the run.`;
  });
  return changed.length;
}
