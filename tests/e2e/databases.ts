// Databases for E2E: a mixed-type database seeded in the sandbox, rows read back as plain values,
// and the panel's Output property choices.
import type { Page } from 'puppeteer-core';
import type { PageObject } from '../sandbox/notion/index.ts';
import type { World } from './harness.ts';

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

export const MIXED_COLUMNS = ['Name', 'Topic', 'Generate', 'Summary', 'Category', 'Tags', 'Score', 'Due', 'Done'] as const;

/** A database with every kind of output: text, select with options, multi-select, number, date, checkbox. */
export function mixedDatabase(world: World, rows: number, title = `Catalogue ${Date.now()}`) {
  const db = world.sandbox.notion.createDatabase({
    title,
    properties: {
      Name: 'title',
      Topic: 'rich_text',
      Generate: 'checkbox',
      Summary: 'rich_text',
      Category: { select: { options: [{ name: 'Red', color: 'red' }, { name: 'Green', color: 'green' }, { name: 'Blue', color: 'blue' }] } },
      Tags: { multi_select: { options: [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma' }] } },
      Score: { number: { format: 'number' } },
      Due: 'date',
      Done: 'checkbox',
    },
    rows: Array.from({ length: rows }, (_, i) => ({ Name: `Item ${i + 1}`, Topic: `Topic number ${i + 1}`, Generate: true })),
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
