// The connections database in Notion: its columns (created for the user, or added to one they
// paste), and a connection as a row of it and back. No secret is ever written there.
import { isFullDataSource, isFullPage, type Client, type PageObjectResponse } from '@notionhq/client';
import { InklingError } from '../shared/problem';
import { notionProblem } from '../notion/errors';
import { propertyText, type PropertyValue } from '../notion/properties';
import { textToRichText } from '../notion/rich-text';
import { retrieveDatabase, schemaOf } from '../notion/target';
import { ENGINE_IDS } from '../shared/engines';
import { type ConnectionsDatabase } from '../shared/settings';
import { type Connection } from '../shared/connection';
import type { RowMarks } from '../shared/row-marks';

/** The columns Inkling keeps in the connections database, by name, with the type each must have. */
export const CONNECTIONS_SCHEMA = {
  Name: { title: {} },
  Type: {
    select: {
      options: [
        { name: 'Page', color: 'blue' },
        { name: 'Database', color: 'purple' },
      ],
    },
  },
  Target: { url: {} },
  Prompt: { rich_text: {} },
  Engine: {
    select: {
      options: [
        { name: 'gemini', color: 'green' },
        { name: 'openai', color: 'gray' },
        { name: 'compatible', color: 'orange' },
        { name: 'chrome', color: 'yellow' },
      ],
    },
  },
  Model: { rich_text: {} },
  Status: {
    select: {
      options: ['running', 'paused', 'done', 'failed', 'cancelled', 'undoing', 'undone', 'new'].map((name) => ({
        name,
      })),
    },
  },
  'Last run': { date: {} },
  Rows: { number: { format: 'number' } },
  Tokens: { number: { format: 'number' } },
  Cost: { number: { format: 'dollar' } },
  'Connection ID': { rich_text: {} },
  /** How the run was set up (outputs, rows…), so another browser can resume it. */
  Options: { rich_text: {} },
  /** What Inkling wrote in a database's rows (jobs/row-marks.ts), so another browser can refresh only what changed. */
  'Row marks': { rich_text: {} },
} as const;

type ColumnName = keyof typeof CONNECTIONS_SCHEMA;
const typeOf = (name: ColumnName) => Object.keys(CONNECTIONS_SCHEMA[name])[0]!;

export const CONNECTIONS_DATABASE_TITLE = 'Inkling connections';

/** Creates the connections database under a page the integration can reach. */
export async function createConnectionsDatabase(client: Client, parentPageId: string): Promise<ConnectionsDatabase> {
  const database = await client.databases.create({
    parent: { type: 'page_id', page_id: parentPageId },
    title: [{ type: 'text', text: { content: CONNECTIONS_DATABASE_TITLE } }],
    initial_data_source: { properties: CONNECTIONS_SCHEMA as never },
  });
  const target = await retrieveDatabase(client, database.id);
  return { url: target.url, databaseId: target.id, dataSourceId: target.dataSourceId, title: target.title };
}

/**
 * Checks a database someone pasted: columns of the wrong type make it unusable (it says which);
 * missing ones are added. Returns the names of the columns it added.
 */
export async function ensureConnectionsSchema(client: Client, dataSourceId: string): Promise<string[]> {
  const dataSource = await client.dataSources.retrieve({ data_source_id: dataSourceId });
  if (!isFullDataSource(dataSource))
    throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this database.'));
  const existing = new Map(schemaOf(dataSource).map((p) => [p.name, p.type]));
  const missing: Partial<Record<ColumnName, unknown>> = {};
  for (const name of Object.keys(CONNECTIONS_SCHEMA) as ColumnName[]) {
    const type = existing.get(name);
    if (type === undefined) {
      if (name !== 'Name') missing[name] = CONNECTIONS_SCHEMA[name];
    } else if (type !== typeOf(name)) {
      throw new InklingError(
        notionProblem(
          'validation',
          `“${name}” in this database is a ${type.replaceAll('_', ' ')} column; Inkling needs it to be ${typeOf(name).replaceAll('_', ' ')}. Choose another database, or let Inkling create one.`,
        ),
      );
    }
  }
  // The title column may have any name; Inkling writes it by type.
  if (Object.keys(missing).length > 0)
    await client.dataSources.update({ data_source_id: dataSourceId, properties: missing as never });
  return Object.keys(missing);
}

const text = (value: string) => textToRichText(value).items;

/** The marks cell holds at most this much (Notion: 100 pieces of 2,000 characters); the rest stays in this browser. */
const MARKS_CELL_MAX_CHARS = 190_000;
const MARKS_PREFIX = 'm1:';

/** A connection's row marks as one cell: "m1:" then "key.columns.page.answer;" for each row (page empty without {{page}}). */
export function encodeMarks(marks: RowMarks): string {
  let cell = MARKS_PREFIX;
  for (const [key, mark] of Object.entries(marks)) {
    const entry = `${key}.${mark.columns}.${mark.page ?? ''}.${mark.answer};`;
    if (cell.length + entry.length > MARKS_CELL_MAX_CHARS) break;
    cell += entry;
  }
  return cell;
}

const HEX = /^[0-9a-f]+$/;

/** The row marks a cell holds; a damaged or hand-edited entry is left out. */
export function decodeMarks(cell: string): RowMarks {
  if (!cell.startsWith(MARKS_PREFIX)) return {};
  const marks: RowMarks = {};
  for (const entry of cell.slice(MARKS_PREFIX.length).split(';')) {
    const [key = '', columns = '', page = '', answer = ''] = entry.split('.');
    if (![key, columns, answer].every((part) => HEX.test(part)) || (page !== '' && !HEX.test(page))) continue;
    marks[key] = { columns, ...(page ? { page } : {}), answer };
  }
  return marks;
}

/** A connection as its row's properties (by column name), with its row marks when given. No secret is among them. */
export function connectionProperties(
  connection: Connection,
  titleColumn: string,
  marks?: RowMarks,
): Record<string, unknown> {
  const run = connection.lastRun;
  return {
    ...(marks ? { 'Row marks': { rich_text: text(encodeMarks(marks)) } } : {}),
    [titleColumn]: { title: text(connection.name) },
    Type: { select: { name: connection.kind === 'page' ? 'Page' : 'Database' } },
    Target: { url: connection.targetUrl || null },
    Prompt: { rich_text: text(connection.prompt) },
    Engine: { select: { name: connection.engine } },
    Model: { rich_text: text(connection.model) },
    Status: { select: { name: run?.status ?? 'new' } },
    'Last run': { date: run ? { start: new Date(run.at).toISOString() } : null },
    Rows: { number: run?.rowsDone ?? null },
    Tokens: { number: connection.usage.inputTokens + connection.usage.outputTokens },
    Cost: { number: connection.usage.costUsd === null ? null : Math.round(connection.usage.costUsd * 10_000) / 10_000 },
    'Connection ID': { rich_text: text(connection.id) },
    Options: {
      rich_text: text(
        JSON.stringify({
          v: 1,
          targetId: connection.targetId,
          targetTitle: connection.targetTitle,
          options: connection.options,
          createdAt: connection.createdAt,
        }),
      ),
    },
  };
}

function valueOf(page: PageObjectResponse, name: string): PropertyValue | undefined {
  return page.properties[name] as PropertyValue | undefined;
}

/** A connection read back from the connections database, with the row marks its row keeps. */
export type ImportedConnection = Connection & { rowMarks?: RowMarks };

/** A row of the connections database back as a connection (for Import); null when it is not one of ours. */
export function connectionFromRow(page: PageObjectResponse): ImportedConnection | null {
  const id = propertyText(valueOf(page, 'Connection ID'));
  if (!id) return null;
  let extra: { targetId?: string; targetTitle?: string; options?: Record<string, unknown>; createdAt?: number } = {};
  try {
    extra = JSON.parse(propertyText(valueOf(page, 'Options')) || '{}');
  } catch {
    // A hand-edited Options cell: the rest of the row still says enough.
  }
  const title = Object.values(page.properties).find((p) => p.type === 'title') as PropertyValue | undefined;
  const tokens = Number(propertyText(valueOf(page, 'Tokens')) || 0);
  const cost = propertyText(valueOf(page, 'Cost'));
  const engine = propertyText(valueOf(page, 'Engine'));
  const marks = decodeMarks(propertyText(valueOf(page, 'Row marks')));
  return {
    id,
    name: propertyText(title) || 'Untitled',
    kind: propertyText(valueOf(page, 'Type')) === 'Database' ? 'database' : 'page',
    targetId: extra.targetId ?? '',
    targetTitle: extra.targetTitle ?? '',
    targetUrl: propertyText(valueOf(page, 'Target')),
    prompt: propertyText(valueOf(page, 'Prompt')),
    engine: ENGINE_IDS.find((known) => known === engine) ?? 'gemini',
    model: propertyText(valueOf(page, 'Model')),
    createdAt: extra.createdAt ?? Date.parse(page.created_time),
    updatedAt: Date.parse(page.last_edited_time),
    usage: {
      inputTokens: tokens,
      outputTokens: 0,
      costUsd: cost ? Number(cost.replace(/[^0-9.]/g, '')) : null,
      calls: 0,
    },
    options: extra.options ?? {},
    ...(marks && Object.keys(marks).length > 0 ? { rowMarks: marks } : {}),
  };
}

export async function readConnectionRows(client: Client, dataSourceId: string): Promise<ImportedConnection[]> {
  const connections: ImportedConnection[] = [];
  let cursor: string | undefined;
  do {
    const response = await client.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 100,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    for (const page of response.results) {
      if (!isFullPage(page)) continue;
      const connection = connectionFromRow(page);
      if (connection) connections.push(connection);
    }
    cursor = response.has_more ? (response.next_cursor ?? undefined) : undefined;
  } while (cursor);
  return connections;
}
