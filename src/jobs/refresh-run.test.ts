// "Refresh changed rows" against the in-process Notion API and model server: after a run, only the
// rows whose inputs a person changed and the rows added since are asked again and written — never a
// row whose answer a person edited — Undo gives the rows back the marks they had, and with {{page}}
// a row whose columns are as they were is asked again only when its page changed.
import { describe, expect, it } from 'vitest';
import { savedConnection, useJobWorld } from '../../tests/sandbox/use-job-world.ts';
import { runBase } from '../../tests/sandbox/job-world.ts';
import { retrieveDatabase } from '../notion/target';
import type { DatabaseJob } from '../shared/job';
import type { DatabaseRunSetup } from '../shared/intents';
import type { PropertyInfo } from '../shared/notion-shapes';
import { checkSetup } from './database-setup';
import { runDatabaseJob } from './database-job';
import { undoDatabaseJob } from './database-undo';
import { estimateRun } from './run-estimate';
import { createJob, readRows } from './job-store';
import { inputColumnsOf, markKey, readMarks } from './row-marks';
import { databaseJob } from './start';

const world = useJobWorld();

const CONNECTION = '6f9f1c1e-0000-4000-8000-00000000c0de';
const ENGINE = { engine: 'compatible', model: 'llama3.2:latest', apiKey: '', baseUrl: '' } as const;

function topics(count: number) {
  return world.notion.createDatabase({
    title: `Topics ${Date.now()}`,
    properties: {
      Topic: 'title',
      Notes: 'rich_text',
      Summary: 'rich_text',
      Mood: { select: { options: [{ name: 'Calm' }, { name: 'Bold' }] } },
      Edited: 'last_edited_time',
    },
    rows: Array.from({ length: count }, (_, i) => ({ Topic: `Topic ${i + 1}`, Notes: `Note ${i + 1}` })),
    // There before the connection began (Notion dates rows to the minute).
    rowsCreatedAt: () => Date.now() - 3_600_000,
  });
}

async function setupFor(
  databaseId: string,
  selection: DatabaseRunSetup['selection'],
  template = 'Summarise {{Topic}} and pick a mood',
): Promise<DatabaseRunSetup> {
  const { properties } = await retrieveDatabase(world.client(), databaseId);
  const id = (name: string) => properties.find((p) => p.name === name)!.id;
  return {
    databaseId,
    template,
    outputs: [{ id: id('Summary') }, { id: id('Mood') }],
    selection,
    overwrite: false,
    untick: false,
    connectionId: CONNECTION,
  };
}

async function run(setup: DatabaseRunSetup): Promise<DatabaseJob> {
  const checked = await checkSetup(world.client(), setup);
  const connection = await savedConnection(CONNECTION, setup.databaseId);
  const job = databaseJob({ ...runBase(checked, 'local'), connectionId: CONNECTION }, checked, setup);
  // As Start does: a refresh takes as new the rows added since the connection began.
  const created = await createJob(setup.selection === 'changed' ? { ...job, refreshSince: connection.createdAt } : job);
  return runDatabaseJob(created as DatabaseJob, world.context());
}

async function estimate(setup: DatabaseRunSetup) {
  const checked = await checkSetup(world.client(), setup);
  return estimateRun(world.client(), checked, setup, ENGINE, { concurrency: 4, requestsPerMinute: 0 });
}

const writes = () => world.notion.requestLog.filter((e) => e.route === 'PATCH /v1/pages/:id');

const paragraph = (content: string) => ({ paragraph: { rich_text: [{ text: { content } }] } });
const column = (name: string, type: string): PropertyInfo => ({ id: name, name, type }) as PropertyInfo;

describe('Refresh changed rows', () => {
  it('after a 20-row run, asks and writes exactly the 3 rows whose topic changed and the 2 added', async () => {
    const db = topics(20);
    const first = await run(await setupFor(db.databaseId, 'empty'));
    expect(first.counts).toMatchObject({ total: 20, written: 20 });
    expect(Object.keys(await readMarks(CONNECTION))).toHaveLength(20);

    for (const i of [2, 7, 11]) world.notion.updateRow(db.rowIds[i]!, { Topic: `Topic ${i + 1}, revised` });
    // Columns the prompt does not read change nothing (Notes), nor does the edit time they give the row.
    world.notion.updateRow(db.rowIds[4]!, { Notes: 'Another note' });
    world.notion.addRows(db.dataSourceId, [{ Topic: 'Topic 21' }, { Topic: 'Topic 22' }]);

    const setup = await setupFor(db.databaseId, 'changed');
    expect(await estimate(setup)).toMatchObject({ rows: 5, skipped: 17, refresh: { changed: 3, new: 2, check: 0 } });
    world.models.reset();
    world.notion.clearRequestLog();
    const refresh = await run(setup);
    expect(refresh.counts).toMatchObject({ total: 22, written: 5, skipped: 17, failed: 0 });
    expect(world.models.calls).toHaveLength(5);
    expect(world.models.calls.map((c) => /Topic \d+(, revised)?/.exec(c.prompt)?.[0]).toSorted()).toEqual([
      'Topic 12, revised',
      'Topic 21',
      'Topic 22',
      'Topic 3, revised',
      'Topic 8, revised',
    ]);
    expect(writes()).toHaveLength(5);
    const rows = await readRows(refresh.id, refresh.chunks);
    expect(rows.filter((r) => r.state === 'skipped').map((r) => r.reason)).toEqual(
      Array(17).fill('Unchanged since Inkling wrote it.'),
    );

    // Now every row is as Inkling wrote it: nothing to refresh.
    expect(await estimate(setup)).toMatchObject({ rows: 0, skipped: 22, refresh: { changed: 0, new: 0 } });
  });

  it('never writes over an answer a person edited, whatever changed in its inputs', async () => {
    const db = topics(3);
    await run(await setupFor(db.databaseId, 'empty'));
    world.notion.updateRow(db.rowIds[0]!, { Topic: 'Topic 1, revised', Summary: 'My own summary' });
    world.notion.updateRow(db.rowIds[1]!, { Topic: 'Topic 2, revised' });
    // A filled row Inkling never wrote is a person's too.
    const [added] = world.notion.addRows(db.dataSourceId, [{ Topic: 'Topic 4', Summary: 'Written by hand' }]);

    world.models.reset();
    const refresh = await run(await setupFor(db.databaseId, 'changed'));
    expect(refresh.counts).toMatchObject({ written: 1, skipped: 3 });
    expect(world.models.calls).toHaveLength(1);
    const rows = await readRows(refresh.id, refresh.chunks);
    const reasonOf = (id: string) => rows.find((r) => r.id === id)?.reason;
    expect(reasonOf(db.rowIds[0]!)).toBe('Its answer was edited in Notion after Inkling wrote it: left as it is.');
    expect(reasonOf(added!)).toBe(
      'Already has a value in “Summary”, and Inkling has no record of writing it: left as it is.',
    );
    const summaries = world.notion
      .queryRows(db.dataSourceId)
      .map((r) => (r.properties as Record<string, { rich_text: Array<{ plain_text: string }> }>).Summary!.rich_text);
    expect(summaries[0]!.map((t) => t.plain_text).join('')).toBe('My own summary');
  });

  it('after Undo of a refresh, offers the same rows again: each has the mark it had before', async () => {
    const db = topics(4);
    await run(await setupFor(db.databaseId, 'empty'));
    world.notion.updateRow(db.rowIds[1]!, { Topic: 'Topic 2, revised' });
    world.notion.addRows(db.dataSourceId, [{ Topic: 'Topic 5' }]);
    const setup = await setupFor(db.databaseId, 'changed');
    const before = await readMarks(CONNECTION);
    const refresh = await run(setup);
    expect(refresh.counts).toMatchObject({ written: 2 });
    await undoDatabaseJob(refresh, world.context());
    expect(await readMarks(CONNECTION)).toEqual(before);
    expect(await estimate(setup)).toMatchObject({ rows: 2, refresh: { changed: 1, new: 1 } });
  });

  it('with {{page}}, reads the page of a row whose columns are as they were, and asks only when it changed', async () => {
    const db = topics(3);
    for (const [i, id] of db.rowIds.entries()) world.notion.appendBlocks(id, [paragraph(`Body ${i + 1}`)]);
    const template = 'Summarise {{page}}';
    await run(await setupFor(db.databaseId, 'empty', template));
    world.notion.appendBlocks(db.rowIds[2]!, [paragraph('A new paragraph')]);

    const setup = await setupFor(db.databaseId, 'changed', template);
    expect(await estimate(setup)).toMatchObject({ rows: 3, refresh: { changed: 0, new: 0, check: 3 } });
    world.models.reset();
    const refresh = await run(setup);
    expect(refresh.counts).toMatchObject({ written: 1, skipped: 2 });
    expect(world.models.calls).toHaveLength(1);
    expect(world.models.calls[0]!.prompt).toContain('A new paragraph');
  });
});

describe('Refresh changed rows, beside other runs and edits', () => {
  it('asks again for an answer a person emptied, but not for rows that were there before and never chosen', async () => {
    const db = topics(3);
    // Filled by hand before the first run, which leaves it: it is no row of this connection's.
    world.notion.updateRow(db.rowIds[2]!, { Summary: 'By hand' });
    await run(await setupFor(db.databaseId, 'empty'));
    world.notion.updateRow(db.rowIds[2]!, { Summary: '' });
    world.notion.updateRow(db.rowIds[1]!, { Summary: '', Mood: null });
    const setup = await setupFor(db.databaseId, 'changed');
    expect(await estimate(setup)).toMatchObject({ rows: 1, refresh: { changed: 1, new: 0 } });
    const refresh = await run(setup);
    const rows = await readRows(refresh.id, refresh.chunks);
    expect(rows.find((r) => r.id === db.rowIds[1])).toMatchObject({ state: 'written' });
    expect(rows.find((r) => r.id === db.rowIds[2])?.reason).toBe(
      'Not in an earlier run of this connection, nor added since: choose other rows under Rows to fill it.',
    );
  });

  it('takes no notice of an empty column added to the database when the prompt reads the whole row', async () => {
    const db = topics(3);
    await run(await setupFor(db.databaseId, 'empty', 'Summarise this row and pick a mood'));
    await world
      .client()
      .dataSources.update({ data_source_id: db.dataSourceId, properties: { Extra: { rich_text: {} } } });
    const setup = await setupFor(db.databaseId, 'changed', 'Summarise this row and pick a mood');
    expect(await estimate(setup)).toMatchObject({ rows: 0, skipped: 3 });
    world.notion.updateRow(db.rowIds[0]!, { Extra: 'A note that matters' });
    expect(await estimate(setup)).toMatchObject({ rows: 1, refresh: { changed: 1 } });
  });

  it('leaves a mark a later run set: Undo of an earlier run does not make that run’s answer look a person’s', async () => {
    const db = topics(3);
    const first = await run(await setupFor(db.databaseId, 'empty'));
    world.notion.updateRow(db.rowIds[0]!, { Topic: 'Topic 1, revised' });
    await run(await setupFor(db.databaseId, 'changed'));
    const refreshed = (await readMarks(CONNECTION))[markKey(db.rowIds[0]!)];
    await undoDatabaseJob(first, world.context());
    expect((await readMarks(CONNECTION))[markKey(db.rowIds[0]!)]).toEqual(refreshed);
    const after = await estimate(await setupFor(db.databaseId, 'changed'));
    expect(after.rows).toBe(0);
  });

  it('leaves rows written into other columns alone, and never takes them for corrections', async () => {
    const db = topics(2);
    await run(await setupFor(db.databaseId, 'empty'));
    const { properties } = await retrieveDatabase(world.client(), db.databaseId);
    const summaryOnly: DatabaseRunSetup = {
      ...(await setupFor(db.databaseId, 'changed')),
      outputs: [{ id: properties.find((p) => p.name === 'Summary')!.id }],
    };
    world.notion.updateRow(db.rowIds[0]!, { Topic: 'Topic 1, revised' });
    world.models.reset();
    const refresh = await run(summaryOnly);
    expect(refresh.counts).toMatchObject({ written: 0, skipped: 2 });
    const rows = await readRows(refresh.id, refresh.chunks);
    expect(rows.map((r) => r.reason)).toEqual(
      Array(2).fill('Inkling wrote other columns of it than this run’s: left as it is.'),
    );
    expect(world.models.calls).toEqual([]);
  });
});

describe('inputColumnsOf', () => {
  const properties = [
    column('Topic', 'title'),
    column('Notes', 'rich_text'),
    column('Summary', 'rich_text'),
    column('Category', 'select'),
    column('Go', 'checkbox'),
    column('Edited', 'last_edited_time'),
    column('Length', 'formula'),
  ];
  const outputs = [
    { id: 'Summary', name: 'Summary', type: 'rich_text' },
    { id: 'Category', name: 'Category', type: 'select' },
  ] as const;
  const checkbox = { id: 'Go', name: 'Go', type: 'checkbox' };

  it('are the columns the prompts name, never an output (a chained prompt’s {{Summary}} is an answer)', () => {
    const steps = [
      { template: 'Summarise {{Topic}} {{page}}', outputIds: ['Summary'] },
      { template: 'Classify {{Summary}}', outputIds: ['Category'] },
    ];
    expect(inputColumnsOf({ template: '', outputs: [...outputs], checkbox }, steps, properties)).toEqual([
      'Topic',
      'page',
    ]);
  });

  it('are the whole row’s too when any step names no column (a chained run’s first step, say)', () => {
    const steps = [
      { template: 'Summarise this row', outputIds: ['Summary'] },
      { template: 'Classify {{Summary}}', outputIds: ['Category'] },
    ];
    expect(inputColumnsOf({ template: '', outputs: [...outputs], checkbox }, steps, properties)).toEqual([
      'Notes',
      'Topic',
    ]);
  });

  it('never are volatile columns, even when a prompt names them', () => {
    const steps = [{ template: 'Use {{Topic}}, {{Length}} and {{Edited}}', outputIds: ['Summary'] }];
    expect(inputColumnsOf({ template: '', outputs: [...outputs] }, steps, properties)).toEqual(['Topic']);
  });

  it('are every steady column when the prompt names none (it then gets the whole row)', () => {
    const steps = [{ template: 'Summarise this row', outputIds: ['Summary', 'Category'] }];
    expect(inputColumnsOf({ template: '', outputs: [...outputs], checkbox }, steps, properties)).toEqual([
      'Notes',
      'Topic',
    ]);
  });
});

describe('markKey', () => {
  it('tells apart ids that differ only at their end (led by a time, or numbered like the fixtures’)', () => {
    const ids = ['e0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000002'];
    expect(new Set(ids.map(markKey)).size).toBe(2);
    expect(markKey('1e5d872b-594c-80a1-9c3e-0123456789ab')).toBe('9c3e0123456789ab');
  });
});
