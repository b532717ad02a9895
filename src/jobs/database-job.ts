// A database run, as a stored state machine: read the chosen rows a small page at a time, ask the
// model for each row's answer as soon as it is read, save the answer, and write it — only while the
// row still holds what was read (database-rows.ts), through the one checked writer, at Notion's rate.
// After a restart, a Cancel or Retry failed, the rows not yet finished are read again before any is
// written. Its parts: the generator (row-answer.ts), the writer (row-write.ts), the reader below, and
// the freshness check of rows read before (database-rows.ts recheckRows); Undo is database-undo.ts.
import PQueue from 'p-queue';
import { toNotionProblem } from '../notion/errors';
import { QUERY_CAP_PROBLEM, ROWS_PAGE_SIZE } from '../notion/rows';
import type { DatabaseJob, JobRow } from '../shared/job';
import type { RowMarks } from '../shared/row-marks';
import type { RowsPosition } from '../shared/notion-shapes';
import { InklingError, isAbortError } from '../shared/problem';
import { PAGE_PLACEHOLDER } from '../shared/template';
import type { JobContext } from './context';
import { finish, JIT_PAGE_ROWS, readRunPage, recheckRows, toJobRow } from './database-rows';
import { RowBook } from './row-book';
import { answerPack, answerRow, type RowPromptSetup } from './row-answer';
import { stepReferences, stepsOf } from './run-steps';
import { exclusions, writtenColumns } from './database-setup';
import { keepMarks, readMarks } from './row-marks';
import { collectBatch } from './batch-run';
import { checkColumns } from './run-columns';
import { expectedAnswerTokens, PAGE_GUESS_CHARS } from './run-estimate';
import { packRowTokens } from '../prompt/pack-prompt';
import { CHARS_PER_TOKEN } from '../llm/types';
import { writeRow } from './row-write';
import { callsInFlight, packsOf, readAheadRows, rowsPerCallFor } from './run-pace';
import type { Stop } from './run-stops';
import { saveRun, stopFor, WRITE_CONCURRENCY } from './run-stops';

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

/** A run that starts within this long of its setup's check (Start) is not checked again. */
export const FRESH_SETUP_MS = 30_000;

export async function runDatabaseJob(job: DatabaseJob, ctx: JobContext): Promise<DatabaseJob> {
  const book = await RowBook.load(job);
  // The schema is read once per run: Start has just checked it, unless the run carries on later.
  const fresh = job.pages.length === 0 && Date.now() - job.createdAt < FRESH_SETUP_MS;
  const current = fresh ? job : (await checkColumns(job, ctx.notion)).job;
  if (current.phase !== 'running') return current;
  if (current.batch) {
    // A batch run: every chosen row read, then its batch sent or looked at; the writer once it answered.
    const read = await new RowsRun(current, ctx, book).readAll();
    const collected = await collectBatch(read, ctx, book);
    if (collected.status === 'paused') return collected;
    return new RowsRun(collected, ctx, book).run();
  }
  return new RowsRun(current, ctx, book).run();
}

/** One stretch of a database run, from reading again what was left to the last write. */
class RowsRun {
  private stop: Stop | undefined;
  private capReached = false;
  private readonly writes = new PQueue({ concurrency: WRITE_CONCURRENCY });
  private readonly answers: PQueue;
  private readonly moved = new Pulse();
  private readonly prompt: RowPromptSetup;
  /** What earlier runs wrote in the connection's rows (row-marks.ts). */
  private marks: RowMarks = {};

  constructor(
    private job: DatabaseJob,
    private readonly ctx: JobContext,
    private readonly book: RowBook,
  ) {
    this.answers = new PQueue({ concurrency: this.width() });
    this.prompt = {
      usesPage: stepReferences(stepsOf(job), job.propertyNames).includes(PAGE_PLACEHOLDER),
      exclude: exclusions(job),
    };
  }

  /** Model calls to keep in flight now, from the latency measured so far (run-pace.ts). */
  private width(): number {
    return callsInFlight(this.ctx.scheduler.latencyMs, this.ctx.scheduler.limits);
  }

  /** Rows per model call: several when the engine's requests a minute bound the run, unless turned off. */
  private get perCall(): number {
    return rowsPerCallFor(this.job, this.ctx.scheduler.limits);
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

  /** Reads every chosen row not read yet (a batch run reads them all before sending any). */
  async readAll(): Promise<DatabaseJob> {
    this.marks = await readMarks(this.job.connectionId);
    while (this.job.readFrom) await this.readPage(this.job.readFrom, ROWS_PAGE_SIZE);
    return this.job;
  }

  async run(): Promise<DatabaseJob> {
    this.job = await saveRun(this.job.id, (j) => void (j.runningSince ??= Date.now()));
    this.marks = await readMarks(this.job.connectionId);
    // Rows read before (a restart, Cancel, Retry failed): read again, and settled, before any is written.
    try {
      await recheckRows(this.ctx.notion, this.job, this.book);
    } catch (error) {
      if (!(error instanceof InklingError) || error.problem.kind !== 'storage_full') throw error;
      this.halt(stopFor(error.problem));
    }
    this.schedule(this.book.rows);
    await this.readOn();
    await this.answers.onIdle();
    await this.writes.onIdle();
    await this.book.flushCounts();
    await keepMarks(this.job.connectionId, this.book.rows, writtenColumns(this.job));
    this.ctx.signal.throwIfAborted();
    const stopped = this.stop;
    if (stopped?.pauseUntil !== undefined) {
      return saveRun(this.job.id, (j) => {
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
    return saveRun(this.job.id, (j) => {
      j.phase = 'finished';
      j.status = 'done';
      delete j.problem;
    });
  }

  private waiting(): number {
    const { pending, generated } = this.book.counts;
    return pending + generated;
  }

  /**
   * Reads the next page whenever fewer rows wait than the calls in flight and the writer's buffer
   * need, until every chosen row has been read: Notion's queue stays full, and a row is written soon
   * after it was read.
   */
  private async readOn(): Promise<void> {
    let pageSize = JIT_PAGE_ROWS;
    while (this.job.readFrom && !this.halted) {
      while (this.waiting() >= readAheadRows(this.answers.concurrency * this.perCall) && !this.halted)
        await this.moved.next();
      if (this.halted) return;
      try {
        const fresh = await this.readPage(this.job.readFrom, pageSize);
        // A page of rows with nothing to do (all filled) is quickly passed: read on in Notion's largest pages.
        pageSize = fresh.some((row) => row.state === 'pending') ? JIT_PAGE_ROWS : ROWS_PAGE_SIZE;
        this.schedule(fresh);
      } catch (error) {
        if (this.ctx.signal.aborted || isAbortError(error)) return;
        if (error instanceof InklingError && error.problem === QUERY_CAP_PROBLEM) {
          this.capReached = true;
          this.job = await saveRun(this.job.id, (j) => void (j.readFrom = null));
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
    const fresh = read.rows
      .filter((page) => !this.book.has(page.id))
      .map((page) => toJobRow(this.job, page, index, this.marks));
    await this.book.add(fresh);
    this.job = await saveRun(this.job.id, (j) => {
      j.pages.push(at);
      j.readFrom = read.next;
      if (read.next === null) delete j.expectedRows;
    });
    await this.book.flushCounts();
    return fresh;
  }

  /** Queues the writes of answered rows, and the model calls of pending ones: one to a call, or in packs. */
  private schedule(rows: readonly JobRow[]): void {
    for (const row of rows) if (row.state === 'generated') void this.writes.add(() => this.write(row.id));
    const pending = rows.filter((row) => row.state === 'pending').map((row) => row.id);
    for (const pack of packsOf(pending, this.perCall, (id) => this.rowSize(id))) {
      void this.answers.add(() => this.answer(pack));
    }
  }

  /** What a row adds to a pack's prompt and answer, by the estimate's rules of thumb. */
  private rowSize(id: string): { promptTokens: number; answerTokens: number } {
    const row = this.book.get(id)!;
    const input = { template: this.job.template, propertyNames: this.job.propertyNames, outputs: this.job.outputs };
    // The page is not read yet: it counts as the estimate counts it.
    const page = this.prompt.usesPage ? Math.ceil(PAGE_GUESS_CHARS / CHARS_PER_TOKEN) : 0;
    return {
      promptTokens:
        packRowTokens({ ...input, exclude: this.prompt.exclude }, { title: row.title, values: row.values ?? {} }) +
        page,
      answerTokens: expectedAnswerTokens(this.job.outputs),
    };
  }

  /** Asks for the answers of a pack (or one row), then queues the writes of the rows it answered. */
  private async answer(ids: readonly string[]): Promise<void> {
    const due = ids.filter((id) => this.book.get(id)?.state === 'pending');
    if (this.halted || due.length === 0) return;
    try {
      if (due.length === 1) {
        const stop = await answerRow(this.job, this.book, due[0]!, this.ctx, this.prompt);
        if (stop) this.halt(stop);
      } else {
        const { stop, alone } = await answerPack(this.job, this.book, due, this.ctx, this.prompt);
        if (stop) this.halt(stop);
        // A row the pack's answer left out is asked for alone, ahead of the rows still waiting.
        for (const id of alone) void this.answers.add(() => this.answer([id]), { priority: 1 });
      }
    } finally {
      this.answers.concurrency = this.width();
      this.moved.fire();
    }
    for (const id of due) {
      if (this.book.get(id)?.state === 'generated') void this.writes.add(() => this.write(id));
    }
  }

  /** Writes an answered row, unless Notion's side has stopped the run. */
  private async write(id: string): Promise<void> {
    if (this.stop?.problem.source === 'notion') return;
    const stop = await writeRow(this.job, this.book, id, this.ctx).finally(() => this.moved.fire());
    if (stop) this.halt(stop);
  }
}
