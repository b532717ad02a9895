// GET /v1/pages/{id}/markdown: a page's content in Notion-flavored ("enhanced") Markdown, as Notion
// serves it (apis.md §1.12 and §10): children indented by tabs; \ * ~ ` $ [ ] < > { } | ^ escaped
// outside code; line breaks inside a block as <br>; toggles as <details>, callouts as <callout>, tables
// as <table>; blocks it cannot show as <unknown/> with their ids listed; one request for the whole page.
import type { AnyRecord, BlockRecord, Store } from './store.ts';

/** Past this many blocks the answer stops and says `truncated` (Notion's own cut is about 20,000). */
const MARKDOWN_MAX_BLOCKS = 20_000;

interface RichTextItem {
  type: string;
  plain_text: string;
  href: string | null;
  annotations: {
    bold: boolean;
    italic: boolean;
    strikethrough: boolean;
    underline: boolean;
    code: boolean;
    color: string;
  };
  equation?: { expression: string };
}

const escape = (text: string): string => text.replace(/[\\*~`$[\]<>{}|^]/g, (c) => `\\${c}`);

function richText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return (items as RichTextItem[])
    .map((item) => {
      if (item.type === 'equation') return `$${item.equation?.expression ?? ''}$`;
      const a = item.annotations;
      let text = a.code ? `\`${item.plain_text}\`` : escape(item.plain_text);
      text = text.replace(/\n/g, '<br>');
      if (a.bold) text = `**${text}**`;
      if (a.italic) text = `*${text}*`;
      if (a.strikethrough) text = `~~${text}~~`;
      if (a.underline) text = `<span underline="true">${text}</span>`;
      if (a.color !== 'default') text = `<span color="${a.color}">${text}</span>`;
      return item.href ? `[${text}](${item.href})` : text;
    })
    .join('');
}

interface Walk {
  store: Store;
  count: number;
  truncated: boolean;
  unknown: string[];
}

const HEADING_LEVEL: Record<string, number> = { heading_1: 1, heading_2: 2, heading_3: 3, heading_4: 4 };

function blockLines(record: AnyRecord, depth: number, walk: Walk): string[] {
  const tab = '\t'.repeat(depth);
  if (record.kind !== 'block') {
    const title = record.kind === 'page' ? 'page' : 'database';
    return [`${tab}<${title} url="https://www.notion.so/${record.id.replaceAll('-', '')}"/>`];
  }
  const block = record as BlockRecord;
  const data = block.data as Record<string, unknown>;
  const text = richText(data.rich_text);
  const children = (): string[] => childLines(block.id, depth + 1, walk);
  const level = HEADING_LEVEL[block.type];
  if (level) return [`${tab}${'#'.repeat(level)} ${text}`, ...children()];
  switch (block.type) {
    case 'paragraph':
      return [`${tab}${text === '' ? '<empty-block/>' : text}`, ...children()];
    case 'bulleted_list_item':
      return [`${tab}- ${text}`, ...children()];
    case 'numbered_list_item':
      return [`${tab}1. ${text}`, ...children()];
    case 'to_do':
      return [`${tab}- [${data.checked ? 'x' : ' '}] ${text}`, ...children()];
    case 'quote':
      return [`${tab}> ${text}`, ...children()];
    case 'toggle':
      return [`${tab}<details>`, `${tab}<summary>${text}</summary>`, ...children(), `${tab}</details>`];
    case 'callout':
      return [`${tab}<callout>`, `${tab}\t${text}`, ...children(), `${tab}</callout>`];
    case 'code': {
      const code = (data.rich_text as RichTextItem[]).map((item) => item.plain_text).join('');
      return [
        `${tab}\`\`\`${String(data.language)}`,
        ...code.split('\n').map((line) => `${tab}${line}`),
        `${tab}\`\`\``,
      ];
    }
    case 'equation':
      return [`${tab}$$`, `${tab}${String((data as { expression?: string }).expression ?? '')}`, `${tab}$$`];
    case 'divider':
      return [`${tab}---`];
    case 'table': {
      const rows = walk.store.liveChildren(block.id).map((row) => {
        walk.count++;
        const cells = ((row as BlockRecord).data.cells as unknown[]).map((cell) => `<td>${richText(cell)}</td>`);
        return `${tab}\t<tr>${cells.join('')}</tr>`;
      });
      return [`${tab}<table>`, ...rows, `${tab}</table>`];
    }
    case 'image': {
      const file = (data.external ?? data.file) as { url?: string } | undefined;
      return [`${tab}![${richText(data.caption)}](${file?.url ?? ''})`];
    }
    default:
      walk.unknown.push(block.id);
      return [`${tab}<unknown alt="${block.type}"/>`];
  }
}

function childLines(parentId: string, depth: number, walk: Walk): string[] {
  const lines: string[] = [];
  for (const child of walk.store.liveChildren(parentId)) {
    if (walk.count >= MARKDOWN_MAX_BLOCKS) {
      walk.truncated = true;
      break;
    }
    walk.count++;
    lines.push(...blockLines(child, depth, walk));
  }
  return lines;
}

/** The page's content as Notion's Markdown endpoint answers it. */
export function pageMarkdown(
  store: Store,
  pageId: string,
): { markdown: string; truncated: boolean; unknown_block_ids: string[] } {
  const walk: Walk = { store, count: 0, truncated: false, unknown: [] };
  const markdown = childLines(pageId, 0, walk).join('\n');
  return { markdown, truncated: walk.truncated, unknown_block_ids: walk.unknown };
}
