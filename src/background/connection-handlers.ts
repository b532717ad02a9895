// The messages behind Connections, the connections database, the sample targets, Usage and Feedback.
import * as v from 'valibot';
import { browser } from 'wxt/browser';
import {
  getConnection,
  listConnections,
  mergeConnections,
  removeConnection,
  upsertConnection,
} from '../connections/connections';
import { backfillMirror, mirrorState, requestMirrorFlush } from '../connections/mirror';
import { createConnectionsDatabase, readConnectionRows } from '../connections/connections-database';
import { createSampleDatabase, createSamplePage } from '../connections/samples';
import { InklingError, redactSecrets } from '../shared/problem';
import { listJobIndex, readJob } from '../jobs/job-store';
import { DEFAULT_MODELS } from '../shared/engines';
import { toNotionProblem } from '../notion/errors';
import { pageTitle } from '../notion/target';
import { readSettings, settingsItem } from '../storage';
import { scheduleKeepUp } from './keep-up';
import { handle, handleOutcome } from './handle';
import { notionClient } from './services';
import { resumeInTab } from './resume-in-tab';

const Uuid = v.pipe(v.string(), v.uuid());

const asNotion = (error: unknown) => toNotionProblem(error, 'page');

/** What Feedback copies: versions, engine, recent problems — never a key, a prompt or any Notion content. */
async function diagnostics(): Promise<string> {
  const [settings, index] = await Promise.all([readSettings(), listJobIndex()]);
  const recent = await Promise.all(index.slice(-10).map((entry) => readJob(entry.id)));
  const problems = recent.flatMap((job) =>
    job?.problem ? [`${job.kind} run ${job.status}: ${job.problem.source}/${job.problem.kind}`] : [],
  );
  const mirror = await mirrorState();
  const lines = [
    `Inkling ${browser.runtime.getManifest().version}`,
    `Browser: ${navigator.userAgent}`,
    `Engine: ${settings.engine} (${settings.models[settings.engine] || DEFAULT_MODELS[settings.engine]})${settings.engine === 'compatible' ? ', own server' : ''}`,
    `Notion connected: ${settings.workspaceName ? 'yes' : 'no'}; connections database: ${settings.connectionsDatabase ? 'yes' : 'no'}; waiting to sync: ${mirror.pending.length}`,
    `Runs: ${index.length} (${index.filter((e) => e.kind === 'database').length} database)`,
    'Recent problems:',
    ...(problems.length ? problems.map((p) => `  - ${p}`) : ['  none']),
  ];
  return redactSecrets(lines.join('\n'));
}

export function registerConnectionHandlers(): void {
  handleOutcome(
    'searchPages',
    ['extension-page'],
    v.object({ query: v.pipe(v.string(), v.maxLength(200)) }),
    async ({ query }) => {
      const client = await notionClient();
      const response = await client.search({ query, filter: { property: 'object', value: 'page' }, page_size: 20 });
      return response.results.flatMap((result) =>
        result.object === 'page' && 'properties' in result
          ? [{ id: result.id, title: pageTitle(result), url: result.url }]
          : [],
      );
    },
    asNotion,
  );

  handleOutcome(
    'createConnectionsDatabase',
    ['extension-page'],
    v.object({ parentPageId: Uuid }),
    async ({ parentPageId }) => {
      const database = await createConnectionsDatabase(await notionClient(), parentPageId);
      const settings = await readSettings();
      await settingsItem.setValue({ ...settings, connectionsDatabase: database, savedAt: Date.now() });
      await backfillMirror(await listConnections());
      requestMirrorFlush();
      return database;
    },
    asNotion,
  );

  handleOutcome(
    'importConnections',
    ['extension-page'],
    v.optional(v.undefined()),
    async () => {
      const settings = await readSettings();
      if (!settings.connectionsDatabase) {
        throw new InklingError({
          source: 'inkling',
          kind: 'no_database',
          message: 'Choose your connections database in Settings first.',
          retryable: false,
        });
      }
      return mergeConnections(
        await readConnectionRows(await notionClient(), settings.connectionsDatabase.dataSourceId),
      );
    },
    (error) => toNotionProblem(error, 'database'),
  );

  handleOutcome(
    'deleteConnection',
    ['extension-page'],
    v.object({ connectionId: Uuid }),
    async ({ connectionId }) => {
      await removeConnection(connectionId);
      // A connection kept up to date takes its timer with it when it was the last one.
      await scheduleKeepUp();
      return null;
    },
    asNotion,
  );

  handleOutcome(
    'createSample',
    ['extension-page'],
    v.object({ kind: v.picklist(['page', 'database']), parentPageId: Uuid }),
    async ({ kind, parentPageId }) => {
      const client = await notionClient();
      const target =
        kind === 'page'
          ? await createSamplePage(client, parentPageId)
          : await createSampleDatabase(client, parentPageId);
      const settings = await readSettings();
      const connection = await upsertConnection({
        id: crypto.randomUUID(),
        name: target.title,
        kind,
        targetId: target.id,
        targetTitle: target.title,
        targetUrl: target.url,
        prompt: kind === 'page' ? 'Write me a blog on Notion in 100 words' : 'Translate the topic to Japanese',
        engine: settings.engine,
        model: settings.models[settings.engine] || DEFAULT_MODELS[settings.engine],
        options: {},
      });
      return { connectionId: connection.id, target };
    },
    asNotion,
  );

  handleOutcome(
    'resumeInTab',
    ['extension-page'],
    v.object({ connectionId: Uuid }),
    async ({ connectionId }) => {
      const connection = await getConnection(connectionId);
      return connection ? resumeInTab(connection) : false;
    },
    asNotion,
  );

  handle('diagnostics', ['extension-page'], v.optional(v.undefined()), () => diagnostics());
}
