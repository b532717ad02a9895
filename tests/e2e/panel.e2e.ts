// The panel on notion.so: mounts in a shadow root, names what is in view, follows in-app navigation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { databaseHref, pageHref, peekHref } from '../sandbox/site/index.ts';
import { byLabel, click, launch, openNotion, waitFor, writeSecrets, type World } from './harness.ts';

let world: World;

beforeAll(async () => {
  world = await launch();
  await writeSecrets(world, { notionToken: FIXTURES.token });
});
afterAll(() => world?.close());

/** The panel's line about the target, once it has settled. */
const targetText = (page: Page, expected: string) =>
  waitFor(async () => {
    const text = await page
      .$eval('inkling-panel', (host) => host.shadowRoot?.querySelector('[data-testid="target"]')?.textContent ?? '')
      .catch(() => '');
    return text.includes(expected) ? text : '';
  }, `the panel to show “${expected}”`);

/** Navigates the way Notion does: a click on an in-app link, handled with history.pushState. */
async function navigateInApp(page: Page, href: string): Promise<void> {
  const before = await page.evaluate(() => performance.getEntriesByType('navigation').length);
  // Like a link in Notion's sidebar or a table row: the site's click handler pushes the state.
  await page.evaluate((h) => {
    const link = Object.assign(document.createElement('a'), { href: h, textContent: 'go' });
    link.dataset.inapp = '';
    document.body.append(link);
    link.click();
    link.remove();
  }, href);
  await page.waitForFunction((h) => location.href.endsWith(h), {}, href);
  // Still the same document: no page load happened.
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(before);
}

describe('Panel', () => {
  it('mounts in a shadow root with an accessible “Open Inkling” button, and Notion’s CSS stays out', async () => {
    const page = await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    await page.waitForSelector(byLabel(page, 'Open Inkling'));
    const hostInfo = await page.$eval('inkling-panel', (host) => ({
      hasShadow: !!host.shadowRoot,
      inBody: host.parentElement === document.body,
    }));
    expect(hostInfo).toEqual({ hasShadow: true, inBody: true });
    // The page's own stylesheet cannot reach the panel's button.
    await page.addStyleTag({ content: 'button { background: rgb(255, 0, 0) !important; }' });
    const background = await page.$eval(
      'inkling-panel',
      (host) => getComputedStyle(host.shadowRoot!.querySelector('button')!).backgroundColor,
    );
    expect(background).not.toBe('rgb(255, 0, 0)');
    await page.close();
  });

  it('opens under a content security policy as strict as Notion’s, which the page itself cannot get past', async () => {
    const page = await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    // The policy holds: a script from elsewhere is refused.
    const refused = await page.evaluate(
      () =>
        new Promise<string>((done) => {
          document.addEventListener('securitypolicyviolation', (e) => done(e.effectiveDirective), { once: true });
          const script = document.createElement('script');
          script.src = 'https://cdn.example/script.js';
          document.head.append(script);
          setTimeout(() => done('not refused'), 3_000);
        }),
    );
    expect(refused).toBe('script-src-elem');
    // The panel's own script, loaded when Inkling opens, is not the page's to refuse.
    await click(page, 'Open Inkling');
    expect(await targetText(page, 'Inkling Playground')).toMatch(/^Page\s*Inkling Playground/);
    await page.close();
  });

  it('names the page, then follows pushState to a database, a peeked row and back', async () => {
    const page = await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    await click(page, 'Open Inkling');
    expect(await targetText(page, 'Inkling Playground')).toMatch(/^Page\s*Inkling Playground/);

    await navigateInApp(page, databaseHref(FIXTURES.topicsDatabaseId));
    expect(page.url()).toContain(`?v=`);
    expect(await targetText(page, 'Topics')).toMatch(/^Database\s*Topics · 3 properties/);

    const rowId = FIXTURES.topicsRowIds[0]!;
    await navigateInApp(page, peekHref(FIXTURES.topicsDatabaseId, rowId));
    expect(await targetText(page, 'Learning is fun')).toMatch(/^Page\s*Learning is fun/);

    await page.goBack();
    expect(await targetText(page, 'Topics')).toMatch(/^Database/);
    await page.close();
  });

  it('says what to do on a page the integration cannot see', async () => {
    const page = await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    await click(page, 'Open Inkling');
    await targetText(page, 'Inkling Playground');
    await navigateInApp(page, pageHref(FIXTURES.privatePageId, 'Private notes'));
    expect(await targetText(page, 'can’t see')).toBe(
      'Inkling can’t see this page. In Notion, open it, click ••• → Connections, and add your integration.',
    );
    await navigateInApp(page, '/');
    expect(await targetText(page, 'Open a Notion page or database')).toBeTruthy();
    await page.close();
  });

  it('has a keyboard shortcut that does not clash with Notion, and it toggles the panel', async () => {
    const worker = await world.worker();
    const commands = await worker.evaluate(() => chrome.commands.getAll());
    expect(commands).toContainEqual(expect.objectContaining({ name: 'toggle-panel', shortcut: 'Alt+K' }));

    const page = await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    await page.waitForSelector(byLabel(page, 'Open Inkling'));
    // A DevTools key press never reaches chrome.commands (toolchain-and-e2e.md), so deliver what the
    // command handler sends: the protocol's togglePanel message to this tab.
    await worker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      await chrome.tabs.sendMessage(tab!.id!, { id: 1, type: 'togglePanel', timestamp: Date.now() });
    }, page.url());
    await page.waitForSelector(byLabel(page, 'Close Inkling'));
    expect(await targetText(page, 'Inkling Playground')).toBeTruthy();
    await page.close();
  });
});
