// Keep up to date, against the in-process Notion API and model server with settings as Save leaves
// them: the timer follows the connections that ask for it, and each look starts a "Refresh changed
// rows" run only where rows changed — never over an answer a person edited.
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  eventually,
  FIXTURES,
  sandboxedNotionClient,
  SENDERS,
  type Ask,
  type WorkerWorld,
} from '../../tests/sandbox/worker-world.ts';
import { useWorkerWorld } from '../../tests/sandbox/use-worker-world.ts';
import { keepUpItem } from '../storage';
import { readJob } from '../jobs/job-store';
import { listConnections, removeConnection } from '../connections/connections';
import { undoJob } from '../jobs/runner';
import type { Job } from '../shared/job';
import { registerDatabaseHandlers } from './database-handlers';
import { KEEP_UP_ALARM, keepUp, scheduleKeepUp } from './keep-up';

const sandbox = vi.hoisted(() => ({ notionUrl: '' }));
vi.mock('../notion/client', async (importOriginal) => sandboxedNotionClient(await importOriginal(), sandbox));

let world: WorkerWorld;
let ask: Ask;
useWorkerWorld(sandbox, registerDatabaseHandlers, (started, asker) => {
  world = started;
  ask = asker;
});

const settled = (jobId: string) =>
  eventually(async () => {
    const job = await readJob(jobId);
    return job && (['done', 'failed'] as Job['status'][]).includes(job.status) ? job : undefined;
  });

/** Topic and Output of each row, as Notion holds them. */
const cells = () =>
  world.notion.queryRows(FIXTURES.topicsDataSourceId).map((row) => {
    const props = row.properties as Record<
      string,
      { title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }> }
    >;
    return (props.Output?.rich_text ?? []).map((t) => t.plain_text).join('');
  });

/** The Topics database's columns by name. */
const columnIds = () =>
  Object.fromEntries(
    Object.values(world.notion.getDataSource(FIXTURES.topicsDataSourceId)!.properties).map((p) => [p.name, p.id]),
  );

/** A run over every row of Topics with Keep up to date on, once it has settled. */
async function runKeptUp(): Promise<{ jobId: string; connectionId: string }> {
  const started = await ask(
    'startDatabaseRun',
    {
      databaseId: FIXTURES.topicsDatabaseId,
      template: 'Translate {{Topic}} to Japanese',
      outputs: [{ id: columnIds().Output! }],
      selection: 'all',
      overwrite: false,
      untick: false,
      keepUpToDate: true,
    },
    SENDERS.panel,
  );
  const ids = started.ok ? started.value : { jobId: '', connectionId: '' };
  await settled(ids.jobId);
  return ids;
}

describe('Keep up to date', () => {
  it('refreshes only the rows that changed, on each look, and leaves an answer a person edited', async () => {
    const { connectionId } = await runKeptUp();
    expect(cells().every((output) => output !== '')).toBe(true);
    expect(await fakeBrowser.alarms.get(KEEP_UP_ALARM)).toMatchObject({ periodInMinutes: 15 });

    // Nothing changed since: nothing is asked.
    world.models.reset();
    expect(await keepUp()).toEqual([{ connectionId, skipped: 'Nothing changed.' }]);
    expect(world.models.calls).toEqual([]);
    // The Connections tab shows it as the connection's last look.
    expect(await keepUpItem.getValue()).toEqual({
      [connectionId]: { at: expect.any(Number), skipped: 'Nothing changed.' },
    });

    // One topic edited, and another row's answer corrected by hand (with its topic too).
    world.notion.updateRow(FIXTURES.topicsRowIds[0]!, { Topic: 'Learning is very fun' });
    world.notion.updateRow(FIXTURES.topicsRowIds[1]!, { Topic: 'Notion is a tool', Output: 'My own words' });
    const looked = await keepUp();
    expect(looked).toEqual([{ connectionId, jobId: expect.any(String) }]);
    expect(await keepUpItem.getValue()).toEqual({ [connectionId]: { at: expect.any(Number), refreshing: 1 } });
    const refresh = await settled((looked[0] as { jobId: string }).jobId);
    expect(refresh).toMatchObject({ status: 'done', selection: 'changed', counts: { written: 1 } });
    expect(world.models.calls).toHaveLength(1);
    expect(world.models.calls[0]!.prompt).toContain('Learning is very fun');
    expect(cells()[1]).toBe('My own words');
    expect(await keepUp()).toEqual([{ connectionId, skipped: 'Nothing changed.' }]);

    // The last connection kept up to date gone, the timer goes too.
    await removeConnection(connectionId);
    await scheduleKeepUp();
    expect(await fakeBrowser.alarms.get(KEEP_UP_ALARM)).toBeUndefined();
  });

  it('keeps to the rows the connection was run over, keeps its saved run as it was, and never pays twice for a row that fails', async () => {
    const ids = columnIds();
    // The two ticked rows of three; the second cannot be answered (its prompt is too long for the model).
    world.models.script({ match: 'Notion is best tool', fault: 'context_length' });
    const setup = {
      databaseId: FIXTURES.topicsDatabaseId,
      template: 'Translate {{Topic}} to Japanese',
      outputs: [{ id: ids.Output! }],
      selection: 'ticked' as const,
      checkboxId: ids.Generate!,
      overwrite: false,
      untick: true,
      keepUpToDate: true,
    };
    const started = await ask('startDatabaseRun', setup, SENDERS.panel);
    const { jobId, connectionId } = started.ok ? started.value : { jobId: '', connectionId: '' };
    expect(await settled(jobId)).toMatchObject({ counts: { written: 1, failed: 1 } });
    world.models.reset();
    // The unticked row was never chosen, and the failed one would fail again: nothing to do.
    expect(await keepUp()).toEqual([{ connectionId, skipped: 'Nothing changed.' }]);
    expect(world.models.calls).toEqual([]);

    world.notion.updateRow(FIXTURES.topicsRowIds[0]!, { Topic: 'Learning is very fun' });
    const looked = await keepUp();
    await settled((looked[0] as { jobId: string }).jobId);
    expect(world.models.calls).toHaveLength(1);
    // Its saved run is still the person's: ticked rows, unticked once written.
    const saved = (await listConnections()).find((c) => c.id === connectionId)!;
    expect(saved.options).toMatchObject({ selection: 'ticked', untick: true, keepUpToDate: true });
  });

  it('stops keeping a connection up to date once one of its runs is undone', async () => {
    const { jobId, connectionId } = await runKeptUp();
    await undoJob(jobId);
    await eventually(async () => (await readJob(jobId))?.status === 'undone');
    const saved = (await listConnections()).find((c) => c.id === connectionId)!;
    expect(saved.options.keepUpToDate).toBeUndefined();
    await scheduleKeepUp();
    expect(await fakeBrowser.alarms.get(KEEP_UP_ALARM)).toBeUndefined();
    expect(await keepUp()).toEqual([]);
  });

  it('keeps why a look could not refresh, as a problem when it needs the person', async () => {
    const { connectionId } = await runKeptUp();
    // The database is no longer shared with the integration.
    world.notion.share(FIXTURES.topicsDatabaseId, false);
    const [look] = await keepUp();
    const skipped = (look as { skipped: string }).skipped;
    expect(skipped).toMatch(/^Inkling can’t see this database. In Notion/);
    expect(await keepUpItem.getValue()).toEqual({
      [connectionId]: { at: expect.any(Number), skipped, problem: true },
    });
  });
});
