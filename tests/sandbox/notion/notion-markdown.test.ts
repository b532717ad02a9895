// GET /v1/pages/{id}/markdown through the real @notionhq/client: the whole page in Notion's own dialect,
// in one request however deep the page is.
import type { BlockObjectRequest, Client } from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES } from './fixtures.ts';
import { startNotionHarness, type NotionHarness } from './harness.ts';

let h: NotionHarness;
let notion: Client;

beforeAll(async () => {
  h = await startNotionHarness();
  notion = h.client(FIXTURES.token, { notionVersion: '2026-03-11' });
});
afterAll(() => h.close());
beforeEach(() => {
  h.api.reset();
  h.api.clearRequestLog();
});

const text = (content: string, annotations: Record<string, boolean> = {}) => [
  { type: 'text' as const, text: { content }, annotations },
];

const NESTED_PAGE: BlockObjectRequest[] = [
  { heading_2: { rich_text: text('Plan') } },
  { paragraph: { rich_text: [...text('Costs '), ...text('$5 * 2', { bold: true }), ...text('\nnext line')] } },
  {
    bulleted_list_item: {
      rich_text: text('Step one'),
      children: [
        {
          bulleted_list_item: {
            rich_text: text('detail'),
            children: [{ to_do: { rich_text: text('check'), checked: true } }],
          },
        },
      ],
    },
  },
  { toggle: { rich_text: text('More'), children: [{ paragraph: { rich_text: text('hidden') } }] } },
  { code: { rich_text: text('a < b * c'), language: 'python' } },
  {
    table: {
      table_width: 2,
      has_column_header: true,
      children: [{ table_row: { cells: [text('k'), text('v')] } }],
    },
  },
  { bookmark: { url: 'https://example.com' } },
];

describe('GET /v1/pages/{id}/markdown', () => {
  it('serves the page in Notion’s dialect: tabs for children, escapes, <br>, <details>, <table>, <unknown/>', async () => {
    const pageId = h.api.createPage({ title: 'Nested', children: NESTED_PAGE });
    const answer = await notion.pages.retrieveMarkdown({ page_id: pageId });
    expect(answer).toMatchObject({ object: 'page_markdown', id: pageId, truncated: false });
    expect(answer.markdown.split('\n')).toEqual([
      '## Plan',
      'Costs **\\$5 \\* 2**<br>next line',
      '- Step one',
      '\t- detail',
      '\t\t- [x] check',
      '<details>',
      '<summary>More</summary>',
      '\thidden',
      '</details>',
      '```python',
      'a < b * c',
      '```',
      '<table>',
      '\t<tr><td>k</td><td>v</td></tr>',
      '</table>',
      '<unknown alt="bookmark"/>',
    ]);
    expect(answer.unknown_block_ids).toHaveLength(1);
  });

  it('answers in one request however deep the page, where reading its blocks takes one per parent', async () => {
    const pageId = h.api.createPage({ title: 'Nested', children: NESTED_PAGE });
    await notion.pages.retrieveMarkdown({ page_id: pageId });
    expect(h.api.requestCounts).toEqual({ 'GET /v1/pages/:id/markdown': 1 });
  });

  it('names a page it cannot see as Notion does', async () => {
    const hidden = h.api.createPage({ title: 'Private', shared: false });
    await expect(notion.pages.retrieveMarkdown({ page_id: hidden })).rejects.toMatchObject({
      code: 'object_not_found',
    });
  });
});
