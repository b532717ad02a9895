// The keyboard alone: a page run and a database run from a notion.so tab without the mouse — the
// launcher reached with Tab, focus moved into the panel as it opens and back as Escape closes it.
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref, pageHref } from '../sandbox/site/index.ts';
import { openNotion, panelText, runStatus, waitFor, useWorld } from './harness.ts';

const { world, pages } = useWorld({ models: { timeToFirstTokenMs: 5, tokensPerSecond: 5_000 } });

/** What has focus inside the panel's shadow root: its accessible name as a person would hear it. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.querySelector('inkling-panel')?.shadowRoot?.activeElement as HTMLElement | null;
    if (!active) return '';
    const labelled = active.id ? active.getRootNode() : null;
    const label =
      labelled instanceof ShadowRoot ? labelled.querySelector(`label[for="${active.id}"]`)?.textContent : undefined;
    return (active.getAttribute('aria-label') ?? label ?? active.textContent ?? '').trim();
  });
}

/** Presses Tab until the control named `name` has focus (never more than 120 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await focused(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached “${name}” (last: “${await focused(page)}”)`);
}

/** From the page, with no mouse: Shift+Tab reaches the launcher, the last control on the page; Enter opens. */
async function openPanelByKeyboard(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('inkling-panel')?.shadowRoot?.querySelector('.ink-launcher'));
  for (let i = 0; i < 60 && (await focused(page)) !== 'Open Inkling'; i++) await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('Open Inkling');
  await page.keyboard.press('Enter');
  await waitFor(() => focused(page).then((name) => name.startsWith('Inkling')), 'focus in the panel');
}

describe('Keyboard only', () => {
  it('runs a page from the launcher to Undo, and Escape closes the panel with focus back on the launcher', async () => {
    world.sandbox.models.script({ text: '## Keyboard\n\nWritten without a mouse.' });
    const id = world.sandbox.notion.createPage({ title: 'Keys only' });
    const page = await openNotion(world, pageHref(id, 'Keys only'));
    pages.push(page);
    await openPanelByKeyboard(page);

    await tabTo(page, 'Prompt');
    await page.keyboard.type('Write two lines');
    await tabTo(page, 'Generate');
    await page.keyboard.press('Enter');
    await runStatus(page, 'Done');
    expect(world.sandbox.notion.getBlockTree(id).map((b) => b.type)).toEqual(['heading_2', 'paragraph']);

    await tabTo(page, 'Undo');
    await page.keyboard.press('Enter');
    await runStatus(page, 'Undone');
    // Undo went away once done: focus stays in the panel rather than falling to the page.
    await waitFor(() => focused(page).then((name) => name === 'Inkling'), 'focus on the panel');
    expect(world.sandbox.notion.getBlockTree(id)).toEqual([]);

    await page.keyboard.press('Escape');
    await waitFor(() => focused(page).then((name) => name === 'Open Inkling'), 'focus back on the launcher');
  });

  it('runs a database: prompt, Generate, Start, all by keyboard', async () => {
    const page = await openNotion(world, databaseHref(FIXTURES.topicsDatabaseId));
    pages.push(page);
    await openPanelByKeyboard(page);
    // As a person would, the form is awaited: it comes once the panel has looked the database up.
    await waitFor(() => panelText(page, '[data-testid="target"]').then((t) => t.includes('Topics')), 'the database');
    await tabTo(page, 'Prompt');
    await page.keyboard.type('Translate the topic to Japanese');
    // An Escape that closes the suggestions list is used up there: the panel stays open.
    await page.keyboard.type(' {{');
    await page.keyboard.press('Escape');
    expect(await focused(page)).toBe('Prompt');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await tabTo(page, 'Generate');
    await page.keyboard.press('Enter');
    // The run's confirm takes focus as it appears: Enter starts it.
    await waitFor(() => focused(page).then((name) => name === 'Start'), 'focus on Start');
    await page.keyboard.press('Enter');
    await runStatus(page, 'Done');
    const outputs = world.sandbox.notion
      .queryRows(FIXTURES.topicsDataSourceId)
      .map((row) => (row as { properties: Record<string, { rich_text?: Array<{ plain_text: string }> }> }).properties)
      .map((p) => (p.Output?.rich_text ?? []).map((t) => t.plain_text).join(''));
    expect(outputs.filter((o) => o.endsWith('(ja)'))).toHaveLength(2);
  });
});
