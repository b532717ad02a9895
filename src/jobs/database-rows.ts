// A database run's rows as Notion holds them: read just in time, a small page at a time, each with its
// baseline (the cells the run may change, as read); compared with that baseline again before anything
// is written over them; and read again, many to a query, when a run carries on after a restart, a
// Cancel or Retry failed. Notion has no conditional update and its edit times are coarse (a minute),
// so a row is compared by value, never by time.
import type { Client, PageObjectResponse, QueryDataSourceParameters } from '@notionhq/client';
import { isEmptyValue, propertyText, type PropertyValue } from '../notion/properties';
import { sameCell, toRequestValue } from '../notion/property-cells';
import { minuteOf, readRowsAt, rowFilter, ROWS_PAGE_SIZE, type RowsRead } from '../notion/rows';
import { FIRST_ROWS, type RowsPosition } from '../shared/notion-shapes';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { stepReferences, stepsOf } from './run-steps';
import type { RowBook } from './row-book';
import { writtenColumns } from './database-setup';
import type { Cells, DatabaseJob, JobRow } from '../shared/job';
import type { RowMarks } from '../shared/row-marks';
import { markKey, refreshOf } from './row-marks';

/**
 * Rows read per query while a run goes on. Each is read right before its answer is asked for and
 * written, so a smaller page means a shorter time in which a person's edit could be missed, at the
 * cost of one query per page (40 rows: 2.5 % more requests than the writes alone, about 13 s of
 * Notion's writes).
 */
export const JIT_PAGE_ROWS = 40;

export function valueById(page: PageObjectResponse, id: string): PropertyValue | undefined {
  return Object.values(page.properties).find((value) => value.id === id) as PropertyValue | undefined;
}

/** The query that picks the run's rows (ticked, all, or with an empty output). */
export function runFilter(job: DatabaseJob): QueryDataSourceParameters['filter'] {
  return rowFilter({
    selection: job.selection,
    checkbox: job.checkbox,
    outputs: job.outputs,
    viewFilter: job.view?.filter,
  });
}

/** Which of the row's values the prompt needs: the referenced ones, or (with no placeholder) all readable ones. */
function valuesFor(job: DatabaseJob, page: PageObjectResponse): Record<string, string> {
  const steps = stepsOf(job);
  // A prompt that names no column gets the whole row (a chained run's first step, say).
  const wholeRow = steps.some((step) => checkTemplate(step.template, job.propertyNames).references.length === 0);
  const refs = stepReferences(steps, job.propertyNames).filter((r) => r !== PAGE_PLACEHOLDER);
  const names = wholeRow || refs.length === 0 ? Object.keys(page.properties) : refs;
  return Object.fromEntries(
    names.map((name) => [name, propertyText(page.properties[name] as PropertyValue | undefined)]),
  );
}

/** The cells a run may change, as they are now: the outputs, and the checkbox that picks a ticked run's rows. */
function baselineOf(job: DatabaseJob, page: PageObjectResponse): Cells {
  const baseline: Cells = {};
  for (const output of writtenColumns(job)) {
    const value = valueById(page, output.id);
    if (value) baseline[output.id] = toRequestValue(value);
  }
  const checkbox = job.selection === 'ticked' && job.checkbox ? valueById(page, job.checkbox.id) : undefined;
  if (job.checkbox && checkbox?.type === 'checkbox') baseline[job.checkbox.id] = { checkbox: checkbox.checkbox };
  return baseline;
}

const quoted = (names: readonly string[]) => names.map((name) => `“${name}”`).join(', ');

/**
 * A row as the run keeps it, from the page object just read, with the mark an earlier run left on it
 * (`marks`: what Inkling wrote in the connection's rows).
 */
export function toJobRow(job: DatabaseJob, page: PageObjectResponse, pageIndex: number, marks?: RowMarks): JobRow {
  const filled = writtenColumns(job).filter((o) => !isEmptyValue(valueById(page, o.id)));
  const row: JobRow = {
    id: page.id,
    title: propertyText(valueById(page, job.titleColumn.id)) || 'Untitled',
    page: pageIndex,
    values: valuesFor(job, page),
    state: 'pending',
    baseline: baselineOf(job, page),
  };
  const mark = marks?.[markKey(page.id)];
  if (mark) row.prior = mark;
  if (job.selection === 'changed') {
    // A refresh writes over the answers Inkling wrote (new, changed, or left for its page to say),
    // never over a person's.
    const refresh = refreshOf(job, page, mark, job.refreshSince ?? 0);
    if (refresh.state === 'unchanged' || refresh.state === 'kept') {
      row.state = 'skipped';
      row.reason = refresh.reason;
      delete row.values;
    }
    // Its columns are as they were: its page, read for its prompt, says whether it needs asking.
    if (refresh.state === 'check') row.pageCheck = true;
    return row;
  }
  if (!job.overwrite && filled.length > 0) {
    const since = page.last_edited_time >= minuteOf(job.createdAt);
    row.state = 'skipped';
    row.reason = since
      ? `Filled in Notion since the run started (${quoted(filled.map((o) => o.name))}).`
      : `Already has a value in ${quoted(filled.map((o) => o.name))}; choose Overwrite to replace it.`;
    delete row.values;
  }
  return row;
}

/** Where a row stands against what the run read and what it means to write. */
export type Standing = { state: 'before' } | { state: 'written' } | { state: 'changed'; reason: string };

/**
 * Compares a row as read now with its baseline and its write: `before` when every cell the run may
 * change still holds its baseline, `written` when the write is there (Notion applies an update whole),
 * `changed` when a person changed a cell (filled an output, unticked the row).
 */
export function standingOf(job: DatabaseJob, row: JobRow, page: PageObjectResponse): Standing {
  let written = false;
  for (const id of new Set([...Object.keys(row.baseline), ...Object.keys(row.write ?? {})])) {
    const now = valueById(page, id);
    const isBaseline = sameCell(now, row.baseline[id]);
    const isWrite = row.write?.[id] !== undefined && sameCell(now, row.write[id]);
    if (isWrite && !isBaseline) written = true;
    else if (!isWrite && !isBaseline) return { state: 'changed', reason: changedReason(job, id) };
  }
  return { state: written ? 'written' : 'before' };
}

function changedReason(job: DatabaseJob, id: string): string {
  if (id === job.checkbox?.id) return 'Unticked in Notion since the run started.';
  const name = writtenColumns(job).find((o) => o.id === id)?.name ?? 'an output';
  return `Filled in Notion since the run started (“${name}”).`;
}

/** Why a row read before no longer comes back from the run's query. */
function droppedReason(job: DatabaseJob): string {
  if (job.selection === 'ticked') return 'Unticked in Notion since the run started.';
  if (job.selection === 'empty') return 'Filled in Notion since the run started.';
  if (job.view) return `No longer in the view “${job.view.name}” (changed in Notion since the run started).`;
  return 'No longer in the database (deleted in Notion?).';
}

/** The next page of the run's rows from `at` (the run's own query). */
export function readRunPage(notion: Client, job: DatabaseJob, at: RowsPosition, pageSize: number): Promise<RowsRead> {
  return readRowsAt(notion, job.dataSourceId, runFilter(job), at, pageSize);
}

/**
 * Reads again every row the run read but has not finished (pending, answered, or with a write in
 * flight), from the pages they came from, many rows to a query, and settles each against Notion:
 * a person's change skips it, a write found there marks it written. Rows with a write in flight that
 * the query no longer returns are left to the writer, which looks for its write by itself.
 */
export async function recheckRows(notion: Client, job: DatabaseJob, book: RowBook): Promise<void> {
  const targets = book.rows.filter((row) => row.state === 'pending' || row.state === 'generated');
  const order = new Map(book.rows.map((row, i) => [row.id, i]));
  let i = 0;
  let at: RowsPosition | null = targets[0] ? (job.pages[targets[0].page] ?? FIRST_ROWS) : null;
  while (i < targets.length && at) {
    const read = await readRunPage(notion, job, at, ROWS_PAGE_SIZE);
    const found = new Map(read.rows.map((page) => [page.id, page]));
    const reached =
      read.next === null
        ? Number.POSITIVE_INFINITY
        : Math.max(-1, ...read.rows.map((page) => order.get(page.id) ?? -1));
    for (; i < targets.length && order.get(targets[i]!.id)! <= reached; i++) {
      const row = targets[i]!;
      const page = found.get(row.id);
      if (!page) {
        if (row.sentAt === undefined) await finish(book, row.id, 'skipped', droppedReason(job));
        continue;
      }
      const standing = standingOf(job, row, page);
      if (standing.state === 'changed') await finish(book, row.id, 'skipped', standing.reason);
      else if (standing.state === 'written' && row.write) await finish(book, row.id, 'written');
    }
    const nextRow = targets[i];
    if (!nextRow) break;
    // Carry on where the query stopped, unless the next row's own page starts further on.
    const reachedPage = reached >= 0 ? book.rows[reached]!.page : -1;
    const jump = reached >= 0 && nextRow.page > reachedPage + 1 ? job.pages[nextRow.page] : undefined;
    at = jump ?? read.next;
  }
}

/** Ends a row's part in the run (a failed one keeps its values for Retry failed), with no write in flight. */
export function finish(
  book: RowBook,
  id: string,
  state: 'written' | 'skipped' | 'failed',
  reason?: string,
  inputs?: JobRow['inputs'],
): Promise<JobRow | undefined> {
  return book.update(id, (row) => {
    row.state = state;
    if (inputs) row.inputs = inputs;
    if (state !== 'failed') {
      delete row.values;
      delete row.answered;
    }
    delete row.sentAt;
    if (reason === undefined) delete row.reason;
    else row.reason = reason;
  });
}
