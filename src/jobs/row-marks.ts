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
import type { Cells, JobRow, RunStep, RowInputs, RowMark, RowMarks } from '../shared/job';
import type { OutputSpec, PropertyInfo, ColumnRef } from '../shared/notion-shapes';
import { PAGE_PLACEHOLDER } from '../shared/template';
import { rowMarksItem, updateItem } from '../storage';
import { findConnectionFor } from '../connections/connections';
import { stepReferences } from './run-steps';

/**
 * A row's key among a connection's marks: the last 16 hex digits of its id — where ids differ, whether
 * random or led by a time — unique enough within one database and short enough that thousands of marks
 * fit the connections database's one cell.
 */
export const markKey = (rowId: string): string => rowId.replace(/-/g, '').slice(-16);

/**
 * Columns left out of a whole row's inputs: values that change without anyone editing the row's inputs
 * (Inkling's own write included), and checkboxes, which pick the rows to run more often than they say
 * anything about them (a prompt that names one makes it an input).
 */
const NOT_INPUT_TYPES: readonly string[] = [
  'last_edited_time',
  'last_edited_by',
  'formula',
  'rollup',
  'button',
  'checkbox',
];

/**
 * The columns an answer is made from: those the prompts name, or — with none named, when the prompt
 * gets the whole row — every column but those of NOT_INPUT_TYPES; never a column the run writes, nor the
 * checkbox that picks its rows. 'page' stands for the page's content.
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
  const named = stepReferences(steps, names);
  const columns =
    named.length > 0 ? named : properties.filter((p) => !NOT_INPUT_TYPES.includes(p.type)).map((p) => p.name);
  return columns.filter((name) => !written.has(name)).toSorted();
}

const fingerprint = (value: unknown): string => bytesToHex(sha256(utf8ToBytes(JSON.stringify(value)))).slice(0, 12);

/** The fingerprints of a row's inputs: the values of the input columns, and its page when 'page' is one. */
export function inputsOf(
  columns: readonly string[],
  values: Readonly<Record<string, string>>,
  pageMarkdown?: string,
): RowInputs {
  const cells = fingerprint(columns.filter((c) => c !== PAGE_PLACEHOLDER).map((c) => [c, values[c] ?? '']));
  return columns.includes(PAGE_PLACEHOLDER)
    ? { columns: cells, page: fingerprint(pageMarkdown ?? '') }
    : { columns: cells };
}

/** The fingerprint of the cells a run wrote (outputs and Sources, by id), as a person sees them. */
export function answerFingerprint(written: readonly OutputSpec[], cells: Cells): string {
  return fingerprint(written.map((o) => requestKey(cells[o.id])));
}

const valueOf = (page: PageObjectResponse, id: string) =>
  Object.values(page.properties).find((v) => v.id === id) as PropertyValue | undefined;

/** The fingerprint of what those cells hold now. */
function currentAnswer(written: readonly OutputSpec[], page: PageObjectResponse): string {
  return fingerprint(written.map((o) => cellKey(valueOf(page, o.id))));
}

/** True when the cells Inkling wrote in the row no longer hold what it wrote: a person changed them. */
export function answerEdited(
  run: { outputs: readonly OutputSpec[]; sources?: OutputSpec },
  page: PageObjectResponse,
  mark: RowMark,
): boolean {
  return currentAnswer([...run.outputs, ...(run.sources ? [run.sources] : [])], page) !== mark.answer;
}

/** Where a row stands for a refresh. `check`: its columns are as they were; only its page may have changed. */
export type Refresh =
  { state: 'new' | 'changed' | 'check' } | { state: 'unchanged'; reason: string } | { state: 'kept'; reason: string };

export const UNCHANGED_REASON = 'Unchanged since Inkling wrote it.';

/** Whether a row needs asking again: new, changed, unchanged, or kept (a person's value in it). */
export function refreshOf(
  run: { inputColumns?: readonly string[]; outputs: readonly OutputSpec[]; sources?: OutputSpec },
  page: PageObjectResponse,
  mark: RowMark | undefined,
): Refresh {
  const written = [...run.outputs, ...(run.sources ? [run.sources] : [])];
  if (!mark) {
    const filled = written.filter((o) => !isEmptyValue(valueOf(page, o.id)));
    if (filled.length === 0) return { state: 'new' };
    return {
      state: 'kept',
      reason: `Already has a value in ${filled.map((o) => `“${o.name}”`).join(', ')}, and Inkling has no record of writing it: left as it is.`,
    };
  }
  if (answerEdited(run, page, mark))
    return { state: 'kept', reason: 'Its answer was edited in Notion after Inkling wrote it: left as it is.' };
  const columns = run.inputColumns ?? [];
  const values = Object.fromEntries(
    columns.map((name) => [name, propertyText(page.properties[name] as PropertyValue | undefined)]),
  );
  if (inputsOf(columns, values).columns !== mark.columns) return { state: 'changed' };
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

/** The marks of the connection a run would be part of: the one chosen, or the target's, as Start finds it. */
export async function marksFor(
  setup: { connectionId?: string },
  checked: { target: { id: string } },
): Promise<RowMarks> {
  const id = setup.connectionId ?? (await findConnectionFor(checked.target.id))?.id;
  return id ? readMarks(id) : {};
}

/**
 * After a stretch of a run: each row it wrote is marked with the inputs it was answered from and what
 * was written, and each row it undid gets back the mark it had before the run.
 */
export function keepMarks(
  connectionId: string,
  rows: readonly JobRow[],
  written: readonly OutputSpec[],
): Promise<void> {
  const changes = rows.flatMap((row): Array<[string, RowMark | null]> => {
    if (row.state === 'written' && row.inputs !== undefined && row.write)
      return [[row.id, { ...row.inputs, answer: answerFingerprint(written, row.write) }]];
    if (row.state === 'undone') return [[row.id, row.prior ?? null]];
    return [];
  });
  if (changes.length === 0) return Promise.resolve();
  return updateItem(rowMarksItem(connectionId), (marks) => {
    for (const [id, mark] of changes) {
      if (mark) marks[markKey(id)] = mark;
      else delete marks[markKey(id)];
    }
  });
}
