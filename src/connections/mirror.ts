// The mirror of the local connection list in the connections database (connections-database.ts):
// kept in step with the list. Every change waits in a stored queue until Notion takes it, so
// nothing is lost while Notion is down or rate-limiting, and rows are found by the connection's id
// before any is created, so nothing is duplicated. No secret is ever written there.
import { isFullDataSource, isFullPage, type Client } from '@notionhq/client';
import { browser } from 'wxt/browser';
import { createNotionClient } from '../notion/client';
import { toNotionProblem } from '../notion/errors';
import { schemaOf } from '../notion/target';
import { mirrorQueueItem, rowMarksItem, updateItem, readSecrets, readSettings } from '../storage';
import { type Connection, type MirrorState, type MirrorOp } from '../shared/connection';
import { connectionProperties, ensureConnectionsSchema } from './connections-database';

// ---- the queue

function withQueue<T>(work: (state: MirrorState) => Promise<T> | T): Promise<T> {
  return updateItem(mirrorQueueItem, work);
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
    const columns = await columnsOf(client, db.dataSourceId).catch(() => undefined);
    const titleColumn = columns?.title ?? 'Name';
    // A connections database made before rows had marks gets the column now (as Save would add it).
    let withMarks = columns?.names.includes('Row marks') ?? false;
    if (columns && !withMarks)
      withMarks = await ensureConnectionsSchema(client, db.dataSourceId).then(
        () => true,
        () => false,
      );
    while (state.pending.length > 0) {
      const op = state.pending[0]!;
      try {
        const rowId = await findRow(client, db.dataSourceId, op.connectionId, state.rows[op.connectionId]);
        if (op.op === 'delete') {
          if (rowId) await client.pages.update({ page_id: rowId, in_trash: true });
          delete state.rows[op.connectionId];
        } else if (op.connection) {
          // The row marks as they are now: a database connection's last ones reach Notion with it.
          const marks = op.connection.kind === 'database' ? await rowMarksItem(op.connectionId).getValue() : undefined;
          const properties = connectionProperties(op.connection, titleColumn, marks) as never;
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

/** The connections database's column names, and which is its title. */
async function columnsOf(client: Client, dataSourceId: string): Promise<{ title: string; names: string[] }> {
  const dataSource = await client.dataSources.retrieve({ data_source_id: dataSourceId });
  if (!isFullDataSource(dataSource)) return { title: 'Name', names: [] };
  const schema = schemaOf(dataSource);
  return { title: schema.find((p) => p.type === 'title')?.name ?? 'Name', names: schema.map((p) => p.name) };
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
