// Usage: totals that match what the model provider counted, the monthly budget (asks first, then
// stops runs), and Feedback's diagnostics without keys or Notion content.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref, pageHref } from '../sandbox/site/index.ts';
import {
  click,
  configure,
  openNotion,
  openPanel,
  openPopup,
  panelText,
  readSecrets,
  runStatus,
  typeInto,
  waitFor,
  useWorld,
} from './harness.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid', openai: 'tier1' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

const fmt = (n: number) => new Intl.NumberFormat('en').format(n);

async function open(path: string, title: string): Promise<Page> {
  const page = await openNotion(world, path);
  pages.push(page);
  await openPanel(page, title);
  return page;
}

async function startDatabaseRun(page: Page, button = 'Start'): Promise<string> {
  await click(page, 'Generate');
  const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
  await click(page, button);
  return estimate;
}

/** Puts this month's spend in the ledger, as earlier runs would have. */
async function spendThisMonth(usd: number): Promise<void> {
  const worker = await world.worker();
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await worker.evaluate(
    (d, cost) =>
      chrome.storage.local.set({
        usage: [
          {
            day: d,
            engine: 'openai',
            model: 'gpt-5.5',
            connectionId: '',
            runs: 1,
            calls: 1,
            inputTokens: 10,
            outputTokens: 10,
            costUsd: cost,
            unpricedCalls: 0,
          },
        ],
      }),
    day,
    usd,
  );
}

async function setBudget(usd: number): Promise<void> {
  const worker = await world.worker();
  await worker.evaluate(
    (b) =>
      chrome.storage.local
        .get('settings')
        .then((v) => chrome.storage.local.set({ settings: { ...(v.settings as object), monthlyBudgetUsd: b } })),
    usd,
  );
}

describe('Usage', () => {
  it('adds up to what the model provider counted', async () => {
    world.sandbox.models.script({ match: 'blog', text: '# Blog\n\nAbout Notion.' });
    const pageId = world.sandbox.notion.createPage({ title: 'Counted page' });
    const page = await open(pageHref(pageId, 'Counted page'), 'Counted page');
    await typeInto(page, 'Prompt', 'Write a blog post');
    await click(page, 'Generate');
    await runStatus(page, 'Done');

    const db = await open(databaseHref(FIXTURES.topicsDatabaseId), 'Topics');
    await typeInto(db, 'Prompt', 'Translate the topic to Japanese');
    await click(db, 'Preview');
    await waitFor(() => panelText(db, '[aria-label="Preview"]').then((t) => t.includes('(ja)')), 'the preview');
    await startDatabaseRun(db);
    await runStatus(db, 'Done');

    const counted = Object.values(world.sandbox.models.usageTotals()).reduce(
      (a, t) => ({ in: a.in + t.inputTokens, out: a.out + t.outputTokens, calls: a.calls + t.calls }),
      { in: 0, out: 0, calls: 0 },
    );
    expect(counted.calls).toBe(1 + 2 + 2);
    const tab = await openPopup(world);
    pages.push(tab);
    await click(tab, 'Usage', 'tab');
    const expected = `2 runs · ${fmt(counted.in)} tokens in · ${fmt(counted.out)} tokens out · $`;
    const total = () => tab.$eval('[data-testid="usage-total"]', (e) => e.textContent ?? '').catch(() => '');
    await waitFor(async () => (await total()).includes(expected), `the totals “${expected}”`).catch(
      async (error: unknown) => {
        throw new Error(`${String(error)} — shown: “${await total()}”`);
      },
    );
    // Per engine and model, per connection (the preview stands apart), per day.
    const tables = await tab.$$eval('table.usage-table', (ts) =>
      ts.map(
        (t) =>
          t.getAttribute('aria-label') +
          ': ' +
          [...t.querySelectorAll('tbody th')].map((th) => th.textContent).join(', '),
      ),
    );
    expect(tables[0]).toBe('By engine and model: Gemini · gemini-3.8-flash');
    expect(tables[1]?.replace('By connection: ', '').split(', ').toSorted()).toEqual([
      'Counted page',
      'Previews',
      'Topics',
    ]);
    // Days as the browser writes them ("Dec 2, 2026" in English).
    expect(tables[2]).toMatch(/^By day: [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
  });

  it('Feedback opens the issue page with a diagnostics summary that holds no key and no Notion content', async () => {
    const tab = await openPopup(world);
    pages.push(tab);
    await world.browser
      .defaultBrowserContext()
      .overridePermissions(world.extensionOrigin, ['clipboard-read', 'clipboard-sanitized-write']);
    await click(tab, 'Usage', 'tab');
    const opened = new Promise<string>((resolve) => world.browser.once('targetcreated', (t) => resolve(t.url())));
    await click(tab, 'Feedback');
    expect(await opened).toContain('/issues/new');
    await tab.waitForSelector('::-p-text(is on your clipboard)');
    await tab.bringToFront();
    const report = await tab.evaluate(() => navigator.clipboard.readText());
    expect(report).toContain('Inkling 0.1.0');
    expect(report).toContain('Engine: gemini (gemini-3.8-flash)');
    const stored = JSON.stringify(await readSecrets(world));
    for (const secret of [FIXTURES.token, world.sandbox.models.keys.gemini]) {
      expect(stored).toContain(secret);
      expect(report).not.toContain(secret);
    }
  });
});

describe('The monthly budget', () => {
  it('stops a run once it is spent, before paying for anything', async () => {
    await setBudget(0.05);
    await spendThisMonth(0.05);
    const pageId = world.sandbox.notion.createPage({ title: 'Over budget' });
    const page = await open(pageHref(pageId, 'Over budget'), 'Over budget');
    await typeInto(page, 'Prompt', 'Write something');
    await click(page, 'Generate');
    await waitFor(
      () => panelText(page, '[role="alert"]').then((t) => t.includes('Your monthly budget of $0.0500 is used up')),
      'the budget message',
    );
    expect(world.sandbox.models.calls).toHaveLength(0);
  });

  it('asks first when a run would pass it', async () => {
    await setBudget(0.05);
    await spendThisMonth(0.0499999);
    const db = await open(databaseHref(FIXTURES.topicsDatabaseId), 'Topics');
    await typeInto(db, 'Prompt', 'Translate the topic to Japanese');
    await click(db, 'Generate');
    await waitFor(
      () =>
        panelText(db, '[role="alertdialog"]').then((t) =>
          t.includes('This run would take you past your monthly budget'),
        ),
      'the question',
    );
    await click(db, 'Start anyway');
    await runStatus(db, 'Done');
  });

  it('stops a run that goes past it, keeping what was written', async () => {
    await configure(world, { engine: 'openai', models: { openai: 'gpt-5.5' }, limitPresets: { openai: 'tier1' } });
    // The estimate (a short answer a row) fits the budget; the real answers do not: each is ~1,000
    // tokens of gpt-5.5 output, about a cent a row, 30 rows.
    await setBudget(0.06);
    world.sandbox.models.script({ text: 'A long translation. '.repeat(200) });
    const rows = Array.from({ length: 30 }, (_, i) => ({ Topic: `Topic ${i + 1}`, Generate: true }));
    const made = world.sandbox.notion.createDatabase({
      title: 'Pricey',
      properties: { Topic: 'title', Generate: 'checkbox', Output: 'rich_text' },
      rows,
    });
    const db = await open(databaseHref(made.databaseId), 'Pricey');
    await typeInto(db, 'Prompt', 'Translate the topic to Japanese');
    await startDatabaseRun(db);
    const status = await runStatus(db, 'monthly budget');
    expect(status).toContain('Your monthly budget of $0.0600 is used up');
    // Answers already paid for are written; the rows not yet asked wait (not failed) for a new budget.
    const counts = await panelText(db, '[data-testid="run-counts"]');
    const [, written, left] = /(\d+) written · 0 failed · 0 skipped · (\d+) left/.exec(counts) ?? [];
    expect(Number(left)).toBeGreaterThan(0);
    expect(Number(written) + Number(left)).toBe(30);
    expect(world.sandbox.models.calls.length).toBe(Number(written));
  });
});
