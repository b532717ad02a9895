// Undo of a database run: every cell the run wrote goes back to its baseline, only where it still
// holds what the run wrote.
import type { PageObjectResponse, UpdatePageParameters } from '@notionhq/client';
import PQueue from 'p-queue';
import { writeOnce } from '../notion/checked-write';
import { toNotionProblem } from '../notion/errors';
import { sameCell } from '../notion/property-cells';
import { minuteOf, readRowsAt } from '../notion/rows';
import type { Cells, DatabaseJob } from '../shared/job';
import { FIRST_ROWS, type RowsPosition } from '../shared/notion-shapes';
import { InklingError, type Problem } from '../shared/problem';
import type { JobContext } from './context';
import { JIT_PAGE_ROWS, valueById } from './database-rows';
import { RowBook } from './row-book';
import { retrieveRow, saveRun, WRITE_CONCURRENCY } from './run-stops';
import { writtenColumns } from './database-setup';
import { keepMarks } from './row-marks';
import { stopKeepingUp } from '../connections/connections';

/**
 * Undo: every cell the run wrote goes back to its baseline — but only a cell that still holds what
 * the run wrote; one a person changed since is left as it is (and Undo says so). The rows are found
 * by reading those edited since the run started, a small page at a time, right before they are put back.
 */
export async function undoDatabaseJob(job: DatabaseJob, ctx: JobContext): Promise<DatabaseJob> {
  const book = await RowBook.load(job);
  const left = new Set(book.rows.filter((row) => row.state === 'written').map((row) => row.id));
  const writes = new PQueue({ concurrency: WRITE_CONCURRENCY });
  const names = new Map([...writtenColumns(job), ...(job.checkbox ? [job.checkbox] : [])].map((c) => [c.id, c.name]));
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
  // A row put back has the mark it had before the run again (a refresh then sees what it saw then).
  await keepMarks(job.connectionId, book.rows, writtenColumns(job));
  // Undone rows are not to be asked for again by themselves: Keep up to date stops for this connection.
  await stopKeepingUp(job.connectionId);
  await saveRun(job.id, (j) => void (j.keptOnUndo = undo.kept));
  if (failure)
    throw new InklingError({ ...failure, message: `Undo did not finish: ${failure.message} Try Undo run again.` });
  ctx.signal.throwIfAborted();
  return saveRun(job.id, (j) => void (j.status = 'undone'));
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
