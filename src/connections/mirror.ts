// The connections database in Notion: created for the user (or checked, when they paste one), and
// kept in step with the local list. Every change waits in a stored queue until Notion takes it, so
// nothing is lost while Notion is down or rate-limiting, and rows are found by the connection's id
// before any is created, so nothing is duplicated. No secret is ever written there.
import { isFullDataSource, isFullPage, type Client, type PageObjectResponse } from '@notionhq/client';
import { browser } from 'wxt/browser';
import { InklingError } from '../shared/problem';
import { createNotionClient } from '../notion/client';
import { notionProblem, toNotionProblem } from '../notion/errors';
import { propertyText, type PropertyValue } from '../notion/properties';
import { textToRichText } from '../notion/rich-text';
import { retrieveDatabase, schemaOf } from '../notion/target';
import { mirrorQueueItem, readSecrets, readSettings } from '../storage';
import { type ConnectionsDatabase } from '../shared/settings';
import { type Connection, type MirrorState, type MirrorOp } from '../shared/connection';

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

/** A connection as its row's properties (by column name). No secret is among them. */
export function connectionProperties(connection: Connection, titleColumn: string): Record<string, unknown> {
  const run = connection.lastRun;
  return {
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

/** A row of the connections database back as a connection (for Import); null when it is not one of ours. */
export function connectionFromRow(page: PageObjectResponse): Connection | null {
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
  return {
    id,
    name: propertyText(title) || 'Untitled',
    kind: propertyText(valueOf(page, 'Type')) === 'Database' ? 'database' : 'page',
    targetId: extra.targetId ?? '',
    targetTitle: extra.targetTitle ?? '',
    targetUrl: propertyText(valueOf(page, 'Target')),
    prompt: propertyText(valueOf(page, 'Prompt')),
    engine: (['gemini', 'openai', 'compatible', 'chrome'].includes(engine) ? engine : 'gemini') as Connection['engine'],
    model: propertyText(valueOf(page, 'Model')),
    createdAt: extra.createdAt ?? Date.parse(page.created_time),
    updatedAt: Date.parse(page.last_edited_time),
    usage: { inputTokens: tokens, outputTokens: 0, costUsd: cost ? Number(cost.replace(/[^0-9.]/g, '')) : 0, calls: 0 },
    options: extra.options ?? {},
  };
}

export async function readConnectionRows(client: Client, dataSourceId: string): Promise<Connection[]> {
  const connections: Connection[] = [];
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

// ---- the queue

let chain: Promise<unknown> = Promise.resolve();

function withQueue<T>(work: (state: MirrorState) => Promise<T> | T): Promise<T> {
  const next = chain.then(async () => {
    const state = structuredClone(await mirrorQueueItem.getValue());
    const result = await work(state);
    await mirrorQueueItem.setValue(state);
    return result;
  });
  chain = next.catch(() => undefined);
  return next;
}

/** Queues a change; a later change to the same connection replaces an earlier one still waiting. */
export async function enqueueMirror(op: MirrorOp): Promise<void> {
  const settings = await readSettings();
  if (!settings.connectionsDatabase) return;
  await withQueue((state) => {
    state.pending = [...state.pending.filter((p) => p.connectionId !== op.connectionId), op];
  });
}

async function findRow(
  client: Client,
  dataSourceId: string,
  connectionId: string,
  cached: string | undefined,
): Promise<string | undefined> {
  if (cached) {
    try {
      const page = await client.pages.retrieve({ page_id: cached });
      if (isFullPage(page) && !page.in_trash) return page.id;
    } catch (error) {
      if (toNotionProblem(error).kind !== 'not_shared') throw error;
    }
  }
  const found = await client.dataSources.query({
    data_source_id: dataSourceId,
    filter: { property: 'Connection ID', rich_text: { equals: connectionId } },
    page_size: 1,
  });
  return found.results[0]?.id;
}

/** Sends whatever is waiting, in order. What Notion does not take now stays queued for the next try. */
export async function flushMirror(clientFor = createNotionClient): Promise<{ sent: number; left: number }> {
  const [settings, secrets] = await Promise.all([readSettings(), readSecrets()]);
  const db = settings.connectionsDatabase;
  if (!db || !secrets.notionToken) return { sent: 0, left: 0 };
  const client = clientFor(secrets.notionToken);
  return withQueue(async (state) => {
    let sent = 0;
    const titleColumn = await titleColumnOf(client, db.dataSourceId).catch(() => 'Name');
    while (state.pending.length > 0) {
      const op = state.pending[0]!;
      try {
        const rowId = await findRow(client, db.dataSourceId, op.connectionId, state.rows[op.connectionId]);
        if (op.op === 'delete') {
          if (rowId) await client.pages.update({ page_id: rowId, in_trash: true });
          delete state.rows[op.connectionId];
        } else if (op.connection) {
          const properties = connectionProperties(op.connection, titleColumn) as never;
          const page = rowId
            ? await client.pages.update({ page_id: rowId, properties })
            : await client.pages.create({
                parent: { type: 'data_source_id', data_source_id: db.dataSourceId },
                properties,
              });
          state.rows[op.connectionId] = page.id;
        }
        state.pending.shift();
        sent++;
        delete state.lastError;
      } catch (error) {
        state.lastError = toNotionProblem(error, 'database').message;
        break;
      }
    }
    return { sent, left: state.pending.length };
  });
}

async function titleColumnOf(client: Client, dataSourceId: string): Promise<string> {
  const dataSource = await client.dataSources.retrieve({ data_source_id: dataSourceId });
  if (!isFullDataSource(dataSource)) return 'Name';
  return schemaOf(dataSource).find((p) => p.type === 'title')?.name ?? 'Name';
}

export async function mirrorState(): Promise<MirrorState> {
  return mirrorQueueItem.getValue();
}

/** After choosing a (new) connections database: every local connection is queued to appear there. */
export async function backfillMirror(connections: readonly Connection[]): Promise<void> {
  await withQueue((state) => {
    state.rows = {};
    const queued = new Set(state.pending.map((p) => p.connectionId));
    for (const connection of connections) {
      if (!queued.has(connection.id)) state.pending.push({ connectionId: connection.id, op: 'upsert', connection });
    }
  });
}

// ---- when to send

/** Changes are sent shortly after they happen (several at once when they come together). */
const FLUSH_DELAY_MS = 300;
/** What Notion did not take is tried again on this alarm while anything waits. */
export const MIRROR_ALARM = 'inkling-mirror';
// The shortest period Chrome allows.
const MIRROR_ALARM_PERIOD_MINUTES = 0.5;
let flushTimer: ReturnType<typeof setTimeout> | undefined;

export function requestMirrorFlush(): void {
  clearTimeout(flushTimer);
  flushTimer = setTimeout(() => {
    void flushMirror().then(({ left }) => {
      if (left > 0) void browser.alarms.create(MIRROR_ALARM, { periodInMinutes: MIRROR_ALARM_PERIOD_MINUTES });
      else void browser.alarms.clear(MIRROR_ALARM);
    });
  }, FLUSH_DELAY_MS);
}
