import type { BlockObjectRequest } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, MEETING_NOTE } from '../../tests/sandbox/notion/fixtures';
import { startNotionHarness, type NotionHarness } from '../../tests/sandbox/notion/harness';
import { NOTION_VERSION } from './client';
import { readPageMarkdown, readableMarkdown } from './page-markdown';
import { readBlockTree } from './read-blocks';

describe('readableMarkdown', () => {
  it.each([
    ['Costs **\\$5 \\* 2**', 'Costs **$5 * 2**'],
    ['a \\[link\\] \\<tag\\> \\{x\\} a\\|b x\\^2 \\~ \\` \\\\', 'a [link] <tag> {x} a|b x^2 ~ ` \\'],
    ['one<br>two<br/>three', 'one\ntwo\nthree'],
    ['keep `a\\*b` in code', 'keep `a\\*b` in code'],
    ['```js\nconst a = "\\$";\n```\nafter \\$', '```js\nconst a = "\\$";\n```\nafter $'],
    ['\t- nested \\*', '\t- nested *'],
    ['inline math $a \\{b\\}$ and \\$5', 'inline math $a \\{b\\}$ and $5'],
    ['$$\n\\frac{a}{b} \\{c\\}\n$$\nafter \\*', '$$\n\\frac{a}{b} \\{c\\}\n$$\nafter *'],
  ])('%j reads as %j', (notion, readable) => {
    expect(readableMarkdown(notion)).toBe(readable);
  });
});

describe('reading a page as context', () => {
  let h: NotionHarness;
  beforeAll(async () => {
    h = await startNotionHarness();
  });
  afterAll(() => h.close());

  it('takes one request where reading the blocks takes one per block with children (measured)', async () => {
    const client = h.client(FIXTURES.token, { notionVersion: NOTION_VERSION });
    const pageId = h.api.createPage({ title: 'Meeting', children: MEETING_NOTE as BlockObjectRequest[] });

    h.api.clearRequestLog();
    await readBlockTree(client, pageId);
    const byBlocks = h.api.requestLog.length;
    h.api.clearRequestLog();
    const { markdown, truncated } = await readPageMarkdown(client, pageId);
    const byMarkdown = h.api.requestLog.length;

    // 1 for the page, 1 for each toggle, 1 for each first bullet: 7 against 1.
    expect({ byBlocks, byMarkdown }).toEqual({ byBlocks: 7, byMarkdown: 1 });
    expect(truncated).toBe(false);
    expect(markdown).toContain('Budget: costs $5 * 2');
    expect(markdown).toContain('<summary>Hiring</summary>');
    expect(markdown).toContain('\t\twhy');
  });
});
