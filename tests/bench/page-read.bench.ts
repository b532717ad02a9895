// `npm run bench`: a {{page}} run, where every row's page is read for the prompt. Notion's Markdown
// endpoint reads a page in one request; reading its blocks takes one more for every block with children.
// Both are counted over the same pages in one run, and the run itself is timed against its bound.
import { describe, expect, it } from 'vitest';
import { readBlockTree } from '../../src/notion/read-blocks.ts';
import { MEETING_NOTE } from '../sandbox/notion/fixtures.ts';
import { benchWorld, measure, NOTION_RPS, ratio, runInkling } from './bench-world.ts';

const ROWS = Number(process.env.BENCH_PAGE_ROWS ?? 30);

describe('bench page reads', () => {
  it(`{{page}} run over ${ROWS} meeting notes`, async () => {
    const world = await benchWorld(ROWS, 300);
    const rows = world.notion.queryRows(world.dataSourceId).map((row) => String(row.id));
    for (const id of rows) world.notion.appendBlocks(id, MEETING_NOTE);

    const run = await measure(world, () => runInkling(world, { template: 'Summarise this note: {{page}}' }));
    const reads = run.byRoute['GET /v1/pages/:id/markdown'] ?? 0;
    // What the same reads cost through the blocks, counted on the same pages by the same paced client.
    const client = world.client();
    const byBlocks = await measure(world, async () => {
      for (const id of rows) await readBlockTree(client, id);
    });
    // The bound of this run: a read and a write a row, and its queries, at Notion's rate.
    const bound = (2 * ROWS + Math.ceil(ROWS / 40)) / NOTION_RPS;
    console.log(
      [
        `bench page reads ${ROWS} rows 3 rps:`,
        `${ratio(reads / ROWS)} requests/row to read with the Markdown endpoint vs ${ratio(byBlocks.requests / ROWS)} by blocks`,
        `(${(byBlocks.requests / reads).toFixed(1)}× fewer);`,
        `run ${ratio(run.seconds / bound)} × its bound, requests/row ${ratio(run.requests / ROWS)}, 429s ${run.rateLimited}`,
      ].join(' '),
    );
    await world.close();
    expect(run.writes).toBe(ROWS);
    expect(reads).toBe(ROWS);
    expect(byBlocks.requests).toBe(7 * ROWS);
    expect(run.seconds / bound).toBeLessThanOrEqual(1.1);
  });
});
