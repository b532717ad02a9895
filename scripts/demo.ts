// `npm run demo`: Inkling end to end without any account. Starts the sandbox (a seeded Notion workspace
// with a sample page and the sample Topics database, and stand-ins for Gemini and OpenAI at their real
// host names), opens Chromium with the production build, and fills Settings for the sandbox through the
// popup, as a person would. With a display it leaves the window to you (Ctrl+C ends it); without one it
// drives a page run and a database run itself, photographs each step and prints the gallery's address.
// Options: --headless (no window even with a display), --out <folder> (where the gallery goes).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { FIXTURES } from '../tests/sandbox/notion/index.ts';
import { databaseHref, pageHref } from '../tests/sandbox/site/index.ts';
import {
  CHROMIUM,
  EXTENSION_DIR,
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
} from '../tests/e2e/harness.ts';

const args = process.argv.slice(2);
const headless = args.includes('--headless') || !process.env.DISPLAY;
const outIndex = args.indexOf('--out');
const out = resolve(outIndex >= 0 ? args[outIndex + 1]! : '.tmp/demo');

for (const [path, fix] of [
  [CHROMIUM, 'install Debian’s chromium package (apt-get install chromium), or set CHROMIUM_PATH'],
  [EXTENSION_DIR, 'build it first: npm run build (npm run demo does)'],
] as const) {
  if (!existsSync(path)) {
    console.error(`Not found: ${path}. To run the demo, ${fix}.`);
    process.exit(1);
  }
}

const world = await launch({ headless });
// A person's pace: the answer streams in over a second or two, so the panel can be watched.
world.sandbox.models.configure({ timeToFirstTokenMs: 300, tokensPerSecond: 400 });
const shots: Array<{ file: string; caption: string }> = [];

async function shot(page: Page, file: string, caption: string): Promise<void> {
  if (!headless) return;
  await page.screenshot({ path: join(out, file) });
  shots.push({ file, caption });
  console.log(`  ✓ ${caption}`);
}

/** Settings filled for the sandbox and saved: Save verifies the secret with the sandbox's Notion. */
async function fillSettings(): Promise<Page> {
  const popup = await openPopup(world);
  if (headless) await popup.setViewport({ width: 380, height: 640 });
  await popup.waitForSelector('::-p-aria(Notion internal integration secret)');
  await typeInto(popup, 'Notion internal integration secret', FIXTURES.token);
  await typeInto(popup, 'Gemini API key', world.sandbox.models.keys.gemini);
  await click(popup, 'Save');
  await waitFor(
    () => popup.$eval('[role="status"]', (el) => el.textContent?.includes('Connected to') ?? false).catch(() => false),
    'Settings to be saved',
  );
  return popup;
}

async function tour(w: World, popup: Page): Promise<void> {
  await shot(popup, '1-settings.png', 'Settings, filled for the sandbox and verified with its Notion workspace');

  const page = await openNotion(w, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
  await page.setViewport({ width: 1280, height: 800 });
  await openPanel(page, 'Inkling Playground');
  await typeInto(page, 'Prompt', 'Write a short guide to keeping a reading journal');
  await shot(page, '2-page-prompt.png', 'The panel on a Notion page, with a prompt');
  await click(page, 'Generate');
  await runStatus(page, 'Done');
  await shot(page, '3-page-done.png', 'The answer written into the page, with Undo at hand');

  const database = await openNotion(w, databaseHref(FIXTURES.topicsDatabaseId));
  await database.setViewport({ width: 1280, height: 800 });
  await openPanel(database, 'Topics');
  await typeInto(database, 'Prompt', 'Translate the topic to Japanese');
  await click(database, 'Generate');
  await waitFor(() => panelText(database, '[data-testid="estimate"]'), 'the estimate');
  await shot(database, '4-database-estimate.png', 'A database run: the ticked rows, the estimate, Start');
  await click(database, 'Start');
  await runStatus(database, 'Done');
  await shot(database, '5-database-done.png', 'Each ticked row written into its own Output cell');

  await popup.bringToFront();
  for (const [tab, file, caption] of [
    ['Connections', '6-connections.png', 'Connections: every page and database Inkling wrote into'],
    ['Usage', '7-usage.png', 'Usage: tokens and cost per day, engine and connection'],
  ] as const) {
    await click(popup, tab, 'tab');
    await waitFor(() => popup.$(`::-p-aria([name="${tab}"][role="tab"][selected])`).catch(() => null), tab);
    await shot(popup, file, caption);
  }
}

function gallery(): string {
  const items = shots
    .map((s) => `<figure><img src="${s.file}" alt="${s.caption}"><figcaption>${s.caption}</figcaption></figure>`)
    .join('\n');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Inkling demo</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:32px;color:#37352f}figure{margin:0 0 32px}
img{max-width:100%;border:1px solid #e9e9e7;border-radius:6px}figcaption{margin-top:6px}</style>
<h1>Inkling demo</h1><p>Made by <code>npm run demo</code> against the sandbox: no account, no key.</p>
${items}</html>`;
}

try {
  const popup = await fillSettings();
  if (headless) {
    mkdirSync(out, { recursive: true });
    console.log('No display: the demo drives Inkling itself and photographs each step.');
    await tour(world, popup);
    const index = join(out, 'index.html');
    writeFileSync(index, gallery());
    console.log(`\nGallery: ${pathToFileURL(index).href}`);
    await world.close();
  } else {
    await openNotion(world, pageHref(FIXTURES.playgroundPageId, 'Inkling Playground'));
    await popup.bringToFront();
    console.log(`Inkling is open in Chromium, with Settings saved for the sandbox.
  Try: the “Inkling Playground” tab → Open Inkling (or Alt+K) → a Prompt → Generate.
  The sidebar's “Topics” database runs one prompt over its ticked rows.
Ctrl+C ends the demo.`);
    process.on('SIGINT', () => void world.close().then(() => process.exit(0)));
  }
} catch (error) {
  console.error(`The demo stopped: ${error instanceof Error ? error.message : String(error)}`);
  await world.close();
  process.exit(1);
}
