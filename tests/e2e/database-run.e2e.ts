// Generate into a database: the seed's flow end to end, typed outputs over 60 rows, Preview writes
// nothing, Undo restores every cell.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref } from '../sandbox/site/index.ts';
import {
  byLabel,
  click,
  configure,
  openNotion,
  openPanel,
  panelText,
  runStatus,
  typeInto,
  waitFor,
  useWorld,
} from './harness.ts';
import { mixedDatabase, rowCells, setOutputs } from './databases.ts';
import { recordMeasurement } from './measurements.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

async function openDatabase(databaseId: string, title: string): Promise<Page> {
  const page = await openNotion(world, databaseHref(databaseId));
  pages.push(page);
  await openPanel(page, title);
  return page;
}

const topics = () =>
  world.sandbox.notion
    .queryRows(FIXTURES.topicsDataSourceId)
    .map((row) => rowCells(row, ['Topic', 'Generate', 'Output']));

async function generateAll(page: Page): Promise<string> {
  await click(page, 'Generate');
  const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
  await click(page, 'Start');
  return estimate;
}

describe('Generate into a database', () => {
  it('runs the seed’s flow: topics entered in the panel, ticked rows translated, written and unticked', async () => {
    const page = await openDatabase(FIXTURES.topicsDatabaseId, 'Topics');
    await waitFor(
      () => panelText(page, '[aria-label="Rows"]').then((t) => t.includes('Social media is a boon')),
      'the rows',
    );
    await typeInto(page, 'New row', 'Stay curious');
    await click(page, 'Add row');
    await waitFor(() => topics().some((r) => r.Topic === 'Stay curious'), 'the new row in Notion');
    expect(topics().find((r) => r.Topic === 'Stay curious')?.Generate).toBe(true);

    await typeInto(page, 'Prompt', 'Translate the topic to Japanese');
    const estimate = await generateAll(page);
    expect(estimate).toMatch(/^3 rows to do · about [\d,]+ tokens · \$/);
    await runStatus(page, 'Done');
    expect(await panelText(page, '[data-testid="run-counts"]')).toContain('3 written · 0 failed · 0 skipped · 0 left');

    expect(topics()).toEqual([
      { Topic: 'Learning is fun', Generate: false, Output: '「Learning is fun」(ja)' },
      { Topic: 'Notion is best tool', Generate: false, Output: '「Notion is best tool」(ja)' },
      { Topic: 'Social media is a boon', Generate: false, Output: '' },
      { Topic: 'Stay curious', Generate: false, Output: '「Stay curious」(ja)' },
    ]);
    // Each translated row was written once, in a single request that also unticked it.
    const writes = world.sandbox.notion.requestLog.filter((r) => r.route === 'PATCH /v1/pages/:id');
    expect(writes).toHaveLength(3);

    await click(page, 'Undo run');
    await runStatus(page, 'Undone');
    expect(topics()).toEqual([
      { Topic: 'Learning is fun', Generate: true, Output: '' },
      { Topic: 'Notion is best tool', Generate: true, Output: '' },
      { Topic: 'Social media is a boon', Generate: false, Output: '' },
      { Topic: 'Stay curious', Generate: true, Output: '' },
    ]);
  });

  it('fills 60 rows with mixed output types, each within its column’s rules', async () => {
    const db = mixedDatabase(world, 60);
    const page = await openDatabase(db.databaseId, db.title);
    await typeInto(page, 'Prompt', 'Describe {{Topic}} for our catalogue.');
    await setOutputs(page, ['Summary', 'Category', 'Tags', 'Score', 'Due', 'Done']);
    // The sandbox allows Notion's documented rate: the run should take little longer than its writes need.
    const rate = 3;
    world.sandbox.notion.setRateLimit(rate, rate);
    const estimate = await generateAll(page);
    const started = Date.now();
    expect(estimate).toMatch(/^60 rows to do/);
    await runStatus(page, 'Done', 90_000);
    const seconds = (Date.now() - started) / 1000;
    const bound = 60 / rate;
    recordMeasurement('database run, 60 rows', { seconds, boundSeconds: bound, ratio: seconds / bound });
    // Generous, so it cannot flake; a run that waited on model calls row by row would be far slower.
    expect(seconds / bound).toBeLessThan(2);
    const rows = db.rows();

    expect(rows).toHaveLength(60);
    for (const row of rows) {
      expect(row.Summary).not.toBe('');
      expect(['Red', 'Green', 'Blue']).toContain(row.Category);
      expect((row.Tags as string).split(', ').every((t) => ['alpha', 'beta', 'gamma'].includes(t))).toBe(true);
      expect(typeof row.Score).toBe('number');
      expect(row.Due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(typeof row.Done).toBe('boolean');
      expect(row.Generate).toBe(false);
    }
    // One model call per row, structured (a JSON schema of the six columns).
    const calls = world.sandbox.models.calls;
    expect(calls).toHaveLength(60);
    expect(calls.every((c) => c.schema !== undefined)).toBe(true);
  });

  it('writes "$3", "12%" and "February 1, 2026" into number, percent and date columns as those values', async () => {
    const db = world.sandbox.notion.createDatabase({
      title: 'Launch prices',
      properties: {
        Product: 'title',
        Price: { number: { format: 'dollar' } },
        Share: { number: { format: 'percent' } },
        Count: { number: { format: 'number' } },
        Launch: 'date',
        Ready: 'checkbox',
        Generate: 'checkbox',
      },
      rows: ['Kettle', 'Toaster', 'Lamp'].map((Product) => ({ Product, Generate: true })),
    });
    // Engines that do not hold the model to the schema (OpenAI-compatible servers, Chrome's model) answer
    // in the words people use; each has one safe reading.
    world.sandbox.models.script({
      match: 'Kettle',
      json: { price: '$3', share: '12%', count: '1,234.5', launch: 'February 1, 2026', ready: 'yes' },
    });
    world.sandbox.models.script({
      match: 'Toaster',
      json: { price: '€4.50', share: '7 %', count: '-1.5e3', launch: '2026/02/01', ready: '1' },
    });
    // Two readings: 3 February or March 2. Refused with both, nothing written for that row.
    world.sandbox.models.script({
      match: 'Lamp',
      json: { price: 5, share: 0.5, count: 2, launch: '03/02/2026', ready: false },
    });
    const page = await openDatabase(db.databaseId, 'Launch prices');
    await typeInto(page, 'Prompt', 'Price {{Product}} for the launch.');
    await setOutputs(page, ['Price', 'Share', 'Count', 'Launch', 'Ready']);
    await generateAll(page);
    await runStatus(page, 'Done');
    expect(await panelText(page, '[data-testid="run-counts"]')).toContain('2 written · 1 failed');
    const rows = world.sandbox.notion
      .queryRows(db.dataSourceId)
      .map((row) => rowCells(row, ['Product', 'Price', 'Share', 'Count', 'Launch', 'Ready']));
    expect(rows).toEqual([
      { Product: 'Kettle', Price: 3, Share: 0.12, Count: 1234.5, Launch: '2026-02-01', Ready: true },
      { Product: 'Toaster', Price: 4.5, Share: 0.07, Count: -1500, Launch: '2026-02-01', Ready: true },
      // Not written: still ticked, for Retry failed.
      { Product: 'Lamp', Price: null, Share: null, Count: null, Launch: '', Ready: false },
    ]);
    const failures = await waitFor(() => panelText(page, '[aria-label="Failed rows"]'), 'the failure list');
    expect(failures).toContain(
      'Lamp: The model answered “03/02/2026” for “Launch”, which could be March 2, 2026 (month first) or 3 February 2026 (day first): ask for dates as YYYY-MM-DD.',
    );
  });

  it('packs rows into one model call on Gemini’s free tier, and still writes every row its own value, once', async () => {
    await configure(world, { limitPresets: { gemini: 'free' } });
    const db = world.sandbox.notion.createDatabase({
      title: 'Packed topics',
      properties: {
        Topic: 'title',
        Output: 'rich_text',
        Mood: { select: { options: [{ name: 'Calm' }, { name: 'Bold' }] } },
      },
      rows: Array.from({ length: 30 }, (_, i) => ({ Topic: `Topic ${i + 1}` })),
    });
    const page = await openDatabase(db.databaseId, 'Packed topics');
    await typeInto(page, 'Prompt', 'Translate the topic to Japanese');

    // Preview packs its three rows the same way: one call.
    await click(page, 'Preview');
    await waitFor(
      () => panelText(page, '[aria-label="Preview"]').then((t) => t.includes('「Topic 3」(ja)')),
      'the preview',
    );
    expect(world.sandbox.models.calls).toHaveLength(1);
    expect(world.sandbox.models.calls[0]!.prompt).toContain('<row id="r3">');

    // Gemini's free tier: 10 requests a minute, so 23 rows a call keep up with Notion's writes.
    const estimate = await generateAll(page);
    expect(estimate).toMatch(/^30 rows to do · .* · 23 rows a model call$/);
    await runStatus(page, 'Done', 90_000);
    const rows = world.sandbox.notion.queryRows(db.dataSourceId).map((row) => rowCells(row, ['Topic', 'Output']));
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row.Output).toBe(`「${row.Topic}」(ja)`);
    const writes = world.sandbox.notion.requestLog.filter((r) => r.route === 'PATCH /v1/pages/:id' && r.status === 200);
    expect(writes).toHaveLength(30);
    expect(new Set(writes.map((w) => w.path)).size).toBe(30);
    // After Preview's call: 23 rows, then the other 7.
    const packs = world.sandbox.models.calls.slice(1).map((c) => (c.prompt.match(/<row id="/g) ?? []).length);
    expect(packs).toEqual([23, 7]);
  });

  it('sends one row a call when Pack rows is off', async () => {
    await configure(world, { limitPresets: { gemini: 'free' } });
    const db = world.sandbox.notion.createDatabase({
      title: 'Unpacked topics',
      properties: { Topic: 'title', Output: 'rich_text' },
      rows: Array.from({ length: 4 }, (_, i) => ({ Topic: `Topic ${i + 1}` })),
    });
    const page = await openDatabase(db.databaseId, 'Unpacked topics');
    await typeInto(page, 'Prompt', 'Translate the topic to Japanese');
    await click(
      page,
      'Pack rows: several rows in one model call when the engine allows few requests a minute',
      'checkbox',
    );
    const estimate = await generateAll(page);
    expect(estimate).not.toContain('rows a model call');
    await runStatus(page, 'Done', 90_000);
    expect(world.sandbox.models.calls).toHaveLength(4);
    expect(world.sandbox.models.calls.some((c) => c.prompt.includes('<row id='))).toBe(false);
    const rows = world.sandbox.notion.queryRows(db.dataSourceId).map((row) => rowCells(row, ['Topic', 'Output']));
    for (const row of rows) expect(row.Output).toBe(`「${row.Topic}」(ja)`);
  });

  it('Preview answers the first 3 chosen rows and writes nothing', async () => {
    const page = await openDatabase(FIXTURES.topicsDatabaseId, 'Topics');
    await typeInto(page, 'Prompt', 'Translate {{Topic}} to Japanese');
    const before = topics();
    await click(page, 'Preview');
    await waitFor(
      async () =>
        (await page.$$eval(
          'inkling-panel',
          (h) => h[0]!.shadowRoot!.querySelectorAll('[data-testid="preview-row"]').length,
        )) === 2,
      'two preview rows',
    );
    const shown = await panelText(page, '[aria-label="Preview"]');
    expect(shown).toContain('Learning is fun');
    expect(shown).toContain('(ja)');
    expect(topics()).toEqual(before);
    expect(
      world.sandbox.notion.requestLog.filter(
        (r) => r.method === 'PATCH' || (r.method === 'POST' && !r.route.endsWith('/query')),
      ),
    ).toEqual([]);
  });

  it('Preview and the count before a run can be cancelled: calls are cut, nothing is written or shown', async () => {
    const page = await openDatabase(FIXTURES.topicsDatabaseId, 'Topics');
    await typeInto(page, 'Prompt', 'Translate {{Topic}} to Japanese');
    // The two ticked rows' calls wait a minute for their answers.
    world.sandbox.models.script({ text: 'Slow.', delayMs: 60_000, times: 2 });
    await click(page, 'Preview');
    await waitFor(() => world.sandbox.models.calls.length === 2, 'the preview calls');
    // Focus is on Cancel while Preview waits, so a keyboard user stops it with Enter.
    await waitFor(
      () => page.$eval('inkling-panel', (h) => h.shadowRoot!.activeElement?.textContent === 'Cancel'),
      'focus on Cancel',
    );
    await page.keyboard.press('Enter');
    await waitFor(
      () => panelText(page, '[role="status"]').then((t) => t.includes('Stopped. Nothing was written.')),
      'the stopped note',
    );
    await waitFor(() => world.sandbox.models.calls.every((c) => c.aborted), 'the calls to be cut', 3_000);
    expect(await panelText(page, '[aria-label="Preview"]')).toBe('');
    expect(await panelText(page, '[role="alert"]')).toBe('');
    // Preview is ready again, and answers this time.
    await click(page, 'Preview');
    await waitFor(
      () => panelText(page, '[aria-label="Preview"]').then((t) => t.includes('(ja)')),
      'the second preview',
    );

    // Counting the rows before a run stops the same way (here Notion takes a minute to answer).
    world.sandbox.faults.add({ host: 'api.notion.com', method: 'POST', path: /\/query/, delayMs: 60_000 });
    await click(page, 'Generate');
    await waitFor(
      () => page.$eval('inkling-panel', (h) => h.shadowRoot!.activeElement?.textContent === 'Cancel'),
      'focus on Cancel while counting',
    );
    await page.keyboard.press('Enter');
    await waitFor(
      () => panelText(page, '[role="status"]').then((t) => t.includes('Stopped. Nothing was written.')),
      'the count stopped',
    );
    expect(await panelText(page, '[data-testid="estimate"]')).toBe('');
    world.sandbox.faults.clear();
    expect(world.sandbox.notion.requestLog.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('Rows: this view runs exactly the rows the view shows; a view that is gone is said, not offered', async () => {
    const db = world.sandbox.notion.createDatabase({
      title: 'Leads',
      properties: {
        Company: 'title',
        Tier: { select: { options: [{ name: 'Hot' }, { name: 'Cold' }] } },
        Note: 'rich_text',
      },
      rows: ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'].map((Company, i) => ({
        Company,
        Tier: i % 2 === 0 ? 'Hot' : 'Cold',
      })),
    });
    const viewId = world.sandbox.notion.createView({
      databaseId: db.databaseId,
      name: 'Hot leads',
      filter: { property: 'Tier', select: { equals: 'Hot' } },
    });
    const page = await openNotion(world, databaseHref(db.databaseId, viewId));
    pages.push(page);
    await openPanel(page, 'Leads');
    await typeInto(page, 'Prompt', 'Write a one-line note on {{Company}}');
    await page.$eval(byLabel(page, 'Rows', 'combobox'), (select) => {
      const s = select as HTMLSelectElement;
      s.value = 'view';
      s.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(
      await page.$eval(
        byLabel(page, 'Rows', 'combobox'),
        (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent,
      ),
    ).toBe('This view: “Hot leads”');
    const estimate = await generateAll(page);
    expect(estimate).toContain('3 rows to do');
    await runStatus(page, 'Done');
    const notes = world.sandbox.notion
      .queryRows(db.dataSourceId)
      .map((row) => rowCells(row, ['Company', 'Tier', 'Note']));
    for (const row of notes) expect(Boolean(row.Note)).toBe(row.Tier === 'Hot');
    expect(world.sandbox.models.calls).toHaveLength(3);

    // The view deleted: the link still opens the database, and the panel says why “This view” is not there.
    world.sandbox.notion.deleteView(viewId);
    const again = await openNotion(world, databaseHref(db.databaseId, viewId));
    pages.push(again);
    await openPanel(again, 'Leads');
    await waitFor(
      () => panelText(again, '[data-testid="view-missing"]').then((t) => t.includes('The view in this link is gone')),
      'the missing view said',
    );
    const options = await again.$eval(byLabel(again, 'Rows', 'combobox'), (s) =>
      [...(s as HTMLSelectElement).options].map((o) => o.value),
    );
    expect(options).not.toContain('view');
  });

  it('suggests property names, and names a misspelled one before anything runs', async () => {
    const page = await openDatabase(FIXTURES.topicsDatabaseId, 'Topics');
    await typeInto(page, 'Prompt', 'Translate {{To');
    await waitFor(() => panelText(page, '[role="listbox"]').then((t) => t.includes('Topic')), 'the suggestion');
    await page.keyboard.press('Tab');
    await waitFor(
      () =>
        page.$eval(
          'inkling-panel',
          (h) => (h.shadowRoot!.querySelector('textarea') as HTMLTextAreaElement).value === 'Translate {{Topic}}',
        ),
      'the completed name',
    );

    await typeInto(page, 'Prompt', 'Translate {{Topik}} to Japanese');
    expect(await panelText(page, '.field__error')).toContain(
      '{{Topik}} is not a property of this database. Did you mean {{Topic}}?',
    );
    await click(page, 'Generate');
    await waitFor(
      () => panelText(page, '[role="alert"]').then((t) => t.includes('Did you mean')),
      'the template error',
    );
    expect(world.sandbox.models.calls).toHaveLength(0);
  });

  it('never overwrites a filled output unless Overwrite is chosen; ticking in the panel writes back', async () => {
    const [first] = FIXTURES.topicsRowIds;
    world.sandbox.notion.updateRow(first!, { Output: 'Written by hand' });
    const page = await openDatabase(FIXTURES.topicsDatabaseId, 'Topics');
    // Tick the third row from the panel: Notion has it ticked.
    await click(page, 'Tick Social media is a boon', 'checkbox');
    await waitFor(() => topics()[2]?.Generate === true, 'the tick in Notion');
    await typeInto(page, 'Prompt', 'Translate the topic to Japanese');
    const estimate = await generateAll(page);
    expect(estimate).toContain('2 rows to do · 1 skipped (already filled)');
    await runStatus(page, 'Done');
    expect(topics().map((r) => r.Output)).toEqual([
      'Written by hand',
      '「Notion is best tool」(ja)',
      '「Social media is a boon」(ja)',
    ]);
    // The skipped row keeps its tick; nothing was sent for it.
    expect(topics()[0]?.Generate).toBe(true);
    const written = world.sandbox.notion.requestLog.filter(
      (r) => r.route === 'PATCH /v1/pages/:id' && r.path.includes(first!.replace(/-/g, '')),
    );
    expect(written.filter((r) => JSON.stringify(r.body).includes('rich_text'))).toEqual([]);

    // With Overwrite, the hand-written value is replaced.
    await page.$eval('inkling-panel', (host) => {
      const label = [...host.shadowRoot!.querySelectorAll('label.check')].find((l) =>
        l.textContent?.includes('Overwrite outputs'),
      )!;
      (label.querySelector('input') as HTMLInputElement).click();
    });
    expect(await generateAll(page)).toMatch(/^1 row to do/);
    await waitFor(() => topics()[0]?.Output === '「Learning is fun」(ja)', 'the overwritten cell');
  });

  it('a run you can watch: the run leads, the form folds, each row shows its state and then its answer', async () => {
    const db = mixedDatabase(world, 6);
    world.sandbox.models.script({ match: 'Topic number 2', json: { category: 'Purple' }, times: 1 });
    // Slow enough to see the run going.
    world.sandbox.models.configure({ timeToFirstTokenMs: 700 });
    const page = await openDatabase(db.databaseId, db.title);
    await typeInto(page, 'Prompt', 'Pick a colour for {{Topic}}');
    await setOutputs(page, ['Category']);
    await generateAll(page);

    const view = () =>
      page.$eval('inkling-panel', (host) => {
        const root = host.shadowRoot!;
        const status = root.querySelector('[data-testid="run-status"]');
        const rows = root.querySelector('[aria-label="Rows"]');
        const fold = root.querySelector('details.run-form') as HTMLDetailsElement | null;
        return {
          status: status?.getAttribute('data-status') ?? '',
          runFirst: Boolean(status && rows && status.compareDocumentPosition(rows) & Node.DOCUMENT_POSITION_FOLLOWING),
          folded: fold ? !fold.open : false,
          cancel: [...root.querySelectorAll('button')].some((b) => b.textContent === 'Cancel'),
          focusInRun: Boolean(root.activeElement?.contains(status)),
          states: [...root.querySelectorAll('tr[data-row-id]')].map((tr) => tr.getAttribute('data-state') ?? ''),
          rows: [...root.querySelectorAll('tr[data-row-id]')].map((tr) =>
            [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent ?? ''),
          ),
        };
      });
    // While it goes: progress, counts and Cancel lead the panel, the prompt and options are folded away,
    // and focus went from Start to the run.
    const going = await waitFor(async () => {
      const v = await view();
      return v.status === 'running' && v.states.includes('pending') ? v : undefined;
    }, 'the run going');
    expect(going).toMatchObject({ runFirst: true, folded: true, cancel: true, focusInRun: true });
    // Rows move through their states as the run goes, watched until it is done.
    const seen = new Set<string>(going.states);
    const done = await waitFor(
      async () => {
        const v = await view();
        v.states.forEach((state) => seen.add(state));
        // Done, and the table caught up (it reads the rows' states at most once a second while the run goes).
        return v.status === 'done' && v.states.every((state) => state === 'written' || state === 'failed')
          ? v
          : undefined;
      },
      'the run to finish, every row written or failed',
      60_000,
    );
    expect(seen.has('pending')).toBe(true);
    expect(done.folded).toBe(false);
    const written = db.rows();
    // Each row: its title, its answer as written (from the run, not a re-read of Notion), its state.
    expect(done.rows).toEqual(
      written.map((row) =>
        row.Name === 'Item 2'
          ? [
              'Item 2',
              '',
              expect.stringMatching(
                /^Failed: The model answered “Purple” for “Category”, which is not one of its options/,
              ),
            ]
          : [row.Name, row.Category, 'Written'],
      ),
    );
    expect(
      written.filter((r) => r.Name !== 'Item 2').every((r) => ['Red', 'Green', 'Blue'].includes(String(r.Category))),
    ).toBe(true);
  });

  it('names each failed row’s reason, and Retry failed runs just those rows again', async () => {
    const db = mixedDatabase(world, 6);
    world.sandbox.models.script({ match: 'Topic number 2', json: { category: 'Purple' }, times: 1 });
    world.sandbox.models.script({ match: 'Topic number 5', json: { category: 'Purple' }, times: 1 });
    const page = await openDatabase(db.databaseId, db.title);
    await typeInto(page, 'Prompt', 'Pick a colour for {{Topic}}');
    await setOutputs(page, ['Category']);
    await generateAll(page);
    await runStatus(page, 'Done');
    expect(await panelText(page, '[data-testid="run-counts"]')).toContain('4 written · 2 failed');
    const failures = await waitFor(() => panelText(page, '[aria-label="Failed rows"]'), 'the failure list');
    expect(failures).toContain(
      'Item 2: The model answered “Purple” for “Category”, which is not one of its options (Red, Green, Blue).',
    );
    expect(failures).toContain('Item 5');
    const calls = world.sandbox.models.calls.length;
    await click(page, 'Retry failed');
    await waitFor(
      () => panelText(page, '[data-testid="run-counts"]').then((t) => t.includes('6 written · 0 failed')),
      'the retried rows',
    );
    expect(world.sandbox.models.calls.length).toBe(calls + 2);
    expect(db.rows().every((r) => ['Red', 'Green', 'Blue'].includes(r.Category as string))).toBe(true);
  });
});
