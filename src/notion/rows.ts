// A database's rows: the queries that pick them (ticked, all, or empty outputs), page by page — past
// Notion's 10,000-results cap too — and the small writes the panel makes (add a row, tick or untick it).
import { isFullPage, type Client, type PageObjectResponse, type QueryDataSourceParameters } from '@notionhq/client';
import { InklingError } from '../shared/problem';
import { notionProblem } from './errors';
import { type ColumnRef, type RowsPosition, type RowSelection } from '../shared/notion-shapes';

/** Rows per query page: Notion's maximum. */
export const ROWS_PAGE_SIZE = 100;

export interface RowQuery {
  selection: RowSelection;
  /** The checkbox column that marks rows to run (the seed's "Generate"). */
  checkbox?: ColumnRef | undefined;
  /** The output columns: "empty" means at least one of them is empty. */
  outputs: readonly ColumnRef[];
  /** The filter of the view "view" runs over (null: the view shows every row). */
  viewFilter?: Record<string, unknown> | null | undefined;
}

type Filter = QueryDataSourceParameters['filter'];

const EMPTY_FILTER_KEY: Record<string, string> = {
  title: 'title',
  rich_text: 'rich_text',
  url: 'url',
  email: 'email',
  phone_number: 'phone_number',
  select: 'select',
  status: 'status',
  multi_select: 'multi_select',
  number: 'number',
  date: 'date',
};

function emptyCondition(column: ColumnRef): Record<string, unknown> | null {
  if (column.type === 'checkbox') return { property: column.id, checkbox: { equals: false } };
  const key = EMPTY_FILTER_KEY[column.type];
  return key ? { property: column.id, [key]: { is_empty: true } } : null;
}

/** The query filter for a selection; undefined means every row. */
export function rowFilter(query: RowQuery): Filter {
  if (query.selection === 'ticked') {
    if (!query.checkbox) throw new Error('Choosing ticked rows needs a checkbox column.');
    return { property: query.checkbox.id, checkbox: { equals: true } } as Filter;
  }
  if (query.selection === 'empty') {
    const conditions = query.outputs.map(emptyCondition).filter((c) => c !== null);
    if (conditions.length === 0) return undefined;
    return (conditions.length === 1 ? conditions[0] : { or: conditions }) as Filter;
  }
  if (query.selection === 'view') {
    if (query.viewFilter === undefined) throw new Error('Choosing a view’s rows needs the view.');
    return (query.viewFilter ?? undefined) as Filter;
  }
  return undefined;
}

/** Notion shows edit times to the minute: anything edited in the minute the run started counts as since. */
export function minuteOf(at: number): string {
  return new Date(Math.floor(at / 60_000) * 60_000).toISOString();
}

export interface RowsPage {
  rows: PageObjectResponse[];
  nextCursor: string | null;
}

export interface RowsRead {
  rows: PageObjectResponse[];
  /** Where the next page starts; null when every row has been read. */
  next: RowsPosition | null;
}

export const QUERY_CAP_PROBLEM = notionProblem(
  'validation',
  'Notion lists at most 10,000 rows per query, and more than 10,000 of the chosen rows were created in the same minute, so Inkling cannot reach the rest. Tick fewer rows (or filter them) and run again; rows already written stay written.',
);

/** The filter with a lower bound on created_time added (the window a reading past 10,000 rows is in). */
function createdFrom(filter: Filter, from: string | undefined): Filter {
  if (from === undefined) return filter;
  const bound = { timestamp: 'created_time', created_time: { on_or_after: from } };
  if (filter === undefined) return bound as Filter;
  if ('and' in filter) return { and: [...filter.and, bound] } as Filter;
  return { and: [filter, bound] } as Filter;
}

/**
 * One page of rows, oldest first, from a stored position. Notion answers one query with at most
 * 10,000 rows and then says `incomplete`; the reading then goes on in a new window starting at the
 * last row's creation time, as the SDK's iterateAllDataSourceRows does (rows of that minute come
 * again: callers keep rows by id). It stops with QUERY_CAP_PROBLEM when a window cannot move on.
 */
export async function readRowsAt(
  client: Client,
  dataSourceId: string,
  filter: Filter,
  at: RowsPosition,
  pageSize = ROWS_PAGE_SIZE,
): Promise<RowsRead> {
  const combined = createdFrom(filter, at.from);
  const response = await client.dataSources.query({
    data_source_id: dataSourceId,
    ...(combined ? { filter: combined } : {}),
    sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
    page_size: pageSize,
    ...(at.cursor ? { start_cursor: at.cursor } : {}),
  });
  const rows = response.results.filter(isFullPage);
  if (response.has_more && response.next_cursor) return { rows, next: { ...at, cursor: response.next_cursor } };
  if (response.request_status?.type !== 'incomplete') return { rows, next: null };
  const last = rows.at(-1)?.created_time;
  if (last === undefined || last === at.from) throw new InklingError(QUERY_CAP_PROBLEM);
  return { rows, next: { from: last, cursor: null } };
}

/** One page of rows, oldest first (the order people usually entered them). */
export async function queryRowsPage(
  client: Client,
  dataSourceId: string,
  options: { filter?: Filter; cursor?: string | null; pageSize?: number },
): Promise<RowsPage> {
  const response = await client.dataSources.query({
    data_source_id: dataSourceId,
    ...(options.filter ? { filter: options.filter } : {}),
    sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
    page_size: options.pageSize ?? ROWS_PAGE_SIZE,
    ...(options.cursor ? { start_cursor: options.cursor } : {}),
  });
  return { rows: response.results.filter(isFullPage), nextCursor: response.has_more ? response.next_cursor : null };
}

/** A new row with this title (and ticked, when there is a checkbox column). */
export async function addRow(
  client: Client,
  dataSourceId: string,
  titleColumn: ColumnRef,
  title: string,
  tick?: ColumnRef,
): Promise<PageObjectResponse> {
  const page = await client.pages.create({
    parent: { type: 'data_source_id', data_source_id: dataSourceId },
    properties: {
      [titleColumn.id]: { title: [{ type: 'text', text: { content: title } }] },
      ...(tick ? { [tick.id]: { checkbox: true } } : {}),
    },
  });
  if (!isFullPage(page)) throw new Error('Notion did not return the new row.');
  return page;
}

export async function setTicked(client: Client, rowId: string, checkbox: ColumnRef, ticked: boolean): Promise<void> {
  await client.pages.update({ page_id: rowId, properties: { [checkbox.id]: { checkbox: ticked } } });
}
