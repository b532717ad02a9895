import type { BlockObjectRequest } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, MEETING_NOTE } from '../../tests/sandbox/notion/fixtures';
import { startNotionHarness, type NotionHarness } from '../../tests/sandbox/notion/harness';
import { NOTION_VERSION } from './client';
import { SAMPLE_PNG } from '../../tests/sandbox/notion/sample-files';
import { NOTION_FILE_HOST } from './files';
import { hostedImages, readPageMarkdown, readableMarkdown } from './page-markdown';
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

const hosted = (name: string) =>
  `https://${NOTION_FILE_HOST}/ws/file/${encodeURIComponent(name)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab`;

describe('hostedImages', () => {
  it('lists the images uploaded to Notion in order, and names them in the text instead of their addresses', () => {
    const markdown = [
      `![The lamp](${hosted('lamp (1).png')})`,
      'Some text ![](https://cdn.example/elsewhere.png) and',
      `\t![](${hosted('plan.jpg')})`,
      `![spoof](https://${NOTION_FILE_HOST}.evil.example/x.png)`,
      `![plain](http://${NOTION_FILE_HOST}/ws/file/x.png)`,
    ].join('\n');
    expect(hostedImages(markdown)).toEqual({
      markdown: [
        '![The lamp](lamp (1).png)',
        'Some text ![](https://cdn.example/elsewhere.png) and',
        '\t![](plan.jpg)',
        `![spoof](https://${NOTION_FILE_HOST}.evil.example/x.png)`,
        `![plain](http://${NOTION_FILE_HOST}/ws/file/x.png)`,
      ].join('\n'),
      images: [
        { name: 'lamp (1).png', url: hosted('lamp (1).png') },
        { name: 'plan.jpg', url: hosted('plan.jpg') },
      ],
    });
  });

  it('names any other file uploaded to the page instead of its signed address', () => {
    expect(hostedImages(`<pdf src="${hosted('plan.pdf')}"></pdf> and [notes](${hosted('notes.txt')})`)).toEqual({
      markdown: '<pdf src="plan.pdf"></pdf> and [notes](notes.txt)',
      images: [],
    });
  });

  it('leaves text without images as it is', () => {
    expect(hostedImages('no [link](https://x.example) here')).toEqual({
      markdown: 'no [link](https://x.example) here',
      images: [],
    });
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

  it('gives the page’s uploaded images with addresses signed for this read, and their names in the text', async () => {
    const client = h.client(FIXTURES.token, { notionVersion: NOTION_VERSION });
    const pageId = h.api.createPage({ title: 'Product', children: [] });
    const image = h.api.appendImageFile(pageId, { name: 'lamp.png', mimeType: 'image/png', bytes: SAMPLE_PNG });
    h.api.expireFileUrls();
    const { markdown, images } = await readPageMarkdown(client, pageId);
    expect(markdown).toBe('![](lamp.png)');
    expect(images).toEqual([{ name: 'lamp.png', url: expect.stringContaining(image.key) }]);
    expect((await h.fetchFile(images[0]!.url)).status).toBe(200);
  });
});
