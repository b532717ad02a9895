// A database's rows: the queries that pick them (ticked, all, or empty outputs), page by page, and
// the small writes the panel makes (add a row, tick or untick it).
import { isFullPage, type Client, type PageObjectResponse, type QueryDataSourceParameters } from '@notionhq/client';

/** Rows per query page: Notion's maximum. */
export const ROWS_PAGE_SIZE = 100;

export type Selection = 'ticked' | 'all' | 'empty';

export interface ColumnRef {
  id: string;
  name: string;
  type: string;
}

export interface RowQuery {
  selection: Selection;
  /** The checkbox column that marks rows to run (the seed's "Generate"). */
  checkbox?: ColumnRef | undefined;
  /** The output columns: "empty" means at least one of them is empty. */
  outputs: readonly ColumnRef[];
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
  return undefined;
}

export interface RowsPage {
  rows: PageObjectResponse[];
  nextCursor: string | null;
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
export async function addRow(client: Client, dataSourceId: string, titleColumn: ColumnRef, title: string, tick?: ColumnRef): Promise<PageObjectResponse> {
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
