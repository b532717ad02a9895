// A page write at Notion's pace: a long article with nesting, a table and code, written by the page
// writer, against the fewest append requests Notion's limits allow for it (block-plan.ts).
import { describe, expect, it } from 'vitest';
import { writeBlocks } from '../../src/notion/block-writer.ts';
import { blockWriteIo } from '../../src/notion/block-io.ts';
import { minimumRequests } from '../../src/notion/block-plan.ts';
import { markdownToBlocks } from '../../src/notion/markdown-to-blocks.ts';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { startJobWorld } from '../sandbox/job-world.ts';
import { measure, NOTION_RPS, ratio } from './bench-world.ts';

/** About 700 blocks: sections of paragraphs, lists nested three deep, a table and a code block each. */
function article(sections: number): string {
  return Array.from({ length: sections }, (_, s) =>
    [
      `## Part ${s + 1}`,
      ...Array.from(
        { length: 6 },
        (_unused, p) => `Paragraph ${p + 1} of part ${s + 1}, with **bold** and a [link](https://example.com/${s}).`,
      ),
      ...Array.from({ length: 4 }, (_unused, i) => `- Point ${i + 1}\n  - Detail\n    - Finer detail`),
      '| A | B |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |',
      '```ts\nconst part = ' + s + ';\n```',
    ].join('\n\n'),
  ).join('\n\n');
}

describe('bench', () => {
  it('page write', async () => {
    const world = await startJobWorld({
      notionRequestsPerSecond: NOTION_RPS,
      notionBurst: NOTION_RPS,
      pacerRequestsPerSecond: NOTION_RPS,
    });
    const blocks = markdownToBlocks(article(30));
    const ctx = world.context();
    let requests = 0;
    const figures = await measure(world, async () => {
      const result = await writeBlocks(FIXTURES.playgroundPageId, blocks, blockWriteIo(ctx.notion, ctx.notionWith));
      expect(result.failure).toBeUndefined();
      requests = result.requests;
    });
    const minimum = minimumRequests(blocks);
    const appends = figures.byRoute['PATCH /v1/blocks/:id/children'] ?? 0;
    console.log(
      `bench page write ${blocks.length} top-level blocks 3 rps: ${appends} appends vs minimum ${minimum} (${ratio(appends / minimum)}), ` +
        `${figures.requests} requests in all, ${ratio(figures.seconds / (figures.requests / NOTION_RPS))} × bound, 429s ${figures.rateLimited}`,
    );
    expect(requests).toBe(appends);
    await world.close();
  });
});
