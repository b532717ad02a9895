// Connections: the connections database created in Notion, runs mirrored there (and caught up after
// an outage, without duplicates), the tab's sort, filter, search, resume and Delete, Import on a
// fresh profile, and the sample page and database.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { FIXTURES, type PageObject } from '../sandbox/notion/index.ts';
import { databaseHref, pageHref } from '../sandbox/site/index.ts';
import { rowCells } from './databases.ts';
import {
  byLabel,
  click,
  configure,
  launch,
  openNotion,
  openPanel,
  openPopup,
  panelText,
  readExtensionStorage,
  runStatus,
  typeInto,
  waitFor,
  useWorld,
} from './harness.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

async function popup(tab?: string): Promise<Page> {
  const page = await openPopup(world);
  pages.push(page);
  if (tab) await click(page, tab, 'tab');
  return page;
}

/** Creates the connections database from Settings, under the playground page; returns its data source. */
async function createConnectionsDatabase(): Promise<string> {
  const settings = await popup();
  await click(settings, 'Create connections database');
  await typeInto(settings, 'Parent page', 'Playground');
  await click(settings, 'Create the connections database under Inkling Playground');
  await settings.waitForSelector('::-p-text(Created “Inkling connections”)');
  const stored = (await readExtensionStorage(world)).settings as { connectionsDatabase: { dataSourceId: string } };
  return stored.connectionsDatabase.dataSourceId;
}

const mirrorRows = (dataSourceId: string) =>
  world.sandbox.notion
    .queryRows(dataSourceId)
    .map((row) => rowCells(row, ['Name', 'Type', 'Status', 'Connection ID', 'Prompt', 'Engine', 'Model', 'Target']));

async function runOnPage(title: string, prompt: string): Promise<string> {
  world.sandbox.models.script({ text: `# ${title}\n\nWritten for you.`, times: 1 });
  const id = world.sandbox.notion.createPage({ title });
  const page = await openNotion(world, pageHref(id, title));
  pages.push(page);
  await openPanel(page, title);
  await typeInto(page, 'Prompt', prompt);
  await click(page, 'Generate');
  await runStatus(page, 'Done');
  return id;
}

async function runOnTopics(): Promise<Page> {
  const page = await openNotion(world, databaseHref(FIXTURES.topicsDatabaseId));
  pages.push(page);
  await openPanel(page, 'Topics');
  await typeInto(page, 'Prompt', 'Translate the topic to Japanese');
  await click(page, 'Generate');
  await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
  await click(page, 'Start');
  await runStatus(page, 'Done');
  return page;
}

const connectionNames = (page: Page) => page.$$eval('.connection__name', (els) => els.map((e) => e.textContent));

describe('The connections database in Notion', () => {
  it('is created under a chosen page with its schema, and mirrors page and database runs', async () => {
    const dataSourceId = await createConnectionsDatabase();
    const schema = world.sandbox.notion.getDataSource(dataSourceId) as unknown as {
      properties: Record<string, { type: string }>;
      parent: unknown;
    };
    expect(Object.fromEntries(Object.entries(schema.properties).map(([name, p]) => [name, p.type]))).toMatchObject({
      Name: 'title',
      Type: 'select',
      Target: 'url',
      Prompt: 'rich_text',
      Engine: 'select',
      Model: 'rich_text',
      Status: 'select',
      'Last run': 'date',
      Rows: 'number',
      Tokens: 'number',
      Cost: 'number',
      'Connection ID': 'rich_text',
    });
    expect(JSON.stringify(world.sandbox.notion.getBlockTree(FIXTURES.playgroundPageId))).toContain(
      'Inkling connections',
    );

    await runOnPage('Blog post', 'Write a post');
    await runOnTopics();
    const local = Object.values(
      (await readExtensionStorage(world)).connections as Record<string, { id: string; name: string }>,
    );
    expect(local.map((c) => c.name).toSorted()).toEqual(['Blog post', 'Topics']);
    await waitFor(
      () => mirrorRows(dataSourceId).filter((r) => r.Status === 'done').length === 2,
      'both runs in Notion',
      30_000,
    );
    const rows = mirrorRows(dataSourceId);
    expect(rows.map((r) => [r.Name, r.Type, r.Engine, r.Model]).toSorted()).toEqual([
      ['Blog post', 'Page', 'gemini', 'gemini-3.8-flash'],
      ['Topics', 'Database', 'gemini', 'gemini-3.8-flash'],
    ]);
    expect(rows.map((r) => r['Connection ID']).toSorted()).toEqual(local.map((c) => c.id).toSorted());
    // No secret ever goes into Notion.
    const written = JSON.stringify(world.sandbox.notion.queryRows(dataSourceId));
    for (const secret of [FIXTURES.token, world.sandbox.models.keys.gemini, world.sandbox.models.keys.openai])
      expect(written).not.toContain(secret);
  });

  it('catches up after Notion failed during a delete and a run, with no duplicates', async () => {
    const dataSourceId = await createConnectionsDatabase();
    await runOnPage('First', 'Write one');
    await waitFor(
      () => mirrorRows(dataSourceId).some((r) => r.Name === 'First' && r.Status === 'done'),
      'the first row',
      30_000,
    );
    const first = world.sandbox.notion
      .queryRows(dataSourceId)
      .find((r) => rowCells(r, ['Name']).Name === 'First') as PageObject;

    // Notion answers 503 to everything about the connections database from now on.
    world.sandbox.faults.add({
      host: 'api.notion.com',
      path: `/v1/data_sources/${dataSourceId}/query`,
      status: 503,
      times: Infinity,
    });
    world.sandbox.faults.add({
      host: 'api.notion.com',
      path: `/v1/pages/${String(first.id)}`,
      status: 503,
      times: Infinity,
    });
    world.sandbox.faults.add({
      host: 'api.notion.com',
      method: 'POST',
      path: '/v1/pages',
      status: 503,
      times: Infinity,
    });
    await runOnPage('Second', 'Write two');
    const tab = await popup('Connections');
    await click(tab, '••• First');
    await click(tab, 'Delete', 'menuitem');
    await click(tab, 'Delete connection');
    await waitFor(() => connectionNames(tab).then((n) => n.length === 1), 'the list without “First”');
    await tab.waitForSelector('[data-testid="mirror-status"]');
    expect(await tab.$eval('[data-testid="mirror-status"]', (e) => e.textContent)).toMatch(
      /^(1 change|[02-9]\d* changes|\d{2,} changes) waiting to reach “Inkling connections”/,
    );
    expect(mirrorRows(dataSourceId).map((r) => r.Name)).toEqual(['First']);

    // Notion recovers: within the next retry the mirror catches up.
    world.sandbox.faults.clear();
    await waitFor(
      () => {
        const rows = mirrorRows(dataSourceId);
        return rows.length === 1 && rows[0]?.Name === 'Second' && rows[0]?.Status === 'done';
      },
      'the mirror to catch up',
      75_000,
    );
    expect(world.sandbox.notion.getPage(String(first.id))).toMatchObject({ in_trash: true });
    const ids = world.sandbox.notion
      .queryRows(dataSourceId)
      .map((r) => rowCells(r, ['Connection ID'])['Connection ID']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is imported on a fresh profile', async () => {
    const dataSourceId = await createConnectionsDatabase();
    await runOnPage('Imported page', 'Write a post');
    await runOnTopics();
    await waitFor(
      () => mirrorRows(dataSourceId).filter((r) => r.Status === 'done').length === 2,
      'both runs in Notion',
      30_000,
    );
    const settings = (await readExtensionStorage(world)).settings;

    const fresh = await launch({ sandbox: world.sandbox });
    try {
      await configure(fresh);
      const worker = await fresh.worker();
      await worker.evaluate(
        (s) =>
          chrome.storage.local.get('settings').then((v) =>
            chrome.storage.local.set({
              settings: { ...(v.settings as object), connectionsDatabase: s.connectionsDatabase },
            }),
          ),
        settings as { connectionsDatabase: unknown },
      );
      const tab = await openPopup(fresh);
      await click(tab, 'Connections', 'tab');
      await click(tab, 'Import from connections database');
      const status = await waitFor(
        () =>
          tab
            .$eval('.connections [role="status"]:last-child', (e) =>
              e.textContent === 'Importing…' ? '' : e.textContent,
            )
            .catch(() => ''),
        'the import to finish',
      );
      expect(status).toBe('Imported 2 connections from your connections database.');
      expect((await connectionNames(tab)).toSorted()).toEqual(['Imported page', 'Topics']);
      // Resuming an imported database connection restores its prompt.
      await click(tab, 'Open Topics');
      await waitFor(
        () =>
          tab
            .$eval('textarea', (t) => (t as HTMLTextAreaElement).value === 'Translate the topic to Japanese')
            .catch(() => false),
        'the restored prompt',
      );
    } finally {
      await fresh.close();
    }
  });
});

describe('The Connections tab', () => {
  it('sorts, filters and searches, and resumes a connection where it was left', async () => {
    await runOnPage('Alpha notes', 'Write alpha');
    await runOnTopics();
    await runOnPage('Zeta essay', 'Write zeta');
    const tab = await popup('Connections');
    await waitFor(() => connectionNames(tab).then((n) => n.length === 3), 'three connections');
    expect(await connectionNames(tab)).toEqual(['Zeta essay', 'Topics', 'Alpha notes']);
    // Engines by the names Settings gives them, counts in their plural forms.
    const details = await tab.$$eval('.connection__details', (els) => els.map((e) => e.textContent ?? ''));
    expect(details.every((d) => d.includes('· Gemini · gemini-3.8-flash'))).toBe(true);
    expect(details.join(' ')).not.toMatch(/\bgemini gemini|\b1 rows\b/);
    // The ••• button is styled as the panel's icon buttons, not the browser's grey box.
    const more = await tab.$eval(byLabel(tab, '••• Topics'), (button) => {
      const style = getComputedStyle(button);
      return { border: style.borderTopStyle, background: style.backgroundColor };
    });
    expect(more).toEqual({ border: 'none', background: 'rgba(0, 0, 0, 0)' });
    await tab.select(byLabel(tab, 'Sort by'), 'name');
    expect(await connectionNames(tab)).toEqual(['Alpha notes', 'Topics', 'Zeta essay']);
    await tab.select(byLabel(tab, 'Type'), 'database');
    expect(await connectionNames(tab)).toEqual(['Topics']);
    await tab.select(byLabel(tab, 'Type'), 'all');
    await typeInto(tab, 'Search connections', 'zeta');
    expect(await connectionNames(tab)).toEqual(['Zeta essay']);
    await typeInto(tab, 'Search connections', '');
    await tab.select(byLabel(tab, 'Status'), 'failed');
    expect(await connectionNames(tab)).toEqual([]);
    await tab.select(byLabel(tab, 'Status'), 'done');
    expect(await connectionNames(tab)).toHaveLength(3);

    // With no tab showing it, a connection resumes in Create.
    for (const page of pages) if (page.url().startsWith('https://www.notion.so/')) await page.close();
    await click(tab, 'Open Topics');
    await tab.waitForSelector('[data-testid="target"][data-kind="database"]');
    expect(await tab.$eval(byLabel(tab, 'Notion URL'), (e) => (e as HTMLInputElement).value)).toContain(
      FIXTURES.topicsDatabaseId.replace(/-/g, ''),
    );
    expect(await tab.$eval(byLabel(tab, 'Connection name'), (e) => (e as HTMLInputElement).value)).toBe('Topics');
    await waitFor(
      () => tab.$eval('textarea', (t) => (t as HTMLTextAreaElement).value === 'Translate the topic to Japanese'),
      'the prompt',
    );
    // The run's status shows too: the connection's last run, done.
    await runStatus(tab, 'Done', 15_000, '.popup');
  });

  it('resumes a connection in the panel of the tab that shows its page, with its prompt, as that connection', async () => {
    const id = await runOnPage('Beta notes', 'Write beta');
    const notion = pages.find((p) => p.url().includes(id.replace(/-/g, '')))!;
    await click(notion, 'Close Inkling');
    await notion.waitForSelector('::-p-aria(Open Inkling)');
    const tab = await popup('Connections');
    await click(tab, 'Open Beta notes');
    // The panel opens in that tab on the connection: its prompt, its last run.
    await waitFor(
      () =>
        notion.$eval('inkling-panel', (host) => {
          const prompt = host.shadowRoot?.querySelector('textarea') as HTMLTextAreaElement | null;
          return prompt?.value === 'Write beta';
        }),
      'the panel resumed on the connection',
    );
    await runStatus(notion, 'Done');
    // A run from there belongs to the same connection: still one connection for the page, now with 2 runs.
    world.sandbox.models.script({ text: 'More, written for you.' });
    await click(notion, 'Generate');
    await waitFor(
      () => world.sandbox.notion.getBlockTree(id).some((b) => JSON.stringify(b).includes('More, written')),
      'the second answer in the page',
    );
    await runStatus(notion, 'Done');
    const connections = Object.values(
      (await readExtensionStorage(world)).connections as Record<string, { targetId: string; name: string }>,
    ).filter((c) => c.targetId === id);
    expect(connections.map((c) => c.name)).toEqual(['Beta notes']);
  });
});

describe('Sample targets', () => {
  it('creates the sample page and the sample database, connected and ready to run', async () => {
    const create = await popup('Create');
    await click(create, 'Create sample page');
    await typeInto(create, 'Parent page', 'Playground');
    await click(create, 'Create the sample page under Inkling Playground');
    await create.waitForSelector('[data-testid="target"][data-kind="page"]');
    world.sandbox.models.script({ text: '## Notion\n\nA blog post.' });
    await click(create, 'Generate');
    await runStatus(create, 'Done', 30_000, '.popup');
    const samplePage = world.sandbox.notion
      .sidebarIds()
      .map((id) => world.sandbox.notion.resolveTitle(id))
      .find((t) => t?.title === 'Inkling sample page');
    expect(samplePage).toBeTruthy();

    await click(create, 'Create', 'tab');
    await create.select(byLabel(create, 'Type'), 'database');
    await click(create, 'Create sample database');
    await typeInto(create, 'Parent page', 'Playground');
    await click(create, 'Create the sample database under Inkling Playground');
    await create.waitForSelector('[data-testid="target"][data-kind="database"]');
    await waitFor(
      () =>
        create
          .$eval('[aria-label="Rows"]', (e) => e.textContent?.includes('Social media is a boon'))
          .catch(() => false),
      'the sample rows',
    );
    await click(create, 'Generate');
    await create.waitForSelector('[data-testid="estimate"]');
    await click(create, 'Start');
    await runStatus(create, 'Done', 30_000, '.popup');
    const connections = Object.values(
      (await readExtensionStorage(world)).connections as Record<string, { name: string }>,
    ).map((c) => c.name);
    expect(connections.toSorted()).toEqual(['Inkling sample database', 'Inkling sample page']);
  });
});
