// Notion blocks (as read from the API) → Markdown, for use as prompt context. Aimed at a model
// reading it: structure and emphasis are kept; colors, underline and other Notion-only styling are
// dropped, and plain text is not escaped (so "$5 and $10" or "a*b" read as written).
import type { BlockObjectResponse, RichTextItemResponse } from '@notionhq/client';

/**
 * A block from `GET /v1/blocks/{id}/children`, with its own children attached as `children`
 * by whoever read the tree (the API returns only `has_children`).
 */
export type ReadBlock = BlockObjectResponse & { children?: ReadBlock[] };

/** Where Notion pages are opened, for links to child pages and databases. */
const NOTION_PAGE_URL = 'https://www.notion.so/';

/** Converts read blocks (with attached children) to Markdown; blocks are separated by blank lines. */
export function blocksToMarkdown(blocks: readonly ReadBlock[]): string {
  const lines = renderBlocks(blocks);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const LIST_TYPES = new Set<ReadBlock['type']>(['bulleted_list_item', 'numbered_list_item', 'to_do', 'toggle']);
const isListLike = (block: ReadBlock): boolean => LIST_TYPES.has(block.type);

function renderBlocks(blocks: readonly ReadBlock[]): string[] {
  const out: string[] = [];
  let previous: ReadBlock | undefined;
  let number = 0;
  for (const block of blocks) {
    number = block.type === 'numbered_list_item' ? (previous?.type === 'numbered_list_item' ? number + 1 : 1) : 0;
    const lines = renderBlock(block, number);
    if (lines.length === 0) continue;
    // Items of one list stay tight; everything else is separated by a blank line.
    if (previous && !(isListLike(previous) && isListLike(block))) out.push('');
    out.push(...lines);
    previous = block;
  }
  return out;
}

function renderBlock(block: ReadBlock, number: number): string[] {
  const children = block.children ?? [];
  switch (block.type) {
    case 'paragraph': {
      const text = richTextToMarkdown(block.paragraph.rich_text);
      const own = text.trim().length > 0 ? text.split('\n') : [];
      return joinSections(own, renderBlocks(children));
    }
    case 'heading_1':
      return heading(1, block.heading_1.rich_text, children);
    case 'heading_2':
      return heading(2, block.heading_2.rich_text, children);
    case 'heading_3':
      return heading(3, block.heading_3.rich_text, children);
    case 'heading_4':
      return heading(4, block.heading_4.rich_text, children);
    case 'bulleted_list_item':
      return listItem('- ', block.bulleted_list_item.rich_text, children);
    case 'numbered_list_item':
      return listItem(`${number}. `, block.numbered_list_item.rich_text, children);
    case 'to_do':
      return listItem(block.to_do.checked ? '- [x] ' : '- [ ] ', block.to_do.rich_text, children);
    case 'toggle':
      // No Markdown toggle; a list item keeps the text and what is folded under it.
      return listItem('- ', block.toggle.rich_text, children);
    case 'quote':
      return quoted(richTextToMarkdown(block.quote.rich_text), children);
    case 'callout': {
      const icon = block.callout.icon?.type === 'emoji' ? `${block.callout.icon.emoji} ` : '';
      return quoted(icon + richTextToMarkdown(block.callout.rich_text), children);
    }
    case 'code': {
      const language = block.code.language === 'plain text' ? '' : block.code.language;
      return codeFence(plainText(block.code.rich_text), language);
    }
    case 'equation':
      return ['$$', block.equation.expression, '$$'];
    case 'divider':
      return ['---'];
    case 'table':
      return table(block.table.table_width, children);
    case 'image': {
      const caption = plainText(block.image.caption);
      return [`![${caption}](${linkDestination(mediaUrl(block.image))})`];
    }
    case 'video':
      return [mediaLink(plainText(block.video.caption) || 'Video', mediaUrl(block.video))];
    case 'audio':
      return [mediaLink(plainText(block.audio.caption) || 'Audio', mediaUrl(block.audio))];
    case 'pdf':
      return [mediaLink(plainText(block.pdf.caption) || 'PDF', mediaUrl(block.pdf))];
    case 'file':
      return [mediaLink(plainText(block.file.caption) || block.file.name || 'File', mediaUrl(block.file))];
    case 'bookmark':
      return [mediaLink(plainText(block.bookmark.caption) || block.bookmark.url, block.bookmark.url)];
    case 'embed':
      return [mediaLink(plainText(block.embed.caption) || block.embed.url, block.embed.url)];
    case 'link_preview':
      return [mediaLink(block.link_preview.url, block.link_preview.url)];
    case 'child_page':
      return [mediaLink(block.child_page.title || 'Untitled', notionUrl(block.id))];
    case 'child_database':
      return [mediaLink(block.child_database.title || 'Untitled database', notionUrl(block.id))];
    case 'link_to_page': {
      const target = block.link_to_page;
      if (target.type === 'page_id') return [mediaLink('Linked page', notionUrl(target.page_id))];
      if (target.type === 'database_id') return [mediaLink('Linked database', notionUrl(target.database_id))];
      return [];
    }
    case 'template':
      return joinSections(richTextToMarkdown(block.template.rich_text).split('\n'), renderBlocks(children));
    case 'column_list':
    case 'column':
    case 'synced_block':
    case 'tab':
      // Layout containers: their content reads top to bottom.
      return renderBlocks(children);
    default:
      // table_row (rendered by its table), table_of_contents, breadcrumb, meeting notes, unsupported.
      return [];
  }
}

function joinSections(first: string[], second: string[]): string[] {
  if (first.length === 0) return second;
  if (second.length === 0) return first;
  return [...first, '', ...second];
}

function heading(level: number, richText: readonly RichTextItemResponse[], children: readonly ReadBlock[]): string[] {
  const text = richTextToMarkdown(richText)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  const own = text.length > 0 ? [`${'#'.repeat(level)} ${text}`] : [];
  return joinSections(own, renderBlocks(children));
}

/**
 * A list item: marker, text (continuation lines indented to the text), then children indented the
 * same way. A blank line goes before children that are not list items, or they would run into
 * the item's text.
 */
function listItem(marker: string, richText: readonly RichTextItemResponse[], children: readonly ReadBlock[]): string[] {
  const indent = ' '.repeat(marker.length);
  const [first = '', ...more] = richTextToMarkdown(richText).split('\n');
  const lines = [`${marker}${first}`.trimEnd(), ...more.map((line) => indentLine(indent, line))];
  const nested = renderBlocks(children);
  if (nested.length === 0) return lines;
  const firstChild = children.find((child) => renderBlock(child, 1).length > 0);
  if (firstChild && !isListLike(firstChild)) lines.push('');
  return [...lines, ...nested.map((line) => indentLine(indent, line))];
}

const indentLine = (indent: string, line: string): string => (line.length > 0 ? indent + line : line);

function quoted(text: string, children: readonly ReadBlock[]): string[] {
  const own = text.trim().length > 0 ? text.split('\n') : [];
  const lines = joinSections(own, renderBlocks(children));
  // An empty quote still shows as one, so it is not silently dropped.
  return lines.length === 0 ? ['>'] : lines.map((line) => (line.length > 0 ? `> ${line}` : '>'));
}

function codeFence(code: string, language: string): string[] {
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [`${fence}${language}`, ...code.split('\n'), fence];
}

/** A GFM table. Its first row is the header row (GFM has no headerless table). */
function table(width: number, rows: readonly ReadBlock[]): string[] {
  const cells = rows.flatMap((row) =>
    row.type === 'table_row' ? [Array.from({ length: width }, (_, i) => tableCell(row.table_row.cells[i] ?? []))] : [],
  );
  const [header, ...body] = cells;
  if (!header) return [];
  return [tableLine(header), tableLine(header.map(() => '---')), ...body.map(tableLine)];
}

const tableLine = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

function tableCell(richText: readonly RichTextItemResponse[]): string {
  return richTextToMarkdown(richText)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

type MediaData = { type: 'external'; external: { url: string } } | { type: 'file'; file: { url: string } };

function mediaUrl(media: MediaData): string {
  return media.type === 'external' ? media.external.url : media.file.url;
}

function mediaLink(text: string, url: string): string {
  return `[${text.replace(/[[\]]/g, '\\$&')}](${linkDestination(url)})`;
}

function notionUrl(id: string): string {
  return NOTION_PAGE_URL + id.replace(/-/g, '');
}

/** A link destination: wrapped in <…> when it has spaces or parentheses Markdown would misread. */
function linkDestination(url: string): string {
  return /[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url;
}

function plainText(richText: readonly RichTextItemResponse[]): string {
  return richText.map((item) => item.plain_text).join('');
}

interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  code: boolean;
  href: string | null;
}

/**
 * Rich text → inline Markdown: **bold**, *italic*, ~~strikethrough~~, `code`, [links](url),
 * inline equations as $…$. Neighbouring items with the same styling are joined first so a word
 * split over two items does not come out as `**a****b**`.
 */
export function richTextToMarkdown(richText: readonly RichTextItemResponse[]): string {
  const runs: Run[] = [];
  for (const item of richText) {
    const run: Run = {
      text: item.type === 'equation' ? `$${item.equation.expression}$` : item.plain_text,
      bold: item.annotations.bold,
      italic: item.annotations.italic,
      strikethrough: item.annotations.strikethrough,
      code: item.annotations.code && item.type !== 'equation',
      href: item.href,
    };
    const last = runs[runs.length - 1];
    if (last && sameStyle(last, run)) last.text += run.text;
    else runs.push(run);
  }
  return runs.map(renderRun).join('');
}

const sameStyle = (a: Run, b: Run): boolean =>
  a.bold === b.bold &&
  a.italic === b.italic &&
  a.strikethrough === b.strikethrough &&
  a.code === b.code &&
  a.href === b.href;

function renderRun(run: Run): string {
  if (run.text.length === 0) return '';
  // Markers must hug the text: `** a**` is not bold, so whitespace stays outside them.
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(run.text);
  const [, lead = '', core = '', trail = ''] = match ?? [];
  if (core.length === 0) return run.text;
  let text = run.code ? inlineCode(core) : core;
  if (run.strikethrough) text = `~~${text}~~`;
  if (run.italic) text = `*${text}*`;
  if (run.bold) text = `**${text}**`;
  if (run.href) text = `[${text}](${linkDestination(run.href)})`;
  return lead + text + trail;
}

function inlineCode(code: string): string {
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longestRun + 1);
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${code}${pad}${ticks}`;
}
