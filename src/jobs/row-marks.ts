// What Inkling remembers of each row it wrote for a connection, so that "Refresh changed rows" asks the
// model again only where it is worth it: a fingerprint of the inputs the answer was made from (the
// columns the prompts read, and the page when they name {{page}}) and one of the answer as it was
// written. A row whose inputs changed since is refreshed; a new row (no mark, outputs empty) is
// answered; a row whose answer a person edited since is left alone, whatever its inputs.
import type { PageObjectResponse } from '@notionhq/client';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { isEmptyValue, propertyText, type PropertyValue } from '../notion/properties';
import { cellKey, requestKey } from '../notion/property-cells';
import type { Cells, JobRow, RunStep } from '../shared/job';
import type { RowInputs, RowMark, RowMarks } from '../shared/row-marks';
import type { OutputSpec, PropertyInfo, ColumnRef } from '../shared/notion-shapes';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { minuteOf } from '../notion/rows';
import { rowMarksItem, updateItem } from '../storage';
import { findConnectionFor, getConnection } from '../connections/connections';
import { stepReferences } from './run-steps';

/**
 * A row's key among a connection's marks: the last 16 hex digits of its id — where ids differ, whether
 * random or led by a time — unique enough within one database and short enough that thousands of marks
 * fit the connections database's one cell.
 */
export const markKey = (rowId: string): string => rowId.replace(/-/g, '').slice(-16);

/** Columns whose values change without anyone editing the row (Inkling's own write included): never inputs. */
const VOLATILE_TYPES: readonly string[] = ['last_edited_time', 'last_edited_by', 'formula', 'rollup', 'button'];

/**
 * The columns an answer is made from: those the prompts name and — when a prompt names none, and so
 * gets the whole row — every column but checkboxes (they pick the rows to run more often than they say
 * anything about them); never a volatile column, a column the run writes, nor the checkbox that picks
 * its rows. 'page' stands for the page's content.
 */
export function inputColumnsOf(
  run: { template: string; outputs: readonly OutputSpec[]; sources?: OutputSpec; checkbox?: ColumnRef },
  steps: readonly RunStep[],
  properties: readonly PropertyInfo[],
): string[] {
  const names = properties.map((p) => p.name);
  const written = new Set(
    [...run.outputs, ...(run.sources ? [run.sources] : []), ...(run.checkbox ? [run.checkbox] : [])].map((c) => c.name),
  );
  const wholeRow = steps.some((step) => checkTemplate(step.template, names).references.length === 0);
  const columns = new Set([
    ...stepReferences(steps, names),
    ...(wholeRow ? properties.filter((p) => p.type !== 'checkbox').map((p) => p.name) : []),
  ]);
  const volatile = new Set(properties.filter((p) => VOLATILE_TYPES.includes(p.type)).map((p) => p.name));
  return [...columns].filter((name) => !written.has(name) && !volatile.has(name)).toSorted();
}

const fingerprint = (value: unknown): string => bytesToHex(sha256(utf8ToBytes(JSON.stringify(value)))).slice(0, 12);

/**
 * The fingerprints of a row's inputs: the input columns that hold a value (an empty column added to
 * the database changes nothing), and its page when 'page' is one.
 */
export function inputsOf(
  columns: readonly string[],
  values: Readonly<Record<string, string>>,
  pageMarkdown?: string,
): RowInputs {
  const cells = fingerprint(columns.filter((c) => c !== PAGE_PLACEHOLDER && values[c]).map((c) => [c, values[c]]));
  return columns.includes(PAGE_PLACEHOLDER)
    ? { columns: cells, page: fingerprint(pageMarkdown ?? '') }
    : { columns: cells };
}

const byId = (written: readonly OutputSpec[]) => written.toSorted((a, b) => (a.id < b.id ? -1 : 1));

/** The fingerprint of which columns a run writes (its outputs and Sources). */
export const outputsFingerprint = (written: readonly OutputSpec[]): string =>
  fingerprint(byId(written).map((o) => o.id));

/** The fingerprint of the cells a run wrote, by column id, as a person sees them. */
export function answerFingerprint(written: readonly OutputSpec[], cells: Cells): string {
  return fingerprint(byId(written).map((o) => [o.id, requestKey(cells[o.id])]));
}

const valueOf = (page: PageObjectResponse, id: string) =>
  Object.values(page.properties).find((v) => v.id === id) as PropertyValue | undefined;

/** The fingerprint of what those cells hold now. */
function currentAnswer(written: readonly OutputSpec[], page: PageObjectResponse): string {
  return fingerprint(byId(written).map((o) => [o.id, cellKey(valueOf(page, o.id))]));
}

const writtenOf = (run: { outputs: readonly OutputSpec[]; sources?: OutputSpec }) => [
  ...run.outputs,
  ...(run.sources ? [run.sources] : []),
];

/**
 * True when a person corrected what Inkling wrote: the row's cells (the same columns as when it was
 * written, not all emptied) no longer hold what its mark says was written.
 */
export function answerEdited(
  run: { outputs: readonly OutputSpec[]; sources?: OutputSpec },
  page: PageObjectResponse,
  mark: RowMark,
): boolean {
  const written = writtenOf(run);
  if (mark.outputs !== undefined && mark.outputs !== outputsFingerprint(written)) return false;
  if (written.every((o) => isEmptyValue(valueOf(page, o.id)))) return false;
  return currentAnswer(written, page) !== mark.answer;
}

/** Where a row stands for a refresh. `check`: its columns are as they were; only its page may have changed. */
export type Refresh =
  { state: 'new' | 'changed' | 'check' } | { state: 'unchanged'; reason: string } | { state: 'kept'; reason: string };

export const UNCHANGED_REASON = 'Unchanged since Inkling wrote it.';

/**
 * Whether a row needs asking again: new (added since the connection began, nothing in its outputs),
 * changed, unchanged, or kept (a person's value in it, or written into other columns). `since`: when
 * the connection began.
 */
export function refreshOf(
  run: { inputColumns?: readonly string[]; outputs: readonly OutputSpec[]; sources?: OutputSpec },
  page: PageObjectResponse,
  mark: RowMark | undefined,
  since: number,
): Refresh {
  const written = writtenOf(run);
  const empty = written.every((o) => isEmptyValue(valueOf(page, o.id)));
  if (!mark) {
    if (!empty) {
      const filled = written.filter((o) => !isEmptyValue(valueOf(page, o.id)));
      return {
        state: 'kept',
        reason: `Already has a value in ${filled.map((o) => `“${o.name}”`).join(', ')}, and Inkling has no record of writing it: left as it is.`,
      };
    }
    if (page.created_time < minuteOf(since))
      return {
        state: 'unchanged',
        reason: 'Not in an earlier run of this connection, nor added since: choose other rows under Rows to fill it.',
      };
    return { state: 'new' };
  }
  if (mark.outputs !== undefined && mark.outputs !== outputsFingerprint(written))
    return { state: 'kept', reason: 'Inkling wrote other columns of it than this run’s: left as it is.' };
  // A person emptied the answer: nothing of theirs is in those cells to keep.
  if (!empty && currentAnswer(written, page) !== mark.answer)
    return { state: 'kept', reason: 'Its answer was edited in Notion after Inkling wrote it: left as it is.' };
  const columns = run.inputColumns ?? [];
  const values = Object.fromEntries(
    columns.map((name) => [name, propertyText(page.properties[name] as PropertyValue | undefined)]),
  );
  const changed = inputsOf(columns, values).columns !== mark.columns;
  if (mark.failed && !changed && !columns.includes(PAGE_PLACEHOLDER))
    return {
      state: 'unchanged',
      reason: 'It could not be answered with these values before: change it, or use Retry failed.',
    };
  if (changed || (empty && !mark.failed)) return { state: 'changed' };
  if (!columns.includes(PAGE_PLACEHOLDER)) return { state: 'unchanged', reason: UNCHANGED_REASON };
  // The page is read only when the row is asked for: the answer waits on it (pageUnchanged).
  return mark.page === undefined ? { state: 'changed' } : { state: 'check' };
}

/** For a row left to be checked: its page as read for its prompt is as it was when Inkling wrote it. */
export const pageUnchanged = (row: Pick<JobRow, 'prior'>, inputs: RowInputs): boolean =>
  row.prior !== undefined && row.prior.columns === inputs.columns && row.prior.page === inputs.page;

// ---- stored per connection

export function readMarks(connectionId: string): Promise<RowMarks> {
  return rowMarksItem(connectionId).getValue();
}

/** The connection a run would be part of: the one chosen, or the target's, as Start finds it. */
async function connectionOf(setup: { connectionId?: string }, checked: { target: { id: string } }) {
  return setup.connectionId ? getConnection(setup.connectionId) : findConnectionFor(checked.target.id);
}

/** The marks of the connection a run would be part of (none for a new one). */
export async function marksFor(
  setup: { connectionId?: string },
  checked: { target: { id: string } },
): Promise<RowMarks> {
  const connection = await connectionOf(setup, checked);
  return connection ? readMarks(connection.id) : {};
}

/** What a refresh goes by: the connection's marks, and when it began (rows added since are new). */
export async function refreshBasis(
  setup: { connectionId?: string },
  checked: { target: { id: string } },
): Promise<{ marks: RowMarks; since: number }> {
  const connection = await connectionOf(setup, checked);
  return connection
    ? { marks: await readMarks(connection.id), since: connection.createdAt }
    : { marks: {}, since: Date.now() };
}

const sameMark = (a: RowMark | undefined, b: RowMark | undefined) => JSON.stringify(a) === JSON.stringify(b);

/**
 * After a stretch of a run: each row it wrote is marked with the inputs it was answered from and what
 * was written, each row that failed with the inputs it failed on (so a timer does not pay for it again
 * until they change), and each row it put back gets the mark it had before the run. A mark another run
 * set since is left as it is: only a mark that is still the one this run saw (or set) is changed.
 */
export async function keepMarks(
  connectionId: string,
  rows: readonly JobRow[],
  written: readonly OutputSpec[],
): Promise<void> {
  // A connection deleted since keeps no marks.
  if (!(await getConnection(connectionId))) return;
  const outputs = outputsFingerprint(written);
  const ownMark = (row: JobRow): RowMark | undefined =>
    row.inputs && row.write ? { ...row.inputs, answer: answerFingerprint(written, row.write), outputs } : undefined;
  const changes = rows.flatMap((row): Array<{ key: string; mark: RowMark | null; unless: RowMark[] }> => {
    const key = markKey(row.id);
    if (row.state === 'written') {
      const mark = ownMark(row);
      return mark ? [{ key, mark, unless: [mark, ...(row.prior ? [row.prior] : [])] }] : [];
    }
    if (row.state === 'failed' && row.inputs) {
      const mark: RowMark = {
        ...row.inputs,
        answer: row.prior?.answer ?? answerFingerprint(written, {}),
        outputs,
        failed: true,
      };
      return [{ key, mark, unless: [mark, ...(row.prior ? [row.prior] : [])] }];
    }
    // Put back by Undo: only where this run's own mark is still the one kept.
    const own = row.state === 'undone' && !row.reason ? ownMark(row) : undefined;
    return own ? [{ key, mark: row.prior ?? null, unless: [own, ...(row.prior ? [row.prior] : [])] }] : [];
  });
  if (changes.length === 0) return;
  await updateItem(rowMarksItem(connectionId), (marks) => {
    for (const { key, mark, unless } of changes) {
      const stored = marks[key];
      if (stored !== undefined && !unless.some((allowed) => sameMark(stored, allowed))) continue;
      if (mark) marks[key] = mark;
      else delete marks[key];
    }
  });
}
