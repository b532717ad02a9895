// Reading a database's rows through the real SDK against the in-process Notion API: windows past the
// 10,000-results cap, and the clear stop when a window cannot move on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotionHarness, type NotionHarness } from '../../tests/sandbox/notion/harness.ts';
import { InklingError } from '../shared/problem';
import { FIRST_ROWS, type RowsPosition } from '../shared/notion-shapes';
import { QUERY_CAP_PROBLEM, readRowsAt } from './rows';

let h: NotionHarness;

beforeAll(async () => {
  h = await startNotionHarness();
});
afterAll(() => h.close());

const MINUTE = 60_000;
const START = Date.parse('2026-01-01T00:00:00Z');

async function readAll(
  dataSourceId: string,
  filter?: Parameters<typeof readRowsAt>[2],
): Promise<{ ids: string[]; queries: number }> {
  const client = h.client();
  const ids: string[] = [];
  let at: RowsPosition | null = FIRST_ROWS;
  let queries = 0;
  while (at) {
    const read = await readRowsAt(client, dataSourceId, filter, at);
    queries++;
    ids.push(...read.rows.map((row) => row.id));
    at = read.next;
  }
  return { ids, queries };
}

describe('readRowsAt', () => {
  it('reads past the 10,000-results cap in created_time windows: every row, none skipped', async () => {
    // 10,050 rows entered over a week (two a minute), as a real database grows.
    const rows = Array.from({ length: 10_050 }, (_, i) => ({ Name: `Row ${i + 1}`, Done: i % 3 === 0 }));
    const db = h.api.createDatabase({
      title: 'Big',
      properties: { Name: 'title', Done: 'checkbox' },
      rows,
      rowsCreatedAt: (i) => START + Math.floor(i / 2) * MINUTE,
    });
    const { ids, queries } = await readAll(db.dataSourceId);
    // The second window starts in the minute the first one ended: its first rows come again.
    expect(new Set(ids)).toEqual(new Set(db.rowIds));
    expect(ids.length - new Set(ids).size).toBe(2);
    // 100 full pages up to the cap, then one page for the rest (the last minute's 2 rows and 50 more).
    expect(queries).toBe(101);
    // A filter keeps working across windows.
    const ticked = await readAll(db.dataSourceId, { property: 'Done', checkbox: { equals: true } });
    expect(new Set(ticked.ids)).toEqual(new Set(db.rowIds.filter((_, i) => i % 3 === 0)));
  }, 120_000);

  it('says clearly that it cannot go on when more than 10,000 rows were created in the same minute', async () => {
    const rows = Array.from({ length: 10_010 }, (_, i) => ({ Name: `Row ${i + 1}` }));
    const db = h.api.createDatabase({
      title: 'Imported at once',
      properties: { Name: 'title' },
      rows,
      rowsCreatedAt: () => START,
    });
    const error = await readAll(db.dataSourceId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InklingError);
    expect((error as InklingError).problem).toBe(QUERY_CAP_PROBLEM);
    expect(QUERY_CAP_PROBLEM.message).toContain('10,000');
  }, 120_000);
});
