// Notion's look, light and dark: the panel wears the theme a person picked in Notion (which may not be
// the system's) and follows it as Notion switches; the popup follows the system. The screenshots the
// README shows are taken here (written to docs/screenshots with INKLING_SCREENSHOTS=docs, else to .tmp).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { freshPage, generate } from './blocks.ts';
import { openPopup, runStatus, waitFor, useWorld } from './harness.ts';

const { world, pages } = useWorld({ models: { timeToFirstTokenMs: 5, tokensPerSecond: 5_000 } });

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS =
  process.env.INKLING_SCREENSHOTS === 'docs' ? join(ROOT, 'docs/screenshots') : join(ROOT, '.tmp/screenshots');
const SHOT_NAMES = ['panel-light.png', 'panel-dark.png', 'popup-light.png', 'popup-dark.png'];

const DARK_BG = 'rgb(25, 25, 25)';
const LIGHT_BG = 'rgb(255, 255, 255)';

/** The panel's background and text colours as the person sees them. */
const panelColours = (page: Page) =>
  page.$eval('inkling-panel', (host) => {
    const panel = host.shadowRoot!.querySelector('.ink-panel')!;
    const style = getComputedStyle(panel);
    return { background: style.backgroundColor, text: style.color };
  });

const system = (page: Page, theme: 'light' | 'dark') =>
  page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);

const ANSWER =
  '## Boiling point\n\nWater boils at **100 °C** at sea level.\n\n- Lower on mountains\n- Higher under pressure\n';

async function pageAfterRun(title: string): Promise<Page> {
  world.sandbox.models.script({ text: ANSWER });
  const { page } = await freshPage(world, pages, title);
  await page.setViewport({ width: 1280, height: 760 });
  await generate(page, 'Explain boiling in two lines');
  await runStatus(page, 'Done');
  return page;
}

describe('Notion’s theme, light and dark', () => {
  it('the panel is dark on a dark Notion under a light system, and turns light when Notion does', async () => {
    world.sandbox.site.theme = 'dark';
    const page = await pageAfterRun('Dark Notion');
    await system(page, 'light');
    expect(await panelColours(page)).toEqual({ background: DARK_BG, text: 'rgb(230, 230, 228)' });
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'panel-dark.png') });

    // The person switches Notion to light (Notion changes its body's class; no reload) on a dark system.
    await system(page, 'dark');
    await page.evaluate(() => document.body.classList.remove('dark'));
    await waitFor(async () => (await panelColours(page)).background === LIGHT_BG, 'the panel to turn light');
    expect(await panelColours(page)).toEqual({ background: LIGHT_BG, text: 'rgb(55, 53, 47)' });
  });

  it('on Notion’s default (the system’s theme) the panel follows the system, as Notion does', async () => {
    const page = await pageAfterRun('System Notion');
    await system(page, 'dark');
    await waitFor(async () => (await panelColours(page)).background === DARK_BG, 'the panel to turn dark');
    await system(page, 'light');
    await waitFor(async () => (await panelColours(page)).background === LIGHT_BG, 'the panel to turn light');
    await page.screenshot({ path: join(SHOTS, 'panel-light.png') });
  });

  it('the popup follows the system', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const popup = await openPopup(world);
      pages.push(popup);
      await popup.setViewport({ width: 380, height: 620 });
      await system(popup, theme);
      await popup.waitForSelector('::-p-aria(Notion internal integration secret)');
      const background = await popup.$eval('.popup', (el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe(theme === 'dark' ? DARK_BG : LIGHT_BG);
      await popup.screenshot({ path: join(SHOTS, `popup-${theme}.png`) });
    }
  });

  it('the README shows both themes from docs/screenshots', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const name of SHOT_NAMES) {
      expect(readme).toContain(`docs/screenshots/${name}`);
      expect(existsSync(join(ROOT, 'docs/screenshots', name)), name).toBe(true);
    }
  });
});
