import type { RichTextItemResponse } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { blocksToMarkdown, richTextToMarkdown, type ReadBlock } from './blocks-to-markdown';

type Annotations = RichTextItemResponse['annotations'];

/** A text item as the API returns it. */
function rt(content: string, annotations: Partial<Annotations> = {}, href: string | null = null): RichTextItemResponse {
  return {
    type: 'text',
    text: { content, link: href ? { url: href } : null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: 'default',
      ...annotations,
    },
    plain_text: content,
    href,
  };
}

let nextId = 1;
/** A block as the API returns it: `data` is the type-specific object; children attached. */
function block(type: string, data: Record<string, unknown>, children?: ReadBlock[]): ReadBlock {
  return {
    object: 'block',
    id: `0000000${nextId++}-aaaa-bbbb-cccc-dddddddddddd`,
    type,
    [type]: data,
    created_time: '2026-11-22T00:00:00.000Z',
    last_edited_time: '2026-11-22T00:00:00.000Z',
    has_children: (children?.length ?? 0) > 0,
    in_trash: false,
    archived: false,
    ...(children ? { children } : {}),
  } as unknown as ReadBlock;
}

const para = (...rich_text: RichTextItemResponse[]): ReadBlock =>
  block('paragraph', { rich_text, color: 'default', icon: null });
const item = (type: 'bulleted_list_item' | 'numbered_list_item', text: string, children?: ReadBlock[]): ReadBlock =>
  block(type, { rich_text: [rt(text)], color: 'default' }, children);

describe('richTextToMarkdown', () => {
  it('turns annotations and links back into Markdown', () => {
    expect(
      richTextToMarkdown([
        rt('plain '),
        rt('bold', { bold: true }),
        rt(' '),
        rt('italic', { italic: true }),
        rt(' '),
        rt('gone', { strikethrough: true }),
        rt(' '),
        rt('code', { code: true }),
        rt(' '),
        rt('link', {}, 'https://example.com'),
        rt(' '),
        rt('all', { bold: true, italic: true }, 'https://e.example'),
      ]),
    ).toBe('plain **bold** *italic* ~~gone~~ `code` [link](https://example.com) [***all***](https://e.example)');
  });

  it('keeps whitespace outside the markers and joins same-styled neighbours', () => {
    expect(richTextToMarkdown([rt('a '), rt(' bold ', { bold: true }), rt('x')])).toBe('a  **bold** x');
    expect(richTextToMarkdown([rt('one ', { bold: true }), rt('word', { bold: true })])).toBe('**one word**');
  });

  it('fences inline code that contains backticks', () => {
    expect(richTextToMarkdown([rt('a `b` c', { code: true })])).toBe('``a `b` c``');
  });

  it('writes inline equations and mentions', () => {
    const equation: RichTextItemResponse = {
      type: 'equation',
      equation: { expression: 'x^2' },
      annotations: rt('').annotations,
      plain_text: 'x^2',
      href: null,
    };
    expect(richTextToMarkdown([rt('area '), equation])).toBe('area $x^2$');
  });

  it('leaves dollar signs and other plain text unescaped', () => {
    expect(richTextToMarkdown([rt('It costs $5 and $10.')])).toBe('It costs $5 and $10.');
  });
});

describe('blocksToMarkdown', () => {
  it('renders headings, paragraphs, dividers and equations separated by blank lines', () => {
    expect(
      blocksToMarkdown([
        block('heading_1', { rich_text: [rt('Title')], color: 'default', is_toggleable: false }),
        para(rt('Intro.')),
        block('heading_4', { rich_text: [rt('Small')], color: 'default', is_toggleable: false }),
        block('divider', {}),
        block('equation', { expression: 'E=mc^2' }),
      ]),
    ).toBe('# Title\n\nIntro.\n\n#### Small\n\n---\n\n$$\nE=mc^2\n$$\n');
  });

  it('renders nested lists indented under their items, numbering consecutive items', () => {
    const markdown = blocksToMarkdown([
      item('numbered_list_item', 'one', [item('bulleted_list_item', 'a', [item('bulleted_list_item', 'deep')])]),
      item('numbered_list_item', 'two'),
      block('to_do', { rich_text: [rt('open')], checked: false, color: 'default' }),
      block('to_do', { rich_text: [rt('done')], checked: true, color: 'default' }),
    ]);
    expect(markdown).toBe('1. one\n   - a\n     - deep\n2. two\n- [ ] open\n- [x] done\n');
  });

  it('puts a blank line before non-list children of a list item', () => {
    expect(blocksToMarkdown([item('bulleted_list_item', 'step', [para(rt('More detail.'))])])).toBe(
      '- step\n\n  More detail.\n',
    );
  });

  it('renders quotes and callouts with their children', () => {
    expect(
      blocksToMarkdown([
        block('quote', { rich_text: [rt('Quoted')], color: 'default' }, [para(rt('More'))]),
        block('callout', { rich_text: [rt('Note')], color: 'default', icon: { type: 'emoji', emoji: '💡' } }),
      ]),
    ).toBe('> Quoted\n>\n> More\n\n> 💡 Note\n');
  });

  it('fences code with its language, and plain text without one', () => {
    expect(
      blocksToMarkdown([
        block('code', { rich_text: [rt('const a = 1;')], language: 'typescript', caption: [] }),
        block('code', { rich_text: [rt('has ``` inside')], language: 'plain text', caption: [] }),
      ]),
    ).toBe('```typescript\nconst a = 1;\n```\n\n````\nhas ``` inside\n````\n');
  });

  it('renders a table with its first row as the header', () => {
    const row = (...cells: string[]): ReadBlock => block('table_row', { cells: cells.map((cell) => [rt(cell)]) });
    expect(
      blocksToMarkdown([
        block('table', { table_width: 2, has_column_header: true, has_row_header: false }, [
          row('Name', 'Note'),
          row('a|b', 'line\nbreak'),
          row('c'),
        ]),
      ]),
    ).toBe('| Name | Note |\n| --- | --- |\n| a\\|b | line break |\n| c |  |\n');
  });

  it('renders toggles as list items with their content, and layout blocks as their content', () => {
    expect(
      blocksToMarkdown([
        block('toggle', { rich_text: [rt('Details')], color: 'default' }, [para(rt('Hidden'))]),
        block('column_list', {}, [block('column', {}, [para(rt('Left'))]), block('column', {}, [para(rt('Right'))])]),
      ]),
    ).toBe('- Details\n\n  Hidden\n\nLeft\n\nRight\n');
  });

  it('renders images, bookmarks, files and child pages as links', () => {
    const markdown = blocksToMarkdown([
      block('image', { type: 'external', external: { url: 'https://img.example/a.png' }, caption: [rt('Chart')] }),
      block('image', { type: 'file', file: { url: 'https://s3.example/b.png?sig=1', expiry_time: '' }, caption: [] }),
      block('bookmark', { url: 'https://example.com', caption: [] }),
      block('file', { type: 'external', external: { url: 'https://f.example/x.pdf' }, caption: [], name: 'x.pdf' }),
      block('child_page', { title: 'Sub page' }),
    ]);
    expect(markdown).toContain('![Chart](https://img.example/a.png)');
    expect(markdown).toContain('![](https://s3.example/b.png?sig=1)');
    expect(markdown).toContain('[https://example.com](https://example.com)');
    expect(markdown).toContain('[x.pdf](https://f.example/x.pdf)');
    expect(markdown).toMatch(/\[Sub page\]\(https:\/\/www\.notion\.so\/\w+\)/);
  });

  it('skips empty paragraphs and blocks with nothing to show', () => {
    expect(blocksToMarkdown([para(), block('table_of_contents', { color: 'default' }), para(rt('Only this'))])).toBe(
      'Only this\n',
    );
    expect(blocksToMarkdown([])).toBe('');
  });
});
