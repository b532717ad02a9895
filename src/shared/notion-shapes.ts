// Notion's shapes as every context names them: what a link points at (page or database, its schema),
// how rows are picked and read, an output column and the cell values Inkling writes, a block tree
// and the ledger of a page write. Types and small pure facts only — the code that speaks Notion is
// in src/notion/.
import type { BlockObjectRequest } from '@notionhq/client';

// The SDK exports `BlockObjectRequest` from its root but not its rich text request type, so take
// the rich text type from a paragraph's `rich_text` rather than deep-importing build/src files.
type ParagraphRequest = Extract<BlockObjectRequest, { paragraph: unknown }>;

/** One rich text item as Notion accepts it in a request (text, mention or equation). */
export type RichTextItemRequest = ParagraphRequest['paragraph']['rich_text'][number];

export interface PropertyInfo {
  id: string;
  name: string;
  type: string;
  /** Select, multi-select and status options, in order. */
  options?: Array<{ name: string; color?: string }>;
  /** A number column's format ("percent", "dollar", "number"…). */
  numberFormat?: string;
}

export interface PageTarget {
  kind: 'page';
  id: string;
  title: string;
  url: string;
  /** Set when the page is a row of a database. */
  dataSourceId?: string;
}

export interface DatabaseTarget {
  kind: 'database';
  id: string;
  title: string;
  url: string;
  dataSourceId: string;
  properties: PropertyInfo[];
  /** The view the link named (`?v=`), when Inkling can see it: "Rows: this view" runs over its rows. */
  view?: { id: string; name: string };
  /** The link named a view Inkling cannot see (deleted, or not shared). */
  viewMissing?: boolean;
}

export type Target = PageTarget | DatabaseTarget;

/** A view as a run uses it: which rows it shows. */
export interface DatabaseView {
  id: string;
  name: string;
  dataSourceId: string;
  /** The view's filter, in the form a data source query takes (object); null when it shows every row. */
  filter: Record<string, unknown> | null;
}

/** Which rows a run takes: the ticked ones, all, those with an empty output, those a view shows, or the new ones and those whose inputs changed since Inkling wrote them (jobs/row-marks.ts). */
export type RowSelection = 'ticked' | 'all' | 'empty' | 'view' | 'changed';

export interface ColumnRef {
  id: string;
  name: string;
  type: string;
}

/**
 * Where a reading of rows is: within the window of rows created at or after `from` (absent: from the
 * first), at `cursor` (null: the window's start). A position can be stored and read from again later.
 */
export interface RowsPosition {
  from?: string;
  cursor: string | null;
}

export const FIRST_ROWS: RowsPosition = { cursor: null };

/** A date as Notion accepts it in a request. `time_zone` only means something for datetimes. */
export interface DateRequestValue {
  start: string;
  end: string | null;
  time_zone: string | null;
}

/** One property's value in a `pages.update` body, for the types Inkling writes. */
export type PropertyRequestValue =
  | { title: RichTextItemRequest[] }
  | { rich_text: RichTextItemRequest[] }
  | { select: { name: string } | null }
  | { status: { name: string } | null }
  | { multi_select: Array<{ name: string }> }
  | { number: number | null }
  | { checkbox: boolean }
  | { date: DateRequestValue | null }
  | { url: string | null }
  | { email: string | null }
  | { phone_number: string | null };

/**
 * Types Inkling can write an answer into, as output properties. Read-only types (formula, rollup,
 * created_time, created_by, last_edited_time, last_edited_by, unique_id, button, verification)
 * and hard-to-generate ones (people, files, relation) are not offered.
 */
export const WRITABLE_OUTPUT_TYPES: readonly string[] = [
  'title',
  'rich_text',
  'select',
  'status',
  'multi_select',
  'number',
  'checkbox',
  'date',
  'url',
  'email',
  'phone_number',
];

export function isWritableOutput(p: PropertyInfo): boolean {
  return WRITABLE_OUTPUT_TYPES.includes(p.type);
}

export interface OutputSpec {
  id: string;
  name: string;
  type: string;
  options?: string[];
  /** select/multi_select may gain new options */
  allowNewOptions?: boolean;
  /** A number column's format: "12%" is 0.12 in a percent column. */
  numberFormat?: string;
}

/** Every block type Notion accepts in a request. */
export type BlockType = NonNullable<BlockObjectRequest['type']>;
type RequestData<K extends BlockType> = Extract<BlockObjectRequest, { [P in K]: unknown }>[K];
type TreeData<D> = D extends unknown
  ? 'children' extends keyof D
    ? Omit<D, 'children'> & { children?: BlockTree[] }
    : D
  : never;

/**
 * A Notion block request object (`type` plus its data, as in `BlockObjectRequest`) whose
 * `children` may nest to any depth. The SDK's type stops at the two levels one request may carry;
 * `writeBlocks` takes trees of any depth and sends them in requests that respect that limit.
 */
export type BlockTree = {
  [K in BlockType]: { object?: 'block'; type: K } & { [P in K]: TreeData<RequestData<K>> };
}[BlockType];

/** Where a block sits in the tree being written: "3" is the 4th top-level block, "3.120" its 121st child. */
export type BlockPath = string;

/** What a write has done so far, saved as it goes (in the job), so that it can be carried on by identity. */
export interface WriteLedger {
  /** The id of every block the write created as a request's first-level block, by its path. */
  ids: Record<BlockPath, string>;
  /** The request last sent whose outcome is not known yet, and when it was sent. */
  sent?: { key: string; at: number };
  /**
   * The parent's last child before the write began (null: it had none): the write's first blocks
   * land after it. Absent until the write starts.
   */
  anchor?: string | null;
}
