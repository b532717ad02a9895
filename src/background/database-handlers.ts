// The messages behind a database in the panel: its rows, Preview, the estimate, and the run.
import type { PageObjectResponse } from '@notionhq/client';
import * as v from 'valibot';
import { limitsFor } from '../shared/limit-presets';
import { type EngineChoice } from '../shared/engines';
import { createEngine } from '../llm/factory';
import { checkWebSearch } from '../llm/errors';
import { InklingError } from '../shared/problem';
import { createJobContext, type JobContext } from '../jobs/context';
import { checkSetup, type CheckedSetup } from '../jobs/database-setup';
import { estimateRun } from '../jobs/run-estimate';
import { checkFileInputs } from '../jobs/row-inputs';
import { compareModels, previewRows } from '../jobs/database-preview';
import { readJob, readRows } from '../jobs/job-store';
import { targetBusy } from '../jobs/runner';
import { requestText } from '../notion/property-cells';
import { startDatabaseRun } from '../jobs/start';
import type { DatabaseRunSetup, RowView } from '../shared/intents';
import type { StoppableSetup } from '../messaging';
import type { DatabaseJob, JobRow, JobRowView } from '../shared/job';
import { toNotionProblem } from '../notion/errors';
import { propertyText, type PropertyValue } from '../notion/properties';
import { addRow, queryRowsPage, setTicked } from '../notion/rows';
import { retrieveDatabase } from '../notion/target';
import { handle, handleOutcome, PANEL_OR_POPUP } from './handle';
import { notionClient, savedEngine } from './services';
import { stoppable, stopRequest } from './stoppable';
import { scheduleKeepUp } from './keep-up';
import { EngineChoiceSchema, SetupSchema } from './setup-schema';

const Uuid = v.pipe(v.string(), v.uuid());

/** A setup for a request the screen can stop (Preview, the estimate), with the id its Cancel names. */
const StoppableSetupSchema = v.object({ ...SetupSchema.entries, requestId: v.optional(Uuid) });

/** The setup without the request's id (which is not part of a run's setup). */
function setupOf(request: StoppableSetup): DatabaseRunSetup {
  const setup = { ...request };
  delete setup.requestId;
  return setup;
}

/** How many rows Preview answers. */
export const PREVIEW_ROWS = 3;
/** Rows the panel's table shows per page. */
export const TABLE_PAGE_SIZE = 25;

function rowView(page: PageObjectResponse, columns: readonly string[], checkboxId?: string): RowView {
  const byId = new Map(Object.values(page.properties).map((value) => [value.id, value as PropertyValue]));
  const title = Object.values(page.properties).find((value) => value.type === 'title') as PropertyValue | undefined;
  const ticked = checkboxId ? byId.get(checkboxId) : undefined;
  return {
    id: page.id,
    title: propertyText(title) || 'Untitled',
    ...(ticked?.type === 'checkbox' ? { ticked: ticked.checkbox } : {}),
    cells: Object.fromEntries(columns.map((id) => [id, propertyText(byId.get(id))])),
  };
}

const asDatabase = (error: unknown) => toNotionProblem(error, 'database');

/** A context for answering a few rows with an engine (Settings’ own, or the one chosen), refusing what it cannot do. */
async function previewContext(
  checked: CheckedSetup,
  setup: DatabaseRunSetup,
  choice: EngineChoice | undefined,
  signal: AbortSignal,
): Promise<JobContext> {
  const { config, limitPreset } = await savedEngine(choice);
  checkWebSearch(config.engine, setup.webSearch);
  checkFileInputs(config.engine, checked.fileColumns);
  createEngine(config);
  return createJobContext(
    { engine: config.engine, model: config.model, baseUrl: config.baseUrl, limitPreset },
    signal,
    () => undefined,
  );
}

export function registerDatabaseHandlers(): void {
  handle('startDatabaseRun', PANEL_OR_POPUP, SetupSchema, async (setup) => {
    const started = await startDatabaseRun(setup as DatabaseRunSetup);
    // Keep up to date, ticked or not, is saved with the connection: the timer follows it.
    await scheduleKeepUp();
    return started;
  });

  handleOutcome(
    'previewRows',
    PANEL_OR_POPUP,
    StoppableSetupSchema,
    (request) =>
      stoppable(request.requestId, async (signal) => {
        const setup = setupOf(request);
        const checked = await checkSetup(await notionClient(signal), setup);
        const ctx = await previewContext(checked, setup, setup.engine, signal);
        return (await previewRows(checked, setup, ctx, PREVIEW_ROWS)).rows;
      }),
    asDatabase,
  );

  handleOutcome(
    'compareModels',
    PANEL_OR_POPUP,
    v.object({ ...StoppableSetupSchema.entries, with: EngineChoiceSchema }),
    (request) =>
      stoppable(request.requestId, async (signal) => {
        const { with: other, ...rest } = request;
        const setup = setupOf(rest);
        const checked = await checkSetup(await notionClient(signal), setup);
        const sides = await Promise.all(
          [setup.engine, other].map(async (choice) => {
            const { config } = await savedEngine(choice);
            return {
              choice: { engine: config.engine, model: config.model },
              context: () => previewContext(checked, setup, choice, signal),
            };
          }),
        );
        return compareModels(sides, (ctx) => previewRows(checked, setup, ctx, PREVIEW_ROWS), signal);
      }),
    asDatabase,
  );

  handleOutcome(
    'estimateRun',
    PANEL_OR_POPUP,
    StoppableSetupSchema,
    (request) =>
      stoppable(request.requestId, async (signal) => {
        const setup = setupOf(request);
        // Said at Generate, before the rows are counted: a run is already going on this database.
        const busy = await targetBusy(setup.databaseId);
        if (busy) throw new InklingError(busy);
        const notion = await notionClient(signal);
        const { config, limitPreset } = await savedEngine(setup.engine);
        checkWebSearch(config.engine, setup.webSearch);
        const limits = limitsFor(config.engine, limitPreset).limits;
        const checked = await checkSetup(notion, setup);
        checkFileInputs(config.engine, checked.fileColumns);
        return estimateRun(notion, checked, setup, config, limits);
      }),
    asDatabase,
  );

  handle('stopRequest', PANEL_OR_POPUP, v.object({ requestId: Uuid }), ({ requestId }) => stopRequest(requestId));

  handleOutcome(
    'listRows',
    PANEL_OR_POPUP,
    v.object({
      dataSourceId: Uuid,
      cursor: v.optional(v.string()),
      columns: v.array(v.pipe(v.string(), v.maxLength(200))),
      checkboxId: v.optional(v.string()),
    }),
    async (request) => {
      const page = await queryRowsPage(await notionClient(), request.dataSourceId, {
        cursor: request.cursor ?? null,
        pageSize: TABLE_PAGE_SIZE,
      });
      return {
        rows: page.rows.map((row) => rowView(row, request.columns, request.checkboxId)),
        nextCursor: page.nextCursor,
      };
    },
    asDatabase,
  );

  handleOutcome(
    'addRow',
    PANEL_OR_POPUP,
    v.object({
      databaseId: Uuid,
      title: v.pipe(v.string(), v.minLength(1), v.maxLength(2_000)),
      checkboxId: v.optional(v.string()),
    }),
    async (request) => {
      const notion = await notionClient();
      const target = await retrieveDatabase(notion, request.databaseId);
      const title = target.properties.find((p) => p.type === 'title')!;
      const checkbox = request.checkboxId
        ? target.properties.find((p) => p.id === request.checkboxId && p.type === 'checkbox')
        : undefined;
      const page = await addRow(notion, target.dataSourceId, title, request.title.trim(), checkbox);
      return rowView(page, [], checkbox?.id);
    },
    asDatabase,
  );

  handleOutcome(
    'setRowTicked',
    PANEL_OR_POPUP,
    v.object({ rowId: Uuid, checkboxId: v.string(), ticked: v.boolean() }),
    async (request) => {
      await setTicked(
        await notionClient(),
        request.rowId,
        { id: request.checkboxId, name: '', type: 'checkbox' },
        request.ticked,
      );
      return null;
    },
    (error) => toNotionProblem(error, 'page'),
  );

  handleOutcome(
    'jobRows',
    PANEL_OR_POPUP,
    v.object({
      jobId: Uuid,
      state: v.optional(v.picklist(['pending', 'generated', 'written', 'skipped', 'failed', 'undone'])),
      ids: v.optional(v.pipe(v.array(Uuid), v.maxLength(500))),
    }),
    async (request) => {
      const job = await readJob(request.jobId);
      if (!job || job.kind !== 'database') return [];
      const wanted = request.ids ? new Set(request.ids) : undefined;
      const rows = await readRows(job.id, job.chunks);
      return rows
        .filter((row) => (!request.state || row.state === request.state) && (!wanted || wanted.has(row.id)))
        .map((row) => jobRowView(job, row));
    },
    asDatabase,
  );
}

/** A row as the panel shows it: the answer it holds (or wrote) for each output, as text. */
function jobRowView(job: DatabaseJob, { id, title, state, reason, display, write }: JobRow): JobRowView {
  const answers = write
    ? Object.fromEntries(job.outputs.filter((o) => o.id in write).map((o) => [o.id, requestText(write[o.id])]))
    : undefined;
  return {
    id,
    title,
    state,
    ...(reason ? { reason } : {}),
    ...(display ? { display } : {}),
    ...(answers ? { answers } : {}),
  };
}
