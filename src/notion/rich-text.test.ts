import type { PhrasingContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { NOTION_RICH_TEXT_MAX_ITEMS, NOTION_TEXT_MAX_CHARS } from './limits';
import {
  chunkRichText,
  jsonByteLength,
  phrasingToRichText,
  richTextToPlainText,
  splitText,
  textToRichText,
  toExternalFileUrl,
  toNotionLinkUrl,
  utf8ByteLength,
  type TextItem,
} from './rich-text';

/** A lone high or low surrogate: what a split through an emoji leaves behind. */
const BROKEN_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** ~5,000 characters of prose with emoji (some outside the BMP) every few words. */
function longEmojiParagraph(): string {
  const sentence = 'The launch went well 🚀 and the team celebrated 🎉 with cake 🍰, then wrote notes ✅. ';
  let text = '';
  while (text.length < 5_000) text += sentence;
  return text.trimEnd();
}

function inline(markdown: string): PhrasingContent[] {
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const first = tree.children[0];
  if (first?.type !== 'paragraph') throw new Error('expected a paragraph');
  return first.children;
}

const text = (content: string, extra: Partial<TextItem> = {}): TextItem => ({
  type: 'text',
  text: { content },
  ...extra,
});

describe('splitText', () => {
  it('splits a 5,000-character paragraph with emoji into ≤2,000-char pieces that reassemble exactly', () => {
    const paragraph = longEmojiParagraph();
    expect(paragraph.length).toBeGreaterThanOrEqual(5_000);
    const pieces = splitText(paragraph);
    expect(pieces).toHaveLength(3);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(NOTION_TEXT_MAX_CHARS);
      expect(piece).not.toMatch(BROKEN_SURROGATE);
    }
    expect(pieces.join('')).toBe(paragraph);
    // Split at a space near the limit, not mid-word.
    expect(pieces[0]?.endsWith(' ')).toBe(true);
    expect(pieces[0]?.length).toBeGreaterThan(NOTION_TEXT_MAX_CHARS - 200);
  });

  it('never splits a surrogate pair, even without whitespace to break at', () => {
    const input = `${'a'.repeat(1_999)}${'😀'.repeat(1_500)}`;
    const pieces = splitText(input);
    expect(pieces[0]).toBe('a'.repeat(1_999));
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(NOTION_TEXT_MAX_CHARS);
      expect(piece).not.toMatch(BROKEN_SURROGATE);
    }
    expect(pieces.join('')).toBe(input);
  });

  it('prefers a newline to a space when both are near the limit', () => {
    const input = `${'word '.repeat(380)}\n${'more words '.repeat(200)}`;
    const [first] = splitText(input);
    expect(first?.endsWith('\n')).toBe(true);
  });

  it('hard-splits at the limit when there is no whitespace nearby', () => {
    const pieces = splitText('x'.repeat(4_500));
    expect(pieces.map((piece) => piece.length)).toEqual([2_000, 2_000, 500]);
  });

  it('returns nothing for empty text and one piece for short text', () => {
    expect(splitText('')).toEqual([]);
    expect(splitText('short')).toEqual(['short']);
    expect(splitText('x'.repeat(2_000))).toHaveLength(1);
  });
});

describe('textToRichText', () => {
  it('makes ≤2,000-char text items that reassemble to the input', () => {
    const paragraph = longEmojiParagraph();
    const { items, truncated } = textToRichText(paragraph);
    expect(truncated).toBe(false);
    expect(items).toHaveLength(3);
    expect(richTextToPlainText(items)).toBe(paragraph);
    for (const item of items)
      expect('text' in item && item.text.content.length).toBeLessThanOrEqual(NOTION_TEXT_MAX_CHARS);
  });

  it('stops at 100 items (or maxItems) and says it truncated', () => {
    const long = 'y'.repeat(NOTION_TEXT_MAX_CHARS * 120);
    expect(textToRichText(long)).toMatchObject({ truncated: true });
    expect(textToRichText(long).items).toHaveLength(NOTION_RICH_TEXT_MAX_ITEMS);
    expect(textToRichText(long, { maxItems: 3 }).items).toHaveLength(3);
    expect(textToRichText('x'.repeat(4_000), { maxItems: 2 })).toMatchObject({ truncated: false });
  });

  it('gives no items for empty text', () => {
    expect(textToRichText('')).toEqual({ items: [], truncated: false });
  });
});

describe('toNotionLinkUrl', () => {
  it.each([
    ['https://example.com/a?b=c#d', 'https://example.com/a?b=c#d'],
    ['http://example.com', 'http://example.com'],
    ['mailto:team@example.com', 'mailto:team@example.com'],
    ['https://example.com/a b', 'https://example.com/a%20b'],
  ])('accepts %s', (raw, expected) => {
    expect(toNotionLinkUrl(raw)).toBe(expected);
  });

  it.each([
    'tel:+1-555-0100',
    '/docs/intro',
    'docs/intro',
    '#section',
    '../up',
    'https://',
    'http//example.com',
    'https:example.com',
    'javascript:alert(1)',
    'ftp://example.com/file',
    'file:///etc/passwd',
    'mailto:',
    '',
    `https://example.com/${'a'.repeat(2_000)}`,
  ])('rejects %j', (raw) => {
    expect(toNotionLinkUrl(raw)).toBeNull();
  });

  it('accepts only http(s) for files', () => {
    expect(toExternalFileUrl('https://img.example.com/a.png')).toBe('https://img.example.com/a.png');
    expect(toExternalFileUrl('mailto:a@b.c')).toBeNull();
    expect(toExternalFileUrl('./a.png')).toBeNull();
  });
});

describe('phrasingToRichText', () => {
  it('maps bold, italic, strikethrough and inline code to annotations', () => {
    expect(phrasingToRichText(inline('plain **bold** *italic* ~~gone~~ `code` ***both***'))).toEqual([
      text('plain '),
      text('bold', { annotations: { bold: true } }),
      text(' '),
      text('italic', { annotations: { italic: true } }),
      text(' '),
      text('gone', { annotations: { strikethrough: true } }),
      text(' '),
      text('code', { annotations: { code: true } }),
      text(' '),
      text('both', { annotations: { bold: true, italic: true } }),
    ]);
  });

  it('links absolute URLs and autolinks', () => {
    expect(
      phrasingToRichText(inline('[Notion](https://notion.so) and https://example.com/x and <mailto:a@b.co>')),
    ).toEqual([
      { type: 'text', text: { content: 'Notion', link: { url: 'https://notion.so' } } },
      text(' and '),
      { type: 'text', text: { content: 'https://example.com/x', link: { url: 'https://example.com/x' } } },
      text(' and '),
      { type: 'text', text: { content: 'mailto:a@b.co', link: { url: 'mailto:a@b.co' } } },
    ]);
  });

  it('keeps the text of a relative link as plain text', () => {
    expect(phrasingToRichText(inline('See the [docs](/docs/intro) first.'))).toEqual([text('See the docs first.')]);
  });

  it('keeps the text of a malformed link as plain text', () => {
    expect(
      phrasingToRichText(
        inline('Open [the site](https://) or [this](http//example.com) or [that](javascript:void(0)).'),
      ),
    ).toEqual([text('Open the site or this or that.')]);
  });

  it('resolves reference links through definitions', () => {
    const nodes = inline('[guide][g] and [relative][r]\n\n[g]: https://example.com/guide\n[r]: /relative');
    const definitions = new Map([
      ['g', { url: 'https://example.com/guide' }],
      ['r', { url: '/relative' }],
    ]);
    expect(phrasingToRichText(nodes, { definitions: (id) => definitions.get(id) })).toEqual([
      { type: 'text', text: { content: 'guide', link: { url: 'https://example.com/guide' } } },
      text(' and relative'),
    ]);
  });

  it('keeps annotations inside links', () => {
    expect(phrasingToRichText(inline('[**bold link**](https://a.example)'))).toEqual([
      { type: 'text', text: { content: 'bold link', link: { url: 'https://a.example' } }, annotations: { bold: true } },
    ]);
  });

  it('turns hard breaks into newlines and merges the runs around them', () => {
    expect(phrasingToRichText(inline('line one  \nline two\\\nline three'))).toEqual([
      text('line one\nline two\nline three'),
    ]);
  });

  it('leaves $ signs alone: "$5 and $10" is text, not math', () => {
    expect(phrasingToRichText(inline('It costs $5 and $10, or $x$ in TeX.'))).toEqual([
      text('It costs $5 and $10, or $x$ in TeX.'),
    ]);
  });

  it('reads inline HTML as formatting, never as its source', () => {
    expect(phrasingToRichText(inline('a <b>bold</b> tag'))).toEqual([
      text('a '),
      { type: 'text', text: { content: 'bold' }, annotations: { bold: true } },
      text(' tag'),
    ]);
  });

  it('keeps an inline image as its alt text', () => {
    expect(phrasingToRichText(inline('logo: ![Acme](./logo.png) here'))).toEqual([text('logo: Acme here')]);
  });

  it('splits a long bold run into ≤2,000-char items that keep the annotation', () => {
    const long = longEmojiParagraph();
    const items = phrasingToRichText(inline(`**${long}**`));
    expect(items.length).toBe(3);
    for (const item of items) {
      expect(item.annotations).toEqual({ bold: true });
      expect(item.text.content.length).toBeLessThanOrEqual(NOTION_TEXT_MAX_CHARS);
      expect(item.text.content).not.toMatch(BROKEN_SURROGATE);
    }
    expect(richTextToPlainText(items)).toBe(long);
  });
});

describe('chunkRichText', () => {
  it('groups at most 100 items per chunk', () => {
    const items = Array.from({ length: 250 }, (_, i) => text(String(i)));
    expect(chunkRichText(items).map((chunk) => chunk.length)).toEqual([100, 100, 50]);
  });

  it('starts a new chunk before the byte budget is passed', () => {
    const items = Array.from({ length: 10 }, () => text('漢'.repeat(2_000)));
    const chunks = chunkRichText(items, 100, 20_000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(jsonByteLength(chunk)).toBeLessThanOrEqual(20_000);
  });
});

describe('utf8ByteLength', () => {
  it.each(['ascii', 'café', '漢字', '😀 emoji', '\uD800 lone', ''])('matches Buffer for %j', (value) => {
    expect(utf8ByteLength(value)).toBe(Buffer.byteLength(value, 'utf8'));
  });
});
