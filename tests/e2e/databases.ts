// Databases for E2E: the seed's Topics database and a mixed-type one seeded in the sandbox, rows read
// back as plain values, the panel's run set-up, and what the sandbox and extension storage saw.
import type { Page } from 'puppeteer-core';
import type { PageObject, SeedRow } from '../sandbox/notion/index.ts';
import { databaseHref } from '../sandbox/site/index.ts';
import {
  click,
  openNotion,
  openPanel,
  panelText,
  readExtensionStorage,
  typeInto,
  waitFor,
  type World,
} from './harness.ts';

type Cell = string | number | boolean | null;

/** A row's cells as plain values: text, select name, multi-select "a, b", number, checkbox, date start. */
export function rowCells(row: PageObject, names: readonly string[]): Record<string, Cell> {
  const properties = (row as { properties: Record<string, Record<string, unknown>> }).properties;
  return Object.fromEntries(
    names.map((name) => {
      const value = properties[name] ?? {};
      const data = value[value.type as string];
      switch (value.type) {
        case 'title':
        case 'rich_text':
          return [name, (data as Array<{ plain_text: string }>).map((t) => t.plain_text).join('')];
        case 'select':
        case 'status':
          return [name, (data as { name: string } | null)?.name ?? ''];
        case 'multi_select':
          return [name, (data as Array<{ name: string }>).map((o) => o.name).join(', ')];
        case 'date':
          return [name, (data as { start: string } | null)?.start ?? ''];
        default:
          return [name, (data as Cell) ?? null];
      }
    }),
  );
}

export const MIXED_COLUMNS = [
  'Name',
  'Topic',
  'Generate',
  'Summary',
  'Category',
  'Tags',
  'Score',
  'Due',
  'Done',
] as const;

/** A database with every kind of output: text, select with options, multi-select, number, date, checkbox. */
export function mixedDatabase(world: World, rows: number, title = `Catalogue ${Date.now()}`) {
  const db = world.sandbox.notion.createDatabase({
    title,
    properties: {
      Name: 'title',
      Topic: 'rich_text',
      Generate: 'checkbox',
      Summary: 'rich_text',
      Category: {
        select: {
          options: [
            { name: 'Red', color: 'red' },
            { name: 'Green', color: 'green' },
            { name: 'Blue', color: 'blue' },
          ],
        },
      },
      Tags: { multi_select: { options: [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma' }] } },
      Score: { number: { format: 'number' } },
      Due: 'date',
      Done: 'checkbox',
    },
    rows: Array.from({ length: rows }, (_, i) => ({
      Name: `Item ${i + 1}`,
      Topic: `Topic number ${i + 1}`,
      Generate: true,
    })),
  });
  return {
    ...db,
    title,
    rows: () => world.sandbox.notion.queryRows(db.dataSourceId).map((row) => rowCells(row, MIXED_COLUMNS)),
  };
}

/** Ticks exactly these columns under "Output property" in the panel. */
export async function setOutputs(page: Page, names: readonly string[]): Promise<void> {
  await page.$eval(
    'inkling-panel',
    (host, wanted) => {
      const fieldset = host.shadowRoot!.querySelector('fieldset[aria-label="Output property"]')!;
      for (const label of fieldset.querySelectorAll(':scope > div > div.check > label')) {
        const box = label.querySelector('input') as HTMLInputElement;
        if (box.checked !== wanted.includes(label.textContent?.trim() ?? '')) box.click();
      }
    },
    [...names],
  );
}

export interface TopicsOptions {
  title?: string;
  count?: number;
  /** Which rows are ticked (to run); default: three in four. */
  ticked?: (index: number) => boolean;
  /** Other values of a row (Output filled before the run, say). */
  extra?: (index: number) => SeedRow;
  /** When each row was created (a database filled over time). */
  rowsCreatedAt?: (index: number) => number;
}

/** The seed's Topics database: Topic, Generate (ticks the rows to run), Output, Category. */
export function topicsDatabase(world: World, options: TopicsOptions = {}) {
  const { title = `Topics ${Date.now()}`, count = 40, ticked = (i: number) => i % 4 !== 3 } = options;
  const rows = Array.from({ length: count }, (_, i) => ({
    Topic: `Topic ${String(i + 1).padStart(2, '0')}`,
    Generate: ticked(i),
    ...options.extra?.(i),
  }));
  const db = world.sandbox.notion.createDatabase({
    title,
    properties: {
      Topic: 'title',
      Generate: 'checkbox',
      Output: 'rich_text',
      Category: { select: { options: [{ name: 'Easy' }, { name: 'Hard' }] } },
    },
    rows,
    ...(options.rowsCreatedAt ? { rowsCreatedAt: options.rowsCreatedAt } : {}),
  });
  return {
    ...db,
    title,
    ticked: new Set(db.rowIds.filter((_, i) => rows[i]!.Generate)),
    cells: () =>
      world.sandbox.notion.queryRows(db.dataSourceId).map(
        (r) =>
          ({ id: r.id as string, ...rowCells(r, ['Topic', 'Generate', 'Output', 'Category']) }) as {
            id: string;
            Topic: string;
            Generate: boolean;
            Output: string;
            Category: string;
          },
      ),
  };
}

export type Topics = ReturnType<typeof topicsDatabase>;

/** Opens the database in a tab with the panel, and writes the prompt (the seed's has no placeholder). */
export async function openAndSetUp(
  world: World,
  pages: Page[],
  db: Topics,
  prompt = 'Translate the topic to Japanese',
): Promise<Page> {
  const page = await openNotion(world, databaseHref(db.databaseId));
  pages.push(page);
  await openPanel(page, db.title);
  await typeInto(page, 'Prompt', prompt);
  return page;
}

/** Generate, then Start once the estimate shows. */
export async function startRun(page: Page): Promise<void> {
  await click(page, 'Generate');
  await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
  await click(page, 'Start');
}

/** Row writes the sandbox applied, per row id (it logs what it applied, even when the answer was lost on the way). */
export function appliedWrites(world: World, rowIds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of world.sandbox.notion.requestLog) {
    if (entry.route !== 'PATCH /v1/pages/:id' || entry.status !== 200) continue;
    const id = entry.path.split('/').pop()!;
    const row = rowIds.find((r) => r.replace(/-/g, '') === id.replace(/-/g, ''));
    if (row) counts.set(row, (counts.get(row) ?? 0) + 1);
  }
  return counts;
}

export interface StoredJob {
  id: string;
  status: string;
  chunks: number;
  counts: { total: number; written: number; pending: number; generated: number; failed: number; skipped: number };
  problem?: { message: string };
}

export interface StoredRow {
  id: string;
  title: string;
  state: string;
  sentAt?: number;
  reason?: string;
}

/** The run stored in the extension (the only one), and its rows. */
export async function storedRun(world: World): Promise<{ job: StoredJob | undefined; rows: StoredRow[] }> {
  const stored = await readExtensionStorage(world);
  const key = Object.keys(stored).find((k) => k.startsWith('job:'));
  const job = key ? (stored[key] as StoredJob) : undefined;
  const rows = Object.entries(stored)
    .filter(([k]) => k.startsWith('jobrows:'))
    .toSorted(([a], [b]) => Number(a.split(':')[2]) - Number(b.split(':')[2]))
    .flatMap(([, v]) => v as StoredRow[]);
  return { job, rows };
}
