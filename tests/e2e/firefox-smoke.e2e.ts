// Firefox: the Firefox build (`wxt build -b firefox --mv3`) in Debian's Firefox ESR, driven over
// WebDriver BiDi against the same sandbox. Everything goes through the UI a person uses — Settings
// saved and verified, a page run and its Undo, a database run over the seed's 3 ticked rows and its
// Undo — because Firefox's background is an event page with no DevTools protocol to reach into.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref } from '../sandbox/site/index.ts';
import { expectedShapes, freshPage, generate, treeOf } from './blocks.ts';
import { rowCells } from './databases.ts';
import {
  byLabel,
  click,
  launch,
  openNotion,
  openPanel,
  openPopup,
  panelText,
  runStatus,
  typeInto,
  waitFor,
  type World,
} from './harness.ts';

let world: World;
const pages: Page[] = [];

beforeAll(async () => {
  world = await launch({ browser: 'firefox' });
});
// The sandbox back to its seed before each (the browser keeps what the person saved).
beforeEach(() => {
  world.sandbox.reset();
  world.sandbox.models.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 5_000 });
});
afterAll(() => world?.close());

const topics = () =>
  world.sandbox.notion
    .queryRows(FIXTURES.topicsDataSourceId)
    .map((row) => rowCells(row, ['Topic', 'Generate', 'Output']));

const saveStatus = (popup: Page) =>
  waitFor(async () => {
    const text = await popup.$eval('[role="status"]', (el) => el.textContent ?? '').catch(() => '');
    return text && !text.startsWith('Checking') ? text : '';
  }, 'the save status');

// The tests build on each other as a person's first session would: Settings first, then runs.
describe('Firefox', () => {
  it('saves Settings, verifies them with Notion and the model, and keeps the secrets masked after a reload', async () => {
    const popup = await openPopup(world);
    pages.push(popup);
    await popup.waitForSelector(byLabel(popup, 'Notion internal integration secret'));
    // What cannot work here says so: Firefox has no on-device model for extensions.
    const chromeOption = await popup.$$eval('option', (options) =>
      options.filter((o) => o.value === 'chrome').map((o) => ({ disabled: o.disabled, text: o.textContent })),
    );
    expect(chromeOption).toEqual([{ disabled: true, text: 'Chrome built-in AI — needs Chrome' }]);
    await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
    await typeInto(popup, 'Gemini API key', world.sandbox.models.keys.gemini);
    await click(popup, 'Save');
    expect(await saveStatus(popup)).toContain('Connected to Notion workspace “Inkling Sandbox”');
    // Verifying reached both services at their real host names.
    expect(world.sandbox.notion.requestLog.some((r) => r.route === 'GET /v1/users/me')).toBe(true);

    // The popup opened again, as a person clicking the toolbar button would.
    await popup.close();
    const reopened = await openPopup(world);
    pages.push(reopened);
    // (By the field's own placeholder: Firefox's accessibility locator also names the label itself.)
    const placeholder = await waitFor(
      () =>
        reopened.$$eval('input', (inputs) => inputs.map((i) => i.placeholder).find((p) => p.startsWith('Saved: ntn_'))),
      'the saved secret’s mask',
    );
    expect(placeholder).toBe(`Saved: ntn_…${FIXTURES.token.slice(-4)}`);
    expect(await reopened.content()).not.toContain(FIXTURES.token);
  });

  it('generates into a page, and Undo puts the page back', async () => {
    const answer = '# Firefox\n\nWritten from **Firefox**.\n\n- One\n- Two\n';
    world.sandbox.models.script({ text: answer });
    const { id, page } = await freshPage(world, pages, 'Firefox page');
    const before = treeOf(world, id);
    await generate(page, 'Write a short note');
    expect(await runStatus(page, 'Done')).toContain('4 blocks added to the page');
    expect(treeOf(world, id)).toEqual([...before, ...expectedShapes(answer)]);

    await click(page, 'Undo');
    await runStatus(page, 'Undone');
    expect(treeOf(world, id)).toEqual(before);
  });

  it('runs a prompt over the 3 ticked rows of a database, writes each once, and Undo run restores them', async () => {
    const page = await openNotion(world, databaseHref(FIXTURES.topicsDatabaseId));
    pages.push(page);
    await openPanel(page, 'Topics');
    // The seed ticks 2 rows; a third is added from the panel, ticked.
    await typeInto(page, 'New row', 'Stay curious');
    await click(page, 'Add row');
    await waitFor(() => topics().some((r) => r.Topic === 'Stay curious'), 'the new row in Notion');
    const before = topics();
    await typeInto(page, 'Prompt', 'Translate the topic to Japanese');
    await click(page, 'Generate');
    expect(await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate')).toMatch(/^3 rows to do/);
    world.sandbox.notion.clearRequestLog();
    await click(page, 'Start');
    await runStatus(page, 'Done');
    expect(await panelText(page, '[data-testid="run-counts"]')).toContain('3 written · 0 failed · 0 skipped · 0 left');
    expect(topics()).toEqual(
      before.map((row) =>
        row.Generate ? { Topic: row.Topic, Generate: false, Output: `「${String(row.Topic)}」(ja)` } : row,
      ),
    );
    expect(world.sandbox.notion.requestLog.filter((r) => r.route === 'PATCH /v1/pages/:id')).toHaveLength(3);

    await click(page, 'Undo run');
    await runStatus(page, 'Undone');
    expect(topics()).toEqual(before);
  });
});
