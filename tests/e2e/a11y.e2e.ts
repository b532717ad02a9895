// Accessibility: axe-core (WCAG 2.1 A and AA) over every popup tab and the panel on a page and on a
// database, in light and dark, in the production build. No serious or critical violation may remain.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref } from '../sandbox/site/index.ts';
import { freshPage } from './blocks.ts';
import { click, openNotion, openPanel, openPopup, panelText, waitFor, useWorld } from './harness.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const { world, pages } = useWorld();

interface Finding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe's serious and critical findings on the page, or (with `within`) only those inside that element's
 * shadow root. Evaluated over CDP, which an extension page's CSP does not stop, as an inline script would be.
 */
async function violations(page: Page, within?: string): Promise<Finding[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })) as {
      violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown[] }> }>;
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return found
    .map((v) => ({ ...v, targets: v.targets.filter((t) => within === undefined || t.startsWith(`[["${within}"`)) }))
    .filter((v) => (v.impact === 'serious' || v.impact === 'critical') && v.targets.length > 0);
}

async function inTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
}

describe('Accessibility (axe-core, WCAG 2.1 AA)', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`every popup tab, ${theme}`, async () => {
      const popup = await openPopup(world);
      pages.push(popup);
      await inTheme(popup, theme);
      const report: Record<string, Finding[]> = {};
      for (const tab of ['Settings', 'Create', 'Connections', 'Usage']) {
        await click(popup, tab, 'tab');
        await waitFor(
          () =>
            popup.$$eval(
              '[role="tab"]',
              (tabs, name) => tabs.some((t) => t.textContent === name && t.getAttribute('aria-selected') === 'true'),
              tab,
            ),
          `the ${tab} tab`,
        );
        report[tab] = await violations(popup);
      }
      expect(report).toEqual({ Settings: [], Create: [], Connections: [], Usage: [] });
    });

    it(`the panel on a page and on a database, ${theme}`, async () => {
      const { page } = await freshPage(world, pages, 'Accessible page');
      await inTheme(page, theme);
      const onPage = await violations(page, 'inkling-panel');
      const database = await openNotion(world, databaseHref(FIXTURES.topicsDatabaseId));
      pages.push(database);
      await inTheme(database, theme);
      await openPanel(database, 'Topics');
      await waitFor(() => panelText(database, '[aria-label="Rows"]').then((t) => t.includes('Learning')), 'the rows');
      const onDatabase = await violations(database, 'inkling-panel');
      expect({ onPage, onDatabase }).toEqual({ onPage: [], onDatabase: [] });
    });
  }
});
