// Web search: a database run whose rows are looked up on the web (Gemini's Google Search grounding),
// each answer written with the pages it cites as links in a Sources column; a page run (OpenAI's
// web_search tool) whose answer is followed by a "Sources" list; the searches priced in the estimate
// and in Usage; and an engine that cannot search, which says so instead of offering it.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { databaseHref } from '../sandbox/site/index.ts';
import { freshPage as freshPageIn, generate } from './blocks.ts';
import {
  byLabel,
  click,
  configure,
  openNotion,
  openPanel,
  openPopup,
  panelText,
  runStatus,
  typeInto,
  useWorld,
  waitFor,
} from './harness.ts';
import { rowCells } from './databases.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

const ACME_SOURCES = [
  { url: 'https://acme.example/about', title: 'About Acme' },
  { url: 'https://press.example/acme-raises', title: 'Acme raises a round' },
];

/** Leads to look up: a Summary to fill, a Sources column for the links, Generate ticking them. */
function leads() {
  const db = world.sandbox.notion.createDatabase({
    title: 'Leads',
    properties: { Company: 'title', Generate: 'checkbox', Summary: 'rich_text', Sources: 'rich_text' },
    rows: ['Acme', 'Globex', 'Initech'].map((Company) => ({ Company, Generate: true })),
  });
  const sourcesId = world.sandbox.notion.getDataSource(db.dataSourceId)!.properties.Sources!.id;
  return { ...db, sourcesId };
}

/** Each row's Sources cell: its linked titles and their addresses. */
function sourcesCells(dataSourceId: string): Record<string, Array<[string, string | null]>> {
  return Object.fromEntries(
    world.sandbox.notion.queryRows(dataSourceId).map((row) => {
      const properties = row.properties as Record<
        string,
        { rich_text?: Array<{ plain_text: string; href: string | null }> }
      >;
      const links = (properties.Sources?.rich_text ?? [])
        .filter((t) => t.plain_text.trim())
        .map((t): [string, string | null] => [t.plain_text, t.href]);
      return [rowCells(row, ['Company']).Company as string, links];
    }),
  );
}

async function openLeads(db: ReturnType<typeof leads>): Promise<Page> {
  const page = await openNotion(world, databaseHref(db.databaseId));
  pages.push(page);
  await openPanel(page, 'Leads');
  return page;
}

describe('Use web search', () => {
  it('looks each row up (Gemini grounding), writes its answer and the pages it cites as links, and prices the searches', async () => {
    const db = leads();
    world.sandbox.models.script({ match: 'Acme', text: 'Acme makes anvils.', sources: ACME_SOURCES });
    const page = await openLeads(db);
    await typeInto(page, 'Prompt', 'What does {{Company}} do? One sentence.');
    await click(page, 'Use web search', 'checkbox');
    await (await page.waitForSelector(byLabel(page, 'Sources', 'combobox')))!.select(db.sourcesId);

    // Preview shows each row's sources, and writes nothing.
    await click(page, 'Preview');
    await waitFor(
      () => panelText(page, '[data-testid="preview-sources"]').then((t) => t.includes('acme.example')),
      'the previewed sources',
    );
    expect(world.sandbox.notion.requestLog.filter((r) => r.method === 'PATCH')).toEqual([]);
    const previewed = world.sandbox.models.usageTotals().gemini?.searches ?? 0;
    expect(previewed).toBe(3);
    world.sandbox.models.reset();
    world.sandbox.models.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 0 });
    world.sandbox.models.script({ match: 'Acme', text: 'Acme makes anvils.', sources: ACME_SOURCES });

    await click(page, 'Generate');
    const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    expect(estimate).toContain('3 rows to do');
    expect(estimate).toContain('3 web searches');
    await click(page, 'Start');
    await runStatus(page, 'Done');

    // One call a row (no packing with search), each with the search tool, each searching once.
    const calls = world.sandbox.models.calls;
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.tools?.includes('googleSearch') && c.searches === 1)).toBe(true);
    expect(world.sandbox.models.usageTotals().gemini?.searches).toBe(3);

    const cells = sourcesCells(db.dataSourceId);
    // Gemini cites through Google's redirect, titled by the site.
    expect(cells.Acme).toEqual([
      ['acme.example', world.sandbox.models.groundingRedirectFor(ACME_SOURCES[0]!.url)],
      ['press.example', world.sandbox.models.groundingRedirectFor(ACME_SOURCES[1]!.url)],
    ]);
    expect(cells.Globex).toHaveLength(2);
    expect(cells.Globex).not.toEqual(cells.Initech);
    const summaries = world.sandbox.notion.queryRows(db.dataSourceId).map((r) => rowCells(r, ['Company', 'Summary']));
    expect(summaries.find((r) => r.Company === 'Acme')?.Summary).toBe('Acme makes anvils.');

    // Usage counts every search (Preview's too) in the cost.
    const tab = await openPopup(world);
    pages.push(tab);
    await click(tab, 'Usage', 'tab');
    await waitFor(
      () =>
        tab
          .$eval('[data-testid="usage-total"]', (e) => e.textContent ?? '')
          .then((t) => t.includes(`${previewed + 3} web searches`)),
      'the searches in Usage',
    );

    // Undo takes the sources back with the answers.
    await page.bringToFront();
    await click(page, 'Undo run');
    await runStatus(page, 'Undone');
    expect(Object.values(sourcesCells(db.dataSourceId)).every((links) => links.length === 0)).toBe(true);
  });

  it('follows a page answer (OpenAI web_search) with a “Sources” list of the pages it cites', async () => {
    await configure(world, { engine: 'openai' });
    world.sandbox.models.script({ text: 'Acme makes anvils, and raised a round this year.', sources: ACME_SOURCES });
    const { id, page } = await freshPageIn(world, pages, 'Acme brief');
    await click(page, 'Use web search', 'checkbox');
    await generate(page, 'Write a short brief on Acme');
    const status = await runStatus(page, 'Done');
    expect(status).toContain('1 web search');
    expect(world.sandbox.models.calls).toHaveLength(1);
    expect(world.sandbox.models.calls[0]).toMatchObject({ tools: ['web_search'], searches: 1 });
    const blocks = world.sandbox.notion.getBlockTree(id);
    const text = (b: (typeof blocks)[number]) =>
      ((b[b.type] as { rich_text?: Array<{ plain_text: string; href: string | null }> }).rich_text ?? []).map((t) => [
        t.plain_text,
        t.href,
      ]);
    const heading = blocks.findIndex((b) => b.type === 'heading_2' && text(b)[0]?.[0] === 'Sources');
    expect(heading).toBeGreaterThan(0);
    expect(blocks.slice(heading + 1).map(text)).toEqual([
      [['About Acme', 'https://acme.example/about?utm_source=openai']],
      [['Acme raises a round', 'https://press.example/acme-raises?utm_source=openai']],
    ]);
  });

  it('is not offered where the engine cannot search, and says which engines can', async () => {
    await configure(world, { engine: 'compatible', baseUrl: world.sandbox.compatibleBaseUrl });
    const page = await openLeads(leads());
    await waitFor(
      () =>
        panelText(page, '[data-testid="no-web-search"]').then((t) =>
          t.includes('Web search needs GPT (OpenAI) or Gemini'),
        ),
      'the reason there is no web search',
    );
    expect(await page.$(byLabel(page, 'Use web search'))).toBeNull();
  });
});
