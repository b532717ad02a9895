// Runs that keep up: after a run, a person edits the inputs of some rows and adds others, and
// "Refresh changed rows" asks the model again for exactly those and writes exactly those — leaving an
// answer a person corrected as it is; Keep up to date does the same by itself, and the Connections tab
// says what its last look did; and with Learn from corrections, the answers a person corrected
// go with the next run's prompts as examples.
import { describe, expect, it } from 'vitest';
import { chooseOption, click, openPopup, panelText, runStatus, waitFor, useWorld } from './harness.ts';
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

/** Rings Keep up to date's alarm now (an unpacked extension's alarms may ring at once). */
async function ringKeepUp(): Promise<void> {
  const worker = await world.worker();
  await worker.evaluate(() => chrome.alarms.create('inkling-keep-up', { when: Date.now() + 50 }));
}

describe('Keep up to date', () => {
  it('refreshes the row a person changed when its timer rings, and the Connections tab says what each look did', async () => {
    const notion = world.sandbox.notion;
    const db = topicsDatabase(world, { count: 6, ticked: () => true });
    const page = await openAndSetUp(world, pages, db, 'Translate {{Topic}} to Japanese');
    await click(page, 'Keep up to date: refresh changed rows every 15 minutes while the browser is open', 'checkbox');
    await startRun(page);
    await runStatus(page, 'Done');
    const calls = world.sandbox.models.calls.length;
    notion.clearRequestLog();

    const popup = await openPopup(world);
    pages.push(popup);
    await click(popup, 'Connections', 'tab');
    const line = () => popup.$eval('[data-testid="keep-up"]', (e) => e.textContent ?? '').catch(() => '');
    expect(await waitFor(line, 'the Keep up to date line')).toBe('Kept up to date every 15 minutes. No look yet.');

    notion.updateRow(db.rowIds[2]!, { Topic: 'A revised topic' });
    await ringKeepUp();
    await waitFor(
      () =>
        line().then((t) =>
          /^Kept up to date every 15 minutes\. Last look .+: 1 row new or changed, refreshing them\.$/.test(t),
        ),
      'the look that refreshed',
    );
    await waitFor(
      () => db.cells()[2]!.Output.length > 0 && appliedWrites(world, db.rowIds).size === 1,
      'the refreshed row',
    );
    const asked = world.sandbox.models.calls.slice(calls);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.prompt).toContain('A revised topic');
    expect([...appliedWrites(world, db.rowIds).keys()]).toEqual([db.rowIds[2]]);

    // Once the refresh is done (until then a look says a run is going on there), a look finds nothing to do.
    let said = '';
    for (let look = 0; look < 20 && !said.endsWith('Nothing changed.'); look++) {
      await ringKeepUp();
      await new Promise((r) => setTimeout(r, 500));
      said = await line();
    }
    expect(said).toMatch(/^Kept up to date every 15 minutes\. Last look .+: Nothing changed\.$/);
    expect(world.sandbox.models.calls.length).toBe(calls + 1);
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
