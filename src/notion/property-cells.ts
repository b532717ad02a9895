// A cell back in update-request form (Undo writes what was read), and a cell compared with what a run
// read or wrote (a run writes, and Undo puts back, only where a cell still holds that). Pure.
import type { RichTextItemResponse } from '@notionhq/client';
import { toNotionLinkUrl, type RichTextAnnotations } from './rich-text';
import {
  type RichTextItemRequest,
  type PropertyRequestValue,
  WRITABLE_OUTPUT_TYPES,
  type DateRequestValue,
} from '../shared/notion-shapes';

import { NOTION_ORIGIN, type PropertyValue } from './properties';

// ---- Writing back what was read (Undo) ----

/**
 * A cell as read, back in update-request form, to write it back on Undo. Rich text keeps its
 * annotations, links, mentions and equations. Throws for types outside WRITABLE_OUTPUT_TYPES:
 * those are never outputs, so nothing of theirs is ever undone.
 */
export function toRequestValue(value: PropertyValue): PropertyRequestValue {
  switch (value.type) {
    case 'title':
      return { title: value.title.map(toRequestItem) };
    case 'rich_text':
      return { rich_text: value.rich_text.map(toRequestItem) };
    case 'select':
      return { select: value.select ? { name: value.select.name } : null };
    case 'status':
      return { status: value.status ? { name: value.status.name } : null };
    case 'multi_select':
      return { multi_select: value.multi_select.map((o) => ({ name: o.name })) };
    case 'number':
      return { number: value.number };
    case 'checkbox':
      return { checkbox: value.checkbox };
    case 'date':
      return {
        date: value.date ? { start: value.date.start, end: value.date.end, time_zone: value.date.time_zone } : null,
      };
    case 'url':
      return { url: value.url };
    case 'email':
      return { email: value.email };
    case 'phone_number':
      return { phone_number: value.phone_number };
    default:
      throw new Error(`Inkling does not write ${value.type} properties.`);
  }
}

/** Only the annotations that differ from Notion's defaults, or undefined when none do. */
function changedAnnotations(annotations: RichTextItemResponse['annotations']): RichTextAnnotations | undefined {
  const changed: RichTextAnnotations = {};
  if (annotations.bold) changed.bold = true;
  if (annotations.italic) changed.italic = true;
  if (annotations.strikethrough) changed.strikethrough = true;
  if (annotations.underline) changed.underline = true;
  if (annotations.code) changed.code = true;
  if (annotations.color !== 'default') changed.color = annotations.color;
  return Object.keys(changed).length > 0 ? changed : undefined;
}

/**
 * A link Notion will accept back. Links to Notion pages come back relative ("/abc…") with the
 * absolute address in `href`; sending the relative one fails with "Invalid URL for link".
 */
function requestLinkUrl(url: string, href: string | null): string | null {
  return (
    toNotionLinkUrl(url) ??
    (href ? toNotionLinkUrl(href) : null) ??
    (url.startsWith('/') ? toNotionLinkUrl(`${NOTION_ORIGIN}${url}`) : null)
  );
}

function textItem(
  content: string,
  url: string | null,
  annotations: RichTextAnnotations | undefined,
): RichTextItemRequest {
  return {
    type: 'text',
    text: url ? { content, link: { url } } : { content },
    ...(annotations ? { annotations } : {}),
  };
}

function toRequestItem(item: RichTextItemResponse): RichTextItemRequest {
  const annotations = changedAnnotations(item.annotations);
  const withAnnotations = annotations ? { annotations } : {};
  switch (item.type) {
    case 'text':
      return textItem(
        item.text.content,
        item.text.link ? requestLinkUrl(item.text.link.url, item.href) : null,
        annotations,
      );
    case 'equation':
      return { type: 'equation', equation: { expression: item.equation.expression }, ...withAnnotations };
    case 'mention':
      return mentionItem(item, annotations);
    default:
      return textItem(plainTextOf(item), null, annotations);
  }
}

const plainTextOf = (item: { plain_text?: string }): string => item.plain_text ?? '';

function mentionItem(
  item: Extract<RichTextItemResponse, { type: 'mention' }>,
  annotations: RichTextAnnotations | undefined,
): RichTextItemRequest {
  const withAnnotations = annotations ? { annotations } : {};
  const { mention } = item;
  switch (mention.type) {
    case 'user':
      return { type: 'mention', mention: { type: 'user', user: { id: mention.user.id } }, ...withAnnotations };
    case 'date':
      return {
        type: 'mention',
        mention: {
          type: 'date',
          date: { start: mention.date.start, end: mention.date.end, time_zone: mention.date.time_zone },
        },
        ...withAnnotations,
      };
    case 'page':
      return { type: 'mention', mention: { type: 'page', page: { id: mention.page.id } }, ...withAnnotations };
    case 'database':
      return {
        type: 'mention',
        mention: { type: 'database', database: { id: mention.database.id } },
        ...withAnnotations,
      };
    case 'template_mention':
      return {
        type: 'mention',
        mention: { type: 'template_mention', template_mention: mention.template_mention },
        ...withAnnotations,
      };
    case 'custom_emoji':
      return {
        type: 'mention',
        mention: { type: 'custom_emoji', custom_emoji: { id: mention.custom_emoji.id } },
        ...withAnnotations,
      };
    case 'link_preview':
      // Link previews and link mentions cannot be created through the API: keep them as links.
      return textItem(item.plain_text, requestLinkUrl(mention.link_preview.url, item.href), annotations);
    case 'link_mention':
      return textItem(item.plain_text, requestLinkUrl(mention.link_mention.href, item.href), annotations);
    default:
      return textItem(item.plain_text, null, annotations);
  }
}

// ---- Comparing a cell with what a run read or wrote ----

/**
 * Whether a cell as read now holds `request` (a value in update-request form: what a run read as the
 * baseline, or what it wrote). Notion has no conditional update and its edit times are coarse, so a
 * run compares values: text by its runs of content, formatting and links (split or merged the same),
 * options by name, dates by instant. A missing cell equals nothing but an empty value.
 */
export function sameCell(value: PropertyValue | undefined, request: PropertyRequestValue | undefined): boolean {
  return cellKey(value) === requestKey(request);
}

/** A cell as read, as a person sees it, in one canonical string: equal to requestKey of what it holds. */
export function cellKey(value: PropertyValue | undefined): string {
  return requestKey(
    value === undefined || !WRITABLE_OUTPUT_TYPES.includes(value.type) ? undefined : toRequestValue(value),
  );
}

/** A value in update-request form, as a person sees it, in one canonical string. */
export function requestKey(request: PropertyRequestValue | undefined): string {
  return JSON.stringify((request === undefined ? undefined : comparable(request)) ?? null);
}

/** A request value reduced to what a person sees, in one canonical shape; null for an empty cell. */
function comparable(request: PropertyRequestValue): unknown {
  const [type, inner] = Object.entries(request)[0] ?? [];
  switch (type) {
    case 'title':
    case 'rich_text': {
      const runs = mergeRuns(inner as RichTextItemRequest[]);
      return runs.length === 0 ? null : runs;
    }
    case 'select':
    case 'status':
      return (inner as { name: string } | null)?.name ?? null;
    case 'multi_select': {
      const names = (inner as Array<{ name: string }>).map((o) => o.name);
      return names.length === 0 ? null : names;
    }
    case 'date': {
      const date = inner as DateRequestValue | null;
      return date ? [instant(date.start), date.end ? instant(date.end) : null] : null;
    }
    case 'checkbox':
      return inner === true;
    default:
      return inner === '' ? null : (inner ?? null);
  }
}

/** "2026-01-15" stays a day; a date-time becomes its instant, however its offset was written. */
function instant(iso: string): string | number {
  return iso.length <= 10 ? iso : Date.parse(iso);
}

/** Rich text as runs of [content, formatting, link], adjacent runs that look the same merged into one. */
function mergeRuns(items: readonly RichTextItemRequest[]): Array<[string, string, string]> {
  const runs: Array<[string, string, string]> = [];
  for (const item of items) {
    const text = 'text' in item && item.text ? item.text : undefined;
    const content = text ? text.content : JSON.stringify(item);
    const style = JSON.stringify(item.annotations ?? {});
    const link = text?.link?.url ?? '';
    const last = runs.at(-1);
    if (text && last && last[1] === style && last[2] === link) last[0] += content;
    else if (content !== '') runs.push([content, style, link]);
  }
  return runs;
}

/** A request value as the panel shows it: "Red", "a, b", "42", "Yes", "2026-01-15", the text. */
export function requestText(request: unknown): string {
  if (request === null || request === undefined) return '';
  if (typeof request !== 'object') return String(request);
  const [key, value] = Object.entries(request as Record<string, unknown>)[0] ?? [];
  if (value === null || value === undefined) return '';
  switch (key) {
    case 'title':
    case 'rich_text':
      return (value as Array<{ text?: { content: string } }>).map((t) => t.text?.content ?? '').join('');
    case 'select':
    case 'status':
      return (value as { name: string }).name;
    case 'multi_select':
      return (value as Array<{ name: string }>).map((o) => o.name).join(', ');
    case 'checkbox':
      return value ? 'Yes' : 'No';
    case 'date': {
      const d = value as { start: string; end?: string | null };
      return d.end ? `${d.start} → ${d.end}` : d.start;
    }
    default:
      return String(value);
  }
}
