// Plain text and inline Markdown (mdast phrasing content, with the HTML models put in it) → Notion rich
// text items, within Notion's per-item and per-array limits. Longer than 300 lines: one pass over inline
// Markdown and the cuts its limits force (graphemes, characters, items, bytes, link length) belong together.
import type { PhrasingContent } from 'mdast';
import { tokenizeHtml, type HtmlMark, type HtmlToken } from './inline-html';
import { BLOCK_MAX_BYTES, NOTION_RICH_TEXT_MAX_ITEMS, NOTION_TEXT_MAX_CHARS, NOTION_URL_MAX_CHARS } from './limits';
import { type RichTextItemRequest } from '../shared/notion-shapes';

/** Bold, italic, strikethrough, underline, code and color of a rich text item. */
export type RichTextAnnotations = NonNullable<RichTextItemRequest['annotations']>;

/** The only kind of item this module produces: plain text, optionally annotated and linked. */
export interface TextItem {
  type: 'text';
  text: { content: string; link?: { url: string } };
  annotations?: RichTextAnnotations;
}

/**
 * How far back from the 2,000-character limit we look for a line break or space to split at.
 * Far enough to find one in ordinary prose, near enough that items stay close to full.
 */
const SPLIT_LOOKBACK_CHARS = 200;

/** Notion refuses any other link ("Invalid URL for link"): a `tel:` link stays its text. */
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const WEB_PROTOCOLS = new Set(['http:', 'https:']);

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** How far past a cut we let the segmenter look, enough for the longest emoji sequences. */
const GRAPHEME_LOOKAHEAD_CHARS = 64;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `index` moved back to the start of the character a person sees there (a grapheme cluster: a flag,
 * a ZWJ family, a letter with its accents), when `index` falls inside one that began after `start`.
 * `start` must itself be a boundary.
 */
function graphemeBoundary(text: string, start: number, index: number): number {
  const window = text.slice(start, Math.min(text.length, index + GRAPHEME_LOOKAHEAD_CHARS));
  const segment = graphemes.segment(window).containing(index - start);
  if (!segment || segment.index === index - start) return index;
  return segment.index > 0 ? start + segment.index : index;
}

/**
 * Splits text into pieces of at most `maxChars` UTF-16 code units that concatenate back to the
 * input. A piece never ends inside a character as a person sees it (a flag, an emoji sequence
 * joined by ZWJ, a letter and its combining accents: Intl.Segmenter's grapheme clusters), nor between
 * the two halves of a surrogate pair, and prefers to end just after a newline, else after whitespace,
 * within the last SPLIT_LOOKBACK_CHARS characters before the limit.
 */
export function splitText(text: string, maxChars: number = NOTION_TEXT_MAX_CHARS): string[] {
  if (text.length === 0) return [];
  // Two code units is the smallest piece that can hold any character.
  const limit = Math.max(2, Math.floor(maxChars));
  const lookback = Math.min(SPLIT_LOOKBACK_CHARS, Math.floor(limit / 4));
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > limit) {
    let end = start + limit;
    if (isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end -= 1;
    end = graphemeBoundary(text, start, preferredBreak(text, start, end, lookback));
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** The index just after the last newline (else whitespace) in the lookback window, else `end`. */
function preferredBreak(text: string, start: number, end: number, lookback: number): number {
  const floor = Math.max(start + 1, end - lookback);
  for (let i = end - 1; i >= floor; i--) if (text[i] === '\n') return i + 1;
  for (let i = end - 1; i >= floor; i--) if (/\s/.test(text[i] ?? '')) return i + 1;
  return end;
}

/**
 * Plain text as rich text items of at most 2,000 characters each, at most `maxItems` of them
 * (Notion's 100 by default). Used for block text and for long answers written into rich_text and
 * title properties. `truncated` says the text did not fit and the items stop early.
 */
export function textToRichText(
  text: string,
  opts: { maxItems?: number } = {},
): { items: RichTextItemRequest[]; truncated: boolean } {
  const maxItems = opts.maxItems ?? NOTION_RICH_TEXT_MAX_ITEMS;
  const pieces = splitText(text);
  const items: TextItem[] = pieces.slice(0, maxItems).map((content) => ({ type: 'text', text: { content } }));
  return { items, truncated: pieces.length > maxItems };
}

/**
 * The URL to use for a link, or null when Notion would reject it ("Invalid URL for link"):
 * only absolute http(s), mailto and tel URLs of at most 2,000 characters. Relative links
 * (`/docs/intro`, `#section`), other schemes and malformed URLs give null.
 */
export function toNotionLinkUrl(raw: string): string | null {
  return checkedUrl(raw, LINK_PROTOCOLS);
}

/** The URL to use for an external image, or null unless it is an absolute http(s) URL ≤ 2,000. */
export function toExternalFileUrl(raw: string): string | null {
  return checkedUrl(raw, WEB_PROTOCOLS);
}

function checkedUrl(raw: string, protocols: Set<string>): string | null {
  const candidate = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return null;
  }
  if (!protocols.has(parsed.protocol)) return null;
  if (WEB_PROTOCOLS.has(parsed.protocol)) {
    // WHATWG parsing accepts `https:example.com`; Markdown authors never mean that.
    if (!/^https?:\/\//i.test(candidate) || parsed.hostname === '') return null;
  } else if (parsed.pathname === '') {
    return null;
  }
  // Spaces and control characters are legal in a Markdown destination (`<https://a.com/a b>`) but
  // not in a URL; the parser's serialization percent-encodes them.
  const url = hasUnsafeUrlChars(candidate) ? parsed.href : candidate;
  return url.length <= NOTION_URL_MAX_CHARS ? url : null;
}

function hasUnsafeUrlChars(url: string): boolean {
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return /\s/.test(url);
}

/** Looks up a Markdown link reference definition (`[id]: url`) by its normalized identifier. */
export type DefinitionLookup = (identifier: string) => { url: string } | undefined;

/** What inline conversion needs from the document around it. */
export interface InlineContext {
  definitions?: DefinitionLookup;
  /** The number a footnote reference shows (`[^note]` → ¹), given in order of first reference. */
  footnoteNumber?: (identifier: string) => number;
}

type Marks = Partial<Record<HtmlMark, true>>;

interface Segment {
  content: string;
  marks: Marks;
  link: string | undefined;
}

/**
 * Inline Markdown → rich text items: bold, italic, strikethrough, inline code, valid links, hard
 * breaks as "\n", and the inline HTML models write (`<b>`, `<u>`, `<br>`…, see inline-html.ts). Adjacent
 * runs with the same annotations and link are merged, then every item is split to ≤ 2,000 characters
 * keeping its annotations. The array itself is not capped at 100 items; callers spread long text over
 * several blocks with `chunkRichText`, or fit it into one array with `fitRichText`.
 *
 * Soft line breaks keep their "\n": Notion shows it as a line break, which is how chat UIs show a
 * model's single newlines too. Inline `$…$` is plain text, never math.
 */
export function phrasingToRichText(nodes: readonly PhrasingContent[], inline: InlineContext = {}): TextItem[] {
  const segments: Segment[] = [];
  collectSegments(nodes, {}, undefined, inline, segments);
  return splitLongItems(mergeSegments(segments).map(toTextItem));
}

/** Formatting switched on by HTML tags among one run of siblings (`a <b>bold</b> word`). */
class HtmlFormatting {
  private open = new Map<HtmlMark, number>();
  private links: Array<string | undefined> = [];

  marks(outer: Marks): Marks {
    const marks: Marks = { ...outer };
    for (const [mark, count] of this.open) if (count > 0) marks[mark] = true;
    return marks;
  }

  link(outer: string | undefined): string | undefined {
    return this.links.findLast((url) => url !== undefined) ?? outer;
  }

  apply(token: Extract<HtmlToken, { kind: 'mark' | 'link' }>): void {
    if (token.kind === 'link') {
      if (token.open)
        this.links.push(token.href === undefined ? undefined : (toNotionLinkUrl(token.href) ?? undefined));
      else this.links.pop();
      return;
    }
    const count = this.open.get(token.mark) ?? 0;
    this.open.set(token.mark, token.open ? count + 1 : Math.max(0, count - 1));
  }
}

function collectSegments(
  nodes: readonly PhrasingContent[],
  outerMarks: Marks,
  outerLink: string | undefined,
  inline: InlineContext,
  out: Segment[],
): void {
  const html = new HtmlFormatting();
  for (const node of nodes) {
    const marks = html.marks(outerMarks);
    const link = html.link(outerLink);
    const push = (content: string, withMarks: Marks = marks): void => {
      if (content.length > 0) out.push({ content, marks: withMarks, link });
    };
    switch (node.type) {
      case 'text':
        push(node.value);
        break;
      case 'strong':
        collectSegments(node.children, { ...marks, bold: true }, link, inline, out);
        break;
      case 'emphasis':
        collectSegments(node.children, { ...marks, italic: true }, link, inline, out);
        break;
      case 'delete':
        collectSegments(node.children, { ...marks, strikethrough: true }, link, inline, out);
        break;
      case 'inlineCode':
        push(node.value, { ...marks, code: true });
        break;
      case 'break':
        push('\n');
        break;
      case 'link':
        // An invalid URL keeps the link's text and drops only the link.
        collectSegments(node.children, marks, toNotionLinkUrl(node.url) ?? link, inline, out);
        break;
      case 'linkReference': {
        const target = inline.definitions?.(node.identifier);
        const url = target ? toNotionLinkUrl(target.url) : null;
        collectSegments(node.children, marks, url ?? link, inline, out);
        break;
      }
      case 'image':
      case 'imageReference': {
        // Images allowed to stand alone become image blocks before this point; any other keeps its
        // alt text (its URL when it has none, so it stays visible), linked to the image when nothing
        // else links it.
        const source = node.type === 'image' ? node.url : inline.definitions?.(node.identifier)?.url;
        const url = source === undefined ? null : toNotionLinkUrl(source);
        const content = node.alt || url || '';
        if (content.length > 0) out.push({ content, marks, link: link ?? url ?? undefined });
        break;
      }
      case 'html':
        pushHtml(node.value, html, outerMarks, outerLink, out);
        break;
      case 'footnoteReference': {
        const number = inline.footnoteNumber?.(node.identifier);
        push(number === undefined ? `[^${node.label ?? node.identifier}]` : superscript(number));
        break;
      }
      default:
        pushUnknown(node, push, marks, link, inline, out);
    }
  }
}

/**
 * Raw HTML among inline content: text keeps the formatting its tags switch on, `<br>` and block tags
 * end a line (without the spaces HTML would collapse around it); comments and unknown tags vanish.
 */
function pushHtml(
  source: string,
  html: HtmlFormatting,
  outerMarks: Marks,
  outerLink: string | undefined,
  out: Segment[],
): void {
  const newline = (): void => {
    const last = out[out.length - 1];
    if (last && !last.marks.code) last.content = last.content.replace(/ +$/, '');
    out.push({ content: '\n', marks: html.marks(outerMarks), link: undefined });
  };
  for (const token of tokenizeHtml(source)) {
    if (token.kind === 'text') {
      const afterLine = out[out.length - 1]?.content.endsWith('\n') ?? false;
      const text = afterLine ? token.text.trimStart() : token.text;
      if (text.length > 0) out.push({ content: text, marks: html.marks(outerMarks), link: html.link(outerLink) });
    } else if (token.kind === 'break') newline();
    else if (token.kind === 'line') {
      const last = out[out.length - 1];
      if (last && !last.content.endsWith('\n')) newline();
    } else html.apply(token);
  }
}

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** 12 → "¹²": a footnote marker that reads as one in Notion, which has no superscript annotation. */
export function superscript(n: number): string {
  return [...String(n)].map((digit) => SUPERSCRIPT_DIGITS[Number(digit)] ?? digit).join('');
}

/** Phrasing nodes from extensions we do not enable: keep their text. */
function pushUnknown(
  node: PhrasingContent,
  push: (content: string) => void,
  marks: Marks,
  link: string | undefined,
  inline: InlineContext,
  out: Segment[],
): void {
  if ('children' in node && Array.isArray(node.children)) {
    collectSegments(node.children as PhrasingContent[], marks, link, inline, out);
  } else if ('value' in node && typeof node.value === 'string') {
    push(node.value);
  }
}

const MARK_NAMES: readonly HtmlMark[] = ['bold', 'italic', 'strikethrough', 'underline', 'code'];

const sameMarks = (a: Marks, b: Marks): boolean => MARK_NAMES.every((mark) => a[mark] === b[mark]);

function mergeSegments(segments: readonly Segment[]): Segment[] {
  const merged: Segment[] = [];
  for (const segment of segments) {
    const last = merged[merged.length - 1];
    if (last && last.link === segment.link && sameMarks(last.marks, segment.marks)) {
      last.content += segment.content;
    } else {
      merged.push({ ...segment });
    }
  }
  return merged;
}

function toTextItem(segment: Segment): TextItem {
  const item: TextItem = { type: 'text', text: { content: segment.content } };
  if (segment.link !== undefined) item.text.link = { url: segment.link };
  const annotations: RichTextAnnotations = {};
  for (const mark of MARK_NAMES) if (segment.marks[mark]) annotations[mark] = true;
  if (Object.keys(annotations).length > 0) item.annotations = annotations;
  return item;
}

/**
 * Rich text that must fit one array of at most `maxItems` (a table cell, a property): when there are
 * more runs, the formatted ones are kept as long as the rest, joined as plain text, still fits; so
 * every character stays and only the formatting of the tail is given up. `truncated` when even the
 * plain text is longer than the array can hold.
 */
export function fitRichText(
  items: readonly TextItem[],
  maxItems: number = NOTION_RICH_TEXT_MAX_ITEMS,
): { items: TextItem[]; truncated: boolean } {
  if (items.length <= maxItems) return { items: [...items], truncated: false };
  for (let kept = maxItems - 1; kept >= 0; kept--) {
    const tail = splitText(
      items
        .slice(kept)
        .map((item) => item.text.content)
        .join(''),
    );
    if (kept + tail.length <= maxItems) {
      const plain = tail.map((content): TextItem => ({ type: 'text', text: { content } }));
      return { items: [...items.slice(0, kept), ...plain], truncated: false };
    }
  }
  const all = splitText(items.map((item) => item.text.content).join(''));
  const plain = all.slice(0, maxItems).map((content): TextItem => ({ type: 'text', text: { content } }));
  return { items: plain, truncated: true };
}

/** Splits every item longer than 2,000 characters into several with the same annotations and link. */
export function splitLongItems(items: readonly TextItem[]): TextItem[] {
  return items.flatMap((item) =>
    splitText(item.text.content).map((content) => ({ ...item, text: { ...item.text, content } })),
  );
}

/**
 * Groups rich text items into runs that each fit one block: at most 100 items and at most
 * BLOCK_MAX_BYTES of JSON, so even 100 full items of CJK text never outgrow a request.
 */
export function chunkRichText<T extends RichTextItemRequest>(
  items: readonly T[],
  maxItems: number = NOTION_RICH_TEXT_MAX_ITEMS,
  maxBytes: number = BLOCK_MAX_BYTES,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const bytes = jsonByteLength(item) + 1;
    if (current.length > 0 && (current.length >= maxItems || currentBytes + bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Concatenated text of rich text items (what Notion calls plain_text). */
export function richTextToPlainText(items: readonly RichTextItemRequest[]): string {
  return items
    .map((item) => {
      if ('text' in item) return item.text.content;
      if ('equation' in item) return item.equation.expression;
      return '';
    })
    .join('');
}

/** Size of a string in UTF-8 bytes, without allocating an encoded copy. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Size in bytes of a value's JSON, as the SDK sends it (no whitespace). */
export function jsonByteLength(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value) ?? '');
}
