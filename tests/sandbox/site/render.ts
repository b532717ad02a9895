// HTML for the look-alike: the blocks and rows the simulated Notion API holds, escaped, in a
// Notion-ish layout. Content is only ever inserted as escaped text.

export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type RichText = Array<{
  plain_text?: string;
  text?: { content: string };
  href?: string | null;
  annotations?: Record<string, unknown>;
}>;

export function richText(items: RichText | undefined): string {
  return (items ?? [])
    .map((item) => {
      let html = esc(item.plain_text ?? item.text?.content ?? '');
      const a = item.annotations ?? {};
      if (a.code) html = `<code>${html}</code>`;
      if (a.bold) html = `<strong>${html}</strong>`;
      if (a.italic) html = `<em>${html}</em>`;
      if (a.strikethrough) html = `<s>${html}</s>`;
      if (item.href && /^https?:/.test(item.href)) html = `<a href="${esc(item.href)}" rel="noreferrer">${html}</a>`;
      return html;
    })
    .join('');
}

export interface BlockNode {
  id: string;
  type: string;
  children?: BlockNode[];
  [key: string]: unknown;
}

function data(block: BlockNode): Record<string, unknown> {
  return (block[block.type] ?? {}) as Record<string, unknown>;
}

function rt(block: BlockNode): string {
  return richText(data(block).rich_text as RichText | undefined);
}

export function renderBlocks(blocks: BlockNode[], hrefFor: (id: string, title: string) => string): string {
  let html = '';
  let i = 0;
  while (i < blocks.length) {
    const block = blocks[i]!;
    const listTag = block.type === 'bulleted_list_item' ? 'ul' : block.type === 'numbered_list_item' ? 'ol' : null;
    if (listTag) {
      let items = '';
      while (i < blocks.length && blocks[i]!.type === block.type) {
        const item = blocks[i]!;
        items += `<li data-block-id="${esc(item.id)}">${rt(item)}${renderBlocks(item.children ?? [], hrefFor)}</li>`;
        i++;
      }
      html += `<${listTag}>${items}</${listTag}>`;
      continue;
    }
    html += renderBlock(block, hrefFor);
    i++;
  }
  return html;
}

function renderBlock(block: BlockNode, hrefFor: (id: string, title: string) => string): string {
  const id = `data-block-id="${esc(block.id)}"`;
  const children = renderBlocks(block.children ?? [], hrefFor);
  const d = data(block);
  switch (block.type) {
    case 'heading_1':
      return `<h1 ${id}>${rt(block)}</h1>`;
    case 'heading_2':
      return `<h2 ${id}>${rt(block)}</h2>`;
    case 'heading_3':
    case 'heading_4':
      return `<h3 ${id}>${rt(block)}</h3>`;
    case 'paragraph':
      return `<p ${id}>${rt(block)}</p>${children}`;
    case 'to_do':
      return `<div ${id} class="todo"><input type="checkbox" disabled ${d.checked ? 'checked' : ''}> ${rt(block)}${children}</div>`;
    case 'quote':
      return `<blockquote ${id}>${rt(block)}${children}</blockquote>`;
    case 'callout':
      return `<div ${id} class="callout">${rt(block)}${children}</div>`;
    case 'toggle':
      return `<details ${id}><summary>${rt(block)}</summary>${children}</details>`;
    case 'code':
      return `<pre ${id} data-language="${esc(d.language)}"><code>${richText(d.rich_text as RichText)}</code></pre>`;
    case 'equation':
      return `<div ${id} class="equation">${esc(d.expression)}</div>`;
    case 'divider':
      return `<hr ${id}>`;
    case 'table': {
      const rows = (block.children ?? [])
        .map(
          (row) =>
            `<tr>${((data(row).cells as RichText[]) ?? []).map((cell) => `<td>${richText(cell)}</td>`).join('')}</tr>`,
        )
        .join('');
      return `<table ${id} class="simple-table">${rows}</table>`;
    }
    case 'child_page':
      return `<p ${id}><a data-inapp href="${esc(hrefFor(block.id, String(d.title ?? '')))}">📄 ${esc(d.title)}</a></p>`;
    case 'child_database':
      return `<p ${id}><a data-inapp href="${esc(hrefFor(block.id, String(d.title ?? '')))}">🗂 ${esc(d.title)}</a></p>`;
    default:
      return `<div ${id} class="unsupported">${rt(block)}${children}</div>`;
  }
}

/** A property value as a person reads it in a table cell. */
export function propertyText(value: Record<string, unknown> | undefined): string {
  if (!value) return '';
  const v = value[value.type as string];
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return ((v as RichText) ?? []).map((t) => t.plain_text ?? '').join('');
    case 'select':
    case 'status':
      return (v as { name?: string } | null)?.name ?? '';
    case 'multi_select':
      return ((v as Array<{ name: string }>) ?? []).map((o) => o.name).join(', ');
    case 'checkbox':
      return v ? '☑' : '☐';
    case 'date': {
      const d = v as { start?: string; end?: string | null } | null;
      return d?.start ? (d.end ? `${d.start} → ${d.end}` : d.start) : '';
    }
    case 'number':
    case 'url':
    case 'email':
    case 'phone_number':
      return v === null || v === undefined ? '' : String(v);
    default:
      return '';
  }
}
