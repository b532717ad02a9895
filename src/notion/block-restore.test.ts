import type { RichTextItemResponse } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { toBlockTree } from './block-restore';
import type { ReadBlock } from './read-blocks';

const defaults = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
} as const;

function rt(
  content: string,
  annotations: Partial<RichTextItemResponse['annotations']> = {},
  href: string | null = null,
): RichTextItemResponse {
  return {
    type: 'text',
    text: { content, link: href ? { url: href } : null },
    annotations: { ...defaults, ...annotations },
    plain_text: content,
    href,
  };
}

function block(
  type: string,
  data: Record<string, unknown>,
  children?: ReadBlock[],
  id = 'c0ffee00-0000-4000-8000-000000000001',
): ReadBlock {
  return {
    object: 'block',
    id,
    type,
    [type]: data,
    parent: { type: 'page_id', page_id: 'p' },
    created_time: '2026-11-22T00:00:00.000Z',
    last_edited_time: '2026-11-22T00:00:00.000Z',
    created_by: { object: 'user', id: 'u' },
    last_edited_by: { object: 'user', id: 'u' },
    has_children: (children?.length ?? 0) > 0,
    in_trash: false,
    archived: false,
    ...(children ? { children } : {}),
  } as unknown as ReadBlock;
}

describe('toBlockTree', () => {
  it('drops ids, timestamps and other read-only fields, keeping annotations, colors and links', () => {
    const read = block('paragraph', {
      rich_text: [rt('Hi ', { bold: true, color: 'red' }), rt('there', {}, 'https://x.example')],
      color: 'blue_background',
      icon: null,
    });
    expect(toBlockTree(read)).toEqual({
      type: 'paragraph',
      paragraph: {
        rich_text: [
          { type: 'text', text: { content: 'Hi ' }, annotations: { ...defaults, bold: true, color: 'red' } },
          { type: 'text', text: { content: 'there', link: { url: 'https://x.example' } }, annotations: defaults },
        ],
        color: 'blue_background',
      },
    });
    expect(JSON.stringify(toBlockTree(read))).not.toMatch(/created_time|has_children|plain_text|"id"|href|in_trash/);
  });

  it('brings children along recursively, to any depth', () => {
    const leaf = block('to_do', { rich_text: [rt('leaf')], checked: true, color: 'default' });
    const read = block('bulleted_list_item', { rich_text: [rt('a')], color: 'default' }, [
      block('numbered_list_item', { rich_text: [rt('b')], color: 'default', list_start_index: 1 }, [
        block('toggle', { rich_text: [rt('c')], color: 'default' }, [leaf]),
      ]),
    ]);
    expect(toBlockTree(read)).toEqual({
      type: 'bulleted_list_item',
      bulleted_list_item: {
        rich_text: [{ type: 'text', text: { content: 'a' }, annotations: defaults }],
        color: 'default',
        children: [
          {
            type: 'numbered_list_item',
            numbered_list_item: {
              rich_text: [{ type: 'text', text: { content: 'b' }, annotations: defaults }],
              color: 'default',
              children: [
                {
                  type: 'toggle',
                  toggle: {
                    rich_text: [{ type: 'text', text: { content: 'c' }, annotations: defaults }],
                    color: 'default',
                    children: [
                      {
                        type: 'to_do',
                        to_do: {
                          rich_text: [{ type: 'text', text: { content: 'leaf' }, annotations: defaults }],
                          color: 'default',
                          checked: true,
                        },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ],
      },
    });
  });

  it('restores code, equations, headings, callouts and tables', () => {
    expect(
      toBlockTree(block('code', { rich_text: [rt('x')], language: 'python', caption: [rt('cap')] })),
    ).toMatchObject({
      type: 'code',
      code: { language: 'python', caption: [{ text: { content: 'cap' } }] },
    });
    expect(toBlockTree(block('equation', { expression: 'a^2' }))).toEqual({
      type: 'equation',
      equation: { expression: 'a^2' },
    });
    expect(toBlockTree(block('heading_2', { rich_text: [], color: 'default', is_toggleable: true }))).toEqual({
      type: 'heading_2',
      heading_2: { rich_text: [], color: 'default', is_toggleable: true },
    });
    expect(
      toBlockTree(block('callout', { rich_text: [], color: 'gray_background', icon: { type: 'emoji', emoji: '💡' } })),
    ).toEqual({
      type: 'callout',
      callout: { rich_text: [], color: 'gray_background', icon: { type: 'emoji', emoji: '💡' } },
    });
    const table = block('table', { table_width: 2, has_column_header: true, has_row_header: false }, [
      block('table_row', { cells: [[rt('a')], []] }),
    ]);
    expect(toBlockTree(table)).toEqual({
      type: 'table',
      table: {
        table_width: 2,
        has_column_header: true,
        has_row_header: false,
        children: [
          {
            type: 'table_row',
            table_row: { cells: [[{ type: 'text', text: { content: 'a' }, annotations: defaults }], []] },
          },
        ],
      },
    });
  });

  it('keeps mentions and turns link mentions into links', () => {
    const mentionPage: RichTextItemResponse = {
      type: 'mention',
      mention: { type: 'page', page: { id: 'page-id' } },
      annotations: { ...defaults },
      plain_text: 'Roadmap',
      href: 'https://www.notion.so/pageid',
    };
    const mentionDate: RichTextItemResponse = {
      type: 'mention',
      mention: { type: 'date', date: { start: '2026-03-09', end: null, time_zone: null } },
      annotations: { ...defaults },
      plain_text: 'March 9, 2026',
      href: null,
    };
    const linkMention: RichTextItemResponse = {
      type: 'mention',
      mention: { type: 'link_mention', link_mention: { href: 'https://github.com/x' } },
      annotations: { ...defaults },
      plain_text: 'github.com/x',
      href: 'https://github.com/x',
    };
    const restored = toBlockTree(
      block('paragraph', { rich_text: [mentionPage, mentionDate, linkMention], color: 'default', icon: null }),
    );
    expect(restored.type === 'paragraph' && restored.paragraph.rich_text).toEqual([
      { type: 'mention', mention: { page: { id: 'page-id' } }, annotations: defaults },
      { type: 'mention', mention: { date: { start: '2026-03-09' } }, annotations: defaults },
      { type: 'text', text: { content: 'github.com/x', link: { url: 'https://github.com/x' } }, annotations: defaults },
    ]);
  });

  it('recreates what cannot be appended as the closest thing that can', () => {
    expect(toBlockTree(block('child_page', { title: 'Sub' }, undefined, 'page-123'))).toEqual({
      type: 'link_to_page',
      link_to_page: { page_id: 'page-123' },
    });
    expect(toBlockTree(block('child_database', { title: 'DB' }, undefined, 'db-1'))).toEqual({
      type: 'link_to_page',
      link_to_page: { database_id: 'db-1' },
    });
    expect(
      toBlockTree(
        block('image', { type: 'file', file: { url: 'https://s3.example/i.png', expiry_time: 'x' }, caption: [] }),
      ),
    ).toEqual({
      type: 'image',
      image: { type: 'external', external: { url: 'https://s3.example/i.png' }, caption: [] },
    });
    expect(toBlockTree(block('link_preview', { url: 'https://figma.com/f' }))).toEqual({
      type: 'bookmark',
      bookmark: { url: 'https://figma.com/f' },
    });
    const unsupported = toBlockTree(block('unsupported', { block_type: 'form' }));
    expect(unsupported.type === 'paragraph' && unsupported.paragraph.rich_text[0]).toMatchObject({
      text: { content: expect.stringContaining('form') },
    });
  });
});
