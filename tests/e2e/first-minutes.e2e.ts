// A person's first minutes, in a German browser: where there is nothing yet, each screen says what to
// do next; costs, dates and times are written as the browser's locale writes them.
import { describe, expect, it } from 'vitest';
import { databaseHref, pageHref } from '../sandbox/site/index.ts';
import {
  click,
  openNotion,
  openPanel,
  openPopup,
  panelText,
  runStatus,
  typeInto,
  useWorld,
  waitFor,
} from './harness.ts';

const { world, pages } = useWorld({ launch: { locale: 'de-DE' }, models: { timeToFirstTokenMs: 5 } });

async function popupTab(name: string) {
  const tab = await openPopup(world);
  pages.push(tab);
  await click(tab, name, 'tab');
  return tab;
}

const text = (page: Awaited<ReturnType<typeof popupTab>>, selector: string) =>
  page.$eval(selector, (e) => e.textContent ?? '').catch(() => '');

describe('The first minutes', () => {
  it('says what to do next where there is nothing yet: connections, usage, an empty database', async () => {
    const connections = await popupTab('Connections');
    const none = await waitFor(async () => {
      const shown = await text(connections, '.popup__body');
      return shown.includes('No connections yet') ? shown : '';
    }, 'the empty Connections list');
    expect(none).toContain('press Open Inkling (Alt+K), or start one in Create');

    const usage = await popupTab('Usage');
    const empty = await waitFor(() => text(usage, '[data-testid="usage-empty"]'), 'the empty Usage tab');
    expect(empty).toMatch(/^No runs yet\. Generate into a Notion page or database/);
    expect(await usage.$$('table.usage-table')).toHaveLength(0);

    const db = world.sandbox.notion.createDatabase({
      title: 'Reading list',
      properties: { Book: 'title', Summary: 'rich_text' },
    });
    const notion = await openNotion(world, databaseHref(db.databaseId));
    pages.push(notion);
    await openPanel(notion, 'Reading list');
    const noRows = await waitFor(() => panelText(notion, '[data-testid="rows-empty"]'), 'the empty rows table');
    expect(noRows).toBe('This database has no rows yet. Add one below (or in Notion), then Generate.');
    // Adding a row from there takes the message away.
    await typeInto(notion, 'New row', 'Dune');
    await click(notion, 'Add row');
    await waitFor(async () => (await panelText(notion, '[data-testid="rows-empty"]')) === '', 'the row added');
  });

  it('writes costs, dates and times as a German browser does', async () => {
    expect(await (await popupTab('Settings')).evaluate(() => navigator.language)).toBe('de-DE');
    world.sandbox.models.script({ text: '## Kochen\n\nWasser kocht bei 100 °C.' });
    const id = world.sandbox.notion.createPage({ title: 'Notizen' });
    const page = await openNotion(world, pageHref(id, 'Notizen'));
    pages.push(page);
    await openPanel(page, 'Notizen');
    await typeInto(page, 'Prompt', 'Explain boiling');
    await click(page, 'Generate');
    const done = await runStatus(page, 'Done');
    // US dollars as German writes money: "0,0001 $", not "$0.0001".
    expect(done).toMatch(/\d,\d{4}\u00a0\$/);
    expect(done).not.toMatch(/\$\d/);
    // Undo's last day as a German date: "bis 1. Januar 2027".
    const panel = await panelText(page, '.page-run');
    expect(panel).toMatch(
      /until \d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) \d{4}/,
    );

    const usage = await popupTab('Usage');
    const total = await waitFor(() => text(usage, '[data-testid="usage-total"]'), 'the usage totals');
    expect(total).toMatch(/\d,\d{4}\u00a0\$ estimated/);
    const days = await usage.$$eval('table[aria-label="By day"] tbody th', (ths) => ths.map((th) => th.textContent));
    expect(days).toHaveLength(1);
    expect(days[0]).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);

    // A connection's last run, as the list shows it: "02.12.2026, 14:05".
    const connections = await popupTab('Connections');
    const details = await waitFor(() => text(connections, '.connection__details'), 'the connection');
    expect(details).toMatch(/\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/);
  });
});
