// Runs that keep up: after a run, a person edits the inputs of some rows and adds others, and
// "Refresh changed rows" asks the model again for exactly those and writes exactly those — leaving an
// answer a person corrected as it is; and with Learn from corrections, the answers a person corrected
// go with the next run's prompts as examples.
import { describe, expect, it } from 'vitest';
import { chooseOption, click, panelText, runStatus, waitFor, useWorld } from './harness.ts';
import { appliedWrites, openAndSetUp, startRun, topicsDatabase } from './databases.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

describe('Refresh changed rows', () => {
  it('after a 20-row run, a person edits the topic of 3 rows and adds 2: it offers those 5, asks for 5 answers and writes 5', async () => {
    const notion = world.sandbox.notion;
    const db = topicsDatabase(world, { count: 20, ticked: () => true });
    const page = await openAndSetUp(world, pages, db, 'Translate {{Topic}} to Japanese');
    await startRun(page);
    await runStatus(page, 'Done');
    expect(db.cells().every((row) => row.Output !== '')).toBe(true);

    const edited = [db.rowIds[3]!, db.rowIds[9]!, db.rowIds[16]!];
    for (const [i, id] of edited.entries()) notion.updateRow(id, { Topic: `A revised topic ${i + 1}` });
    const added = notion.addRows(db.dataSourceId, [{ Topic: 'A new topic 1' }, { Topic: 'A new topic 2' }]);
    // A person corrects one answer: its row is left as it is, even once its topic changes too.
    notion.updateRow(db.rowIds[0]!, { Output: 'My own translation' });
    notion.updateRow(db.rowIds[0]!, { Topic: 'A topic with a corrected answer' });
    const calls = world.sandbox.models.calls.length;
    notion.clearRequestLog();

    await chooseOption(page, 'Rows', 'Refresh changed rows');
    await click(page, 'Generate');
    const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    expect(estimate).toContain('5 rows to do · 3 rows changed, 2 new · 17 left as they are');
    await click(page, 'Start');
    await waitFor(
      () => panelText(page, '[data-testid="run-counts"]').then((t) => t.includes('5 written')),
      'the refreshed rows',
    );
    await runStatus(page, 'Done');

    const asked = world.sandbox.models.calls.slice(calls);
    expect(asked).toHaveLength(5);
    const topics = asked.map((c) => /A (revised|new) topic \d/.exec(c.prompt)?.[0]).toSorted();
    expect(topics).toEqual([
      'A new topic 1',
      'A new topic 2',
      'A revised topic 1',
      'A revised topic 2',
      'A revised topic 3',
    ]);
    const writes = appliedWrites(world, [...db.rowIds, ...added]);
    expect([...writes.keys()].toSorted()).toEqual([...edited, ...added].toSorted());
    expect([...writes.values()]).toEqual([1, 1, 1, 1, 1]);
    const rows = db.cells();
    expect(rows.find((r) => r.id === db.rowIds[0])?.Output).toBe('My own translation');
    expect(rows.filter((r) => r.Output === '')).toEqual([]);
  });
});

const LEARN = 'Learn from corrections: answers you edited after Inkling wrote them go with each prompt as examples';

describe('Learn from corrections', () => {
  it('gives the next run’s prompts the answers a person corrected, and says which', async () => {
    const notion = world.sandbox.notion;
    const db = topicsDatabase(world, { count: 8, ticked: () => true });
    const page = await openAndSetUp(world, pages, db, 'Translate {{Topic}} to Japanese');
    await startRun(page);
    await runStatus(page, 'Done');
    notion.updateRow(db.rowIds[1]!, { Output: 'トピック・ツー（訂正済み）' });
    notion.updateRow(db.rowIds[5]!, { Output: 'トピック・シックス（訂正済み）' });
    notion.addRows(
      db.dataSourceId,
      [1, 2, 3].map((i) => ({ Topic: `New topic ${i}`, Generate: true })),
    );
    const calls = world.sandbox.models.calls.length;

    await click(page, LEARN, 'checkbox');
    await click(page, 'Generate');
    const examples = await waitFor(() => panelText(page, '[data-testid="examples"]'), 'the examples used');
    expect(examples).toMatch(/^Learning from 2 corrections: “Topic 0[26]”, “Topic 0[26]”\.$/);
    expect(await panelText(page, '[data-testid="estimate"]')).toContain('3 rows to do');
    await click(page, 'Start');
    await waitFor(
      () => panelText(page, '[data-testid="run-counts"]').then((t) => t.includes('3 written')),
      'the new rows',
    );
    await runStatus(page, 'Done');

    const asked = world.sandbox.models.calls.slice(calls);
    expect(asked.length).toBeGreaterThan(0);
    for (const call of asked) {
      expect(call.prompt).toContain('Topic: Topic 02\n→ Output: トピック・ツー（訂正済み）');
      expect(call.prompt).toContain('Topic: Topic 06\n→ Output: トピック・シックス（訂正済み）');
    }
    expect(
      db
        .cells()
        .filter((r) => r.Topic.startsWith('New topic'))
        .every((r) => r.Output !== ''),
    ).toBe(true);
  });
});
