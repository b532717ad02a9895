// Rich text and blocks as a caller writes them: checked against Notion's limits and turned into the
// shape Notion stores and serves. Every error names the JSON path of the offending value, as Notion
// does ("body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`…").
import { failed, fixOne, lengthAtMost, oneOf, validation } from './errors.ts';
import { normalizeId, objectUrl } from './ids.ts';
import {
  API_COLORS,
  CODE_LANGUAGES,
  LINK_SCHEMES,
  MAX_BLOCKS_PER_REQUEST,
  MAX_CHILDREN_PER_ARRAY,
  MAX_EQUATION_EXPRESSION,
  MAX_LINK_URL,
  MAX_NESTING_LEVELS,
  MAX_RICH_TEXT_ITEMS,
  MAX_TEXT_CONTENT,
  MAX_URL,
  VERSION_WITH_HEADING_4,
} from './limits.ts';
import type { RichText, Store } from './store.ts';

export interface ContentContext {
  store: Store;
  /** Notion-Version of the request (absent: the newest): heading_4 exists from 2026-03-11 on. */
  version?: string;
  /** Seeding from fixtures/tests: skip the per-request size limits (children per array, blocks per request). */
  seeding?: boolean;
}

/** A block a caller asked for, checked, before it gets an id. */
export interface NewBlock {
  type: string;
  data: Record<string, unknown>;
  children: NewBlock[];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw failed(path, 'an object', value);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw failed(path, 'a string', value);
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw failed(path, 'a boolean', value);
  return value;
}

/** Notion refuses unknown keys: "body.archived should be not present, instead was `true`." */
export function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw failed(`${path}.${key}`, 'not present', obj[key]);
  }
}

/** Dashed id, or Notion's refusal of something that is not a UUID. */
export function expectId(value: unknown, path: string): string {
  const id = normalizeId(value);
  if (!id) throw failed(path, 'a valid uuid', value);
  return id;
}

// ---------------------------------------------------------------------------------------------------
// Rich text

const ANNOTATION_FLAGS = ['bold', 'italic', 'strikethrough', 'underline', 'code'] as const;
const RICH_TEXT_TYPES = ['text', 'mention', 'equation'] as const;

export function isValidLinkUrl(url: string): boolean {
  try {
    return LINK_SCHEMES.includes(new URL(url).protocol);
  } catch {
    return false; // relative URLs and bare host names ("www.example.com") do not parse
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** An ISO 8601 date or date-time, returned as written. */
export function expectIsoDate(value: unknown, path: string): string {
  if (
    typeof value !== 'string' ||
    !(ISO_DATE.test(value) || ISO_DATE_TIME.test(value)) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw failed(path, 'a valid ISO 8601 date string', value);
  }
  return value;
}

/** {start, end?, time_zone?} → the stored {start, end, time_zone}. */
export function parseDateValue(
  value: unknown,
  path: string,
): { start: string; end: string | null; time_zone: string | null } {
  const date = expectObject(value, path);
  onlyKeys(date, ['start', 'end', 'time_zone'], path);
  if (date.start === undefined) throw failed(`${path}.start`, 'defined');
  const start = expectIsoDate(date.start, `${path}.start`);
  const end = date.end === undefined || date.end === null ? null : expectIsoDate(date.end, `${path}.end`);
  const timeZone =
    date.time_zone === undefined || date.time_zone === null ? null : expectString(date.time_zone, `${path}.time_zone`);
  return { start, end, time_zone: timeZone };
}

function parseAnnotations(value: unknown, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    bold: false,
    italic: false,
    strikethrough: false,
    underline: false,
    code: false,
    color: 'default',
  };
  if (value === undefined) return out;
  const given = expectObject(value, path);
  onlyKeys(given, [...ANNOTATION_FLAGS, 'color'], path);
  for (const flag of ANNOTATION_FLAGS) {
    if (given[flag] !== undefined) out[flag] = expectBoolean(given[flag], `${path}.${flag}`);
  }
  if (given.color !== undefined) out.color = expectColor(given.color, `${path}.color`);
  return out;
}

export function expectColor(value: unknown, path: string): string {
  if (typeof value !== 'string' || !API_COLORS.includes(value)) throw failed(path, oneOf(API_COLORS), value);
  return value;
}

export function parseRichText(value: unknown, path: string, ctx: ContentContext): RichText[] {
  if (!Array.isArray(value)) throw failed(path, 'an array', value);
  if (value.length > MAX_RICH_TEXT_ITEMS) {
    throw failed(`${path}.length`, lengthAtMost(MAX_RICH_TEXT_ITEMS), value.length);
  }
  return value.map((item, i) => parseRichTextItem(item, `${path}[${i}]`, ctx));
}

function parseRichTextItem(value: unknown, path: string, ctx: ContentContext): RichText {
  const item = expectObject(value, path);
  // plain_text and href are what the API serves; they are accepted (and ignored) so a caller can send
  // back rich text it read.
  onlyKeys(item, ['type', 'text', 'mention', 'equation', 'annotations', 'plain_text', 'href'], path);
  const kind = item.type ?? RICH_TEXT_TYPES.find((k) => k in item);
  if (kind === undefined) throw fixOne(RICH_TEXT_TYPES.map((k) => `${path}.${k}`));
  if (kind !== 'text' && kind !== 'mention' && kind !== 'equation') {
    throw failed(`${path}.type`, oneOf(RICH_TEXT_TYPES), item.type);
  }
  if (item[kind] === undefined) throw failed(`${path}.${kind}`, 'defined');
  const annotations = parseAnnotations(item.annotations, `${path}.annotations`);

  if (kind === 'text') {
    const text = expectObject(item.text, `${path}.text`);
    onlyKeys(text, ['content', 'link'], `${path}.text`);
    if (text.content === undefined) throw failed(`${path}.text.content`, 'defined');
    const content = expectString(text.content, `${path}.text.content`);
    if (content.length > MAX_TEXT_CONTENT) {
      throw failed(`${path}.text.content.length`, lengthAtMost(MAX_TEXT_CONTENT), content.length);
    }
    let href: string | null = null;
    if (text.link !== undefined && text.link !== null) {
      const link = expectObject(text.link, `${path}.text.link`);
      onlyKeys(link, ['url', 'type'], `${path}.text.link`);
      if (link.url === undefined) throw failed(`${path}.text.link.url`, 'defined');
      const url = expectString(link.url, `${path}.text.link.url`);
      if (url.length > MAX_LINK_URL) {
        throw failed(`${path}.text.link.url.length`, lengthAtMost(MAX_LINK_URL), url.length);
      }
      if (!isValidLinkUrl(url)) throw validation('Invalid URL for link.');
      href = url;
    }
    return {
      type: 'text',
      text: { content, link: href ? { url: href } : null },
      annotations,
      plain_text: content,
      href,
    };
  }

  if (kind === 'equation') {
    const equation = expectObject(item.equation, `${path}.equation`);
    onlyKeys(equation, ['expression'], `${path}.equation`);
    if (equation.expression === undefined) throw failed(`${path}.equation.expression`, 'defined');
    const expression = expectString(equation.expression, `${path}.equation.expression`);
    if (expression.length > MAX_EQUATION_EXPRESSION) {
      throw failed(`${path}.equation.expression.length`, lengthAtMost(MAX_EQUATION_EXPRESSION), expression.length);
    }
    return { type: 'equation', equation: { expression }, annotations, plain_text: expression, href: null };
  }

  return parseMention(expectObject(item.mention, `${path}.mention`), `${path}.mention`, annotations, ctx);
}

const MENTION_TYPES = ['user', 'date', 'page', 'database', 'template_mention'] as const;

function parseMention(
  mention: Record<string, unknown>,
  path: string,
  annotations: Record<string, unknown>,
  ctx: ContentContext,
): RichText {
  const kind = mention.type ?? MENTION_TYPES.find((k) => k in mention);
  if (typeof kind !== 'string' || !(MENTION_TYPES as readonly string[]).includes(kind)) {
    throw fixOne(MENTION_TYPES.map((k) => `${path}.${k}`));
  }
  onlyKeys(mention, ['type', kind], path);
  if (mention[kind] === undefined) throw failed(`${path}.${kind}`, 'defined');
  const base = (body: Record<string, unknown>, plain: string, href: string | null): RichText => ({
    type: 'mention',
    mention: { type: kind, [kind]: body },
    annotations,
    plain_text: plain,
    href,
  });

  if (kind === 'date') {
    const date = parseDateValue(mention.date, `${path}.date`);
    return base(date, date.end ? `${date.start} → ${date.end}` : date.start, null);
  }
  if (kind === 'template_mention') {
    const template = expectObject(mention.template_mention, `${path}.template_mention`);
    const which = template.template_mention_date ?? template.template_mention_user;
    const plain = which === 'today' ? '@Today' : which === 'now' ? '@Now' : which === 'me' ? '@Me' : undefined;
    if (!plain)
      throw fixOne([
        `${path}.template_mention.template_mention_date`,
        `${path}.template_mention.template_mention_user`,
      ]);
    return base(template, plain, null);
  }
  const target = expectObject(mention[kind], `${path}.${kind}`);
  const id = expectId(target.id, `${path}.${kind}.id`);
  if (kind === 'user') {
    const user = ctx.store.users.get(id);
    return base({ object: 'user', id }, user ? `@${user.name}` : '@Unknown user', null);
  }
  // A mention of something the integration cannot see still renders, as Notion's "Untitled".
  const visible = ctx.store.get(id) && ctx.store.isShared(id);
  const title = visible ? ctx.store.titleOf(id) : '';
  return base({ id }, title || 'Untitled', objectUrl(id));
}

// ---------------------------------------------------------------------------------------------------
// Blocks

/** Block types accepted on writes, in the order Notion lists them in a "Fix one" message. */
export const WRITABLE_BLOCK_TYPES = [
  'embed',
  'bookmark',
  'image',
  'video',
  'pdf',
  'file',
  'audio',
  'code',
  'equation',
  'divider',
  'breadcrumb',
  'table_of_contents',
  'link_to_page',
  'table_row',
  'table',
  'column_list',
  'column',
  'heading_1',
  'heading_2',
  'heading_3',
  'heading_4',
  'paragraph',
  'bulleted_list_item',
  'numbered_list_item',
  'quote',
  'to_do',
  'toggle',
  'callout',
] as const;

/** The block types a request of this version may write. */
function writableTypes(version: string | undefined): readonly string[] {
  if (version === undefined || version >= VERSION_WITH_HEADING_4) return WRITABLE_BLOCK_TYPES;
  return WRITABLE_BLOCK_TYPES.filter((type) => type !== 'heading_4');
}

const TEXT_BLOCK_EXTRA_KEYS: Record<string, readonly string[]> = {
  paragraph: ['icon'],
  heading_1: ['is_toggleable'],
  heading_2: ['is_toggleable'],
  heading_3: ['is_toggleable'],
  heading_4: ['is_toggleable'],
  bulleted_list_item: [],
  numbered_list_item: ['list_start_index', 'list_format'],
  to_do: ['checked'],
  toggle: [],
  quote: [],
  callout: ['icon'],
};

const MEDIA_BLOCKS = ['image', 'video', 'pdf', 'file', 'audio'];

/** Whether a block of this type (with this payload) can hold children. */
export function acceptsChildren(type: string, data: Record<string, unknown>): boolean {
  if (type.startsWith('heading_')) return data.is_toggleable === true;
  return (
    type in TEXT_BLOCK_EXTRA_KEYS ||
    type === 'table' ||
    type === 'column_list' ||
    type === 'column' ||
    type === 'child_page' ||
    type === 'synced_block'
  );
}

interface Walk {
  ctx: ContentContext;
  count: number;
}

/** Where new blocks go: decides which child types are allowed (table rows only in tables, …). */
export interface ContainerInfo {
  type: string;
  data: Record<string, unknown>;
}

/**
 * A request's `children` (pages.create, blocks.children.append), checked: ≤100 per array, ≤2 levels of
 * nesting, ≤1000 blocks in all, and every block's own rules.
 */
export function parseChildren(
  value: unknown,
  path: string,
  ctx: ContentContext,
  container?: ContainerInfo,
): NewBlock[] {
  const walk: Walk = { ctx, count: 0 };
  const blocks = parseBlockList(value, path, 0, walk, container);
  if (!ctx.seeding && walk.count > MAX_BLOCKS_PER_REQUEST) {
    throw validation(
      `${path.split('.')[0]} failed validation: the request holds ${walk.count} block elements; it should be ≤ \`${MAX_BLOCKS_PER_REQUEST}\`.`,
    );
  }
  return blocks;
}

function parseBlockList(
  value: unknown,
  path: string,
  depth: number,
  walk: Walk,
  container: ContainerInfo | undefined,
): NewBlock[] {
  if (!Array.isArray(value)) throw failed(path, 'an array', value);
  if (!walk.ctx.seeding && value.length > MAX_CHILDREN_PER_ARRAY) {
    throw failed(`${path}.length`, lengthAtMost(MAX_CHILDREN_PER_ARRAY), value.length);
  }
  return value.map((item, i) => parseBlock(item, `${path}[${i}]`, depth, walk, container));
}

function parseBlock(
  value: unknown,
  path: string,
  depth: number,
  walk: Walk,
  container: ContainerInfo | undefined,
): NewBlock {
  const item = expectObject(value, path);
  const named = Object.keys(item).filter((k) => k !== 'object' && k !== 'type');
  const type = item.type ?? (named.length === 1 ? named[0] : undefined);
  const writable = writableTypes(walk.ctx.version);
  if (typeof type !== 'string' || !writable.includes(type)) {
    throw fixOne(writable.map((t) => `${path}.${t}`));
  }
  if (item.object !== undefined && item.object !== 'block')
    throw failed(`${path}.object`, oneOf(['block']), item.object);
  onlyKeys(item, ['object', 'type', type], path);
  if (item[type] === undefined) throw failed(`${path}.${type}`, 'defined');
  walk.count++;
  checkPlacement(type, path, container);

  const payload = expectObject(item[type], `${path}.${type}`);
  const data = parseBlockPayload(type, payload, `${path}.${type}`, walk.ctx);
  if (type === 'table_row' && container?.type === 'table') {
    const width = container.data.table_width as number;
    const cells = data.cells as unknown[];
    if (cells.length !== width) {
      throw validation(
        `Number of cells in table row (${cells.length}) does not match the table's table_width (${width}) at ${path}.`,
      );
    }
  }

  const childrenPath = `${path}.${type}.children`;
  if (payload.children === undefined) {
    if (type === 'table' || type === 'column_list' || type === 'column') throw failed(childrenPath, 'defined');
    return { type, data, children: [] };
  }
  // Columns are layout, not nesting: a column's content sits at the column's own level.
  const childDepth = type === 'column' ? depth : depth + 1;
  if (!acceptsChildren(type, data) || childDepth > MAX_NESTING_LEVELS) {
    throw failed(childrenPath, 'not present', payload.children);
  }
  const children = parseBlockList(payload.children, childrenPath, childDepth, walk, { type, data });
  return { type, data, children };
}

function checkPlacement(type: string, path: string, container: ContainerInfo | undefined): void {
  const inTable = container?.type === 'table';
  if (inTable && type !== 'table_row') throw validation(`Only table_row blocks can be children of a table (${path}).`);
  if (!inTable && type === 'table_row') throw validation(`A table_row can only be a child of a table (${path}).`);
  if (container?.type === 'column_list' && type !== 'column') throw failed(`${path}.column`, 'defined');
  if (type === 'column' && container?.type !== 'column_list') {
    throw validation(`A column can only be a child of a column_list (${path}).`);
  }
}

/** The stored (response-shaped) payload of one block type. `children` is left to the caller. */
export function parseBlockPayload(
  type: string,
  payload: Record<string, unknown>,
  path: string,
  ctx: ContentContext,
): Record<string, unknown> {
  const extras = TEXT_BLOCK_EXTRA_KEYS[type];
  if (extras) {
    onlyKeys(payload, ['rich_text', 'color', 'children', ...extras], path);
    const data: Record<string, unknown> = { rich_text: requiredRichText(payload, path, ctx) };
    if (type.startsWith('heading_')) {
      data.is_toggleable =
        payload.is_toggleable === undefined ? false : expectBoolean(payload.is_toggleable, `${path}.is_toggleable`);
    }
    if (type === 'to_do') {
      data.checked = payload.checked === undefined ? false : expectBoolean(payload.checked, `${path}.checked`);
    }
    if (type === 'callout') {
      data.icon = payload.icon === undefined ? { type: 'emoji', emoji: '💡' } : parseIcon(payload.icon, `${path}.icon`);
    }
    if (type === 'paragraph' && payload.icon !== undefined) data.icon = parseIcon(payload.icon, `${path}.icon`);
    if (type === 'numbered_list_item') {
      if (payload.list_start_index !== undefined)
        data.list_start_index = expectPositiveInteger(payload.list_start_index, `${path}.list_start_index`);
      if (payload.list_format !== undefined) {
        if (!['numbers', 'letters', 'roman'].includes(payload.list_format as string)) {
          throw failed(`${path}.list_format`, oneOf(['numbers', 'letters', 'roman']), payload.list_format);
        }
        data.list_format = payload.list_format;
      }
    }
    data.color = payload.color === undefined ? 'default' : expectColor(payload.color, `${path}.color`);
    return data;
  }

  switch (type) {
    case 'code': {
      onlyKeys(payload, ['rich_text', 'language', 'caption'], path);
      const richText = requiredRichText(payload, path, ctx);
      if (payload.language === undefined) throw failed(`${path}.language`, 'defined');
      if (typeof payload.language !== 'string' || !CODE_LANGUAGES.includes(payload.language)) {
        throw failed(`${path}.language`, oneOf(CODE_LANGUAGES), payload.language);
      }
      return {
        caption: payload.caption === undefined ? [] : parseRichText(payload.caption, `${path}.caption`, ctx),
        rich_text: richText,
        language: payload.language,
      };
    }
    case 'equation': {
      onlyKeys(payload, ['expression'], path);
      if (payload.expression === undefined) throw failed(`${path}.expression`, 'defined');
      const expression = expectString(payload.expression, `${path}.expression`);
      if (expression.length > MAX_EQUATION_EXPRESSION) {
        throw failed(`${path}.expression.length`, lengthAtMost(MAX_EQUATION_EXPRESSION), expression.length);
      }
      return { expression };
    }
    case 'divider':
    case 'breadcrumb':
      onlyKeys(payload, [], path);
      return {};
    case 'table_of_contents':
      onlyKeys(payload, ['color'], path);
      return { color: payload.color === undefined ? 'default' : expectColor(payload.color, `${path}.color`) };
    case 'table': {
      onlyKeys(payload, ['table_width', 'has_column_header', 'has_row_header', 'children'], path);
      if (payload.table_width === undefined) throw failed(`${path}.table_width`, 'defined');
      return {
        table_width: expectPositiveInteger(payload.table_width, `${path}.table_width`),
        has_column_header:
          payload.has_column_header === undefined
            ? false
            : expectBoolean(payload.has_column_header, `${path}.has_column_header`),
        has_row_header:
          payload.has_row_header === undefined
            ? false
            : expectBoolean(payload.has_row_header, `${path}.has_row_header`),
      };
    }
    case 'table_row': {
      onlyKeys(payload, ['cells'], path);
      if (!Array.isArray(payload.cells)) throw failed(`${path}.cells`, 'an array', payload.cells);
      return { cells: payload.cells.map((cell, i) => parseRichText(cell, `${path}.cells[${i}]`, ctx)) };
    }
    case 'bookmark':
    case 'embed': {
      onlyKeys(payload, ['url', 'caption'], path);
      if (payload.url === undefined) throw failed(`${path}.url`, 'defined');
      return {
        caption: payload.caption === undefined ? [] : parseRichText(payload.caption, `${path}.caption`, ctx),
        url: expectUrl(payload.url, `${path}.url`),
      };
    }
    case 'column_list':
      onlyKeys(payload, ['children'], path);
      return {};
    case 'column': {
      onlyKeys(payload, ['children', 'width_ratio'], path);
      if (payload.width_ratio === undefined) return {};
      if (typeof payload.width_ratio !== 'number' || payload.width_ratio <= 0 || payload.width_ratio > 1) {
        throw failed(`${path}.width_ratio`, 'a number between 0 and 1', payload.width_ratio);
      }
      return { width_ratio: payload.width_ratio };
    }
    case 'link_to_page': {
      onlyKeys(payload, ['type', 'page_id', 'database_id'], path);
      const kind = payload.type ?? (payload.page_id !== undefined ? 'page_id' : 'database_id');
      if (kind !== 'page_id' && kind !== 'database_id') {
        throw failed(`${path}.type`, oneOf(['page_id', 'database_id']), payload.type);
      }
      if (payload[kind] === undefined) throw failed(`${path}.${kind}`, 'defined');
      return { type: kind, [kind]: expectId(payload[kind], `${path}.${kind}`) };
    }
    default:
      if (MEDIA_BLOCKS.includes(type)) return parseMedia(type, payload, path, ctx);
      throw validation(`Unsupported block type ${type} at ${path}.`);
  }
}

function parseMedia(
  type: string,
  payload: Record<string, unknown>,
  path: string,
  ctx: ContentContext,
): Record<string, unknown> {
  onlyKeys(payload, ['type', 'external', 'file_upload', 'caption', ...(type === 'file' ? ['name'] : [])], path);
  if (payload.file_upload !== undefined || payload.type === 'file_upload') {
    // The sandbox has no file upload endpoint, so no file_upload id can exist.
    throw validation(`File uploads are not available in this workspace (${path}.file_upload).`);
  }
  if (payload.external === undefined) throw fixOne([`${path}.external`, `${path}.file_upload`]);
  const external = expectObject(payload.external, `${path}.external`);
  onlyKeys(external, ['url'], `${path}.external`);
  if (external.url === undefined) throw failed(`${path}.external.url`, 'defined');
  const url = expectUrl(external.url, `${path}.external.url`);
  const data: Record<string, unknown> = {
    caption: payload.caption === undefined ? [] : parseRichText(payload.caption, `${path}.caption`, ctx),
    type: 'external',
    external: { url },
  };
  if (type === 'file') {
    data.name = payload.name === undefined ? fileNameOf(url) : expectString(payload.name, `${path}.name`);
  }
  return data;
}

/** The last path segment of a URL, as Notion names an external file it was given no name for. */
function fileNameOf(url: string): string {
  const last = url.split(/[?#]/)[0]?.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last) || 'file';
  } catch {
    return last || 'file';
  }
}

function requiredRichText(payload: Record<string, unknown>, path: string, ctx: ContentContext): RichText[] {
  if (payload.rich_text === undefined) throw failed(`${path}.rich_text`, 'defined');
  return parseRichText(payload.rich_text, `${path}.rich_text`, ctx);
}

function expectPositiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw failed(path, 'a positive integer', value);
  return value;
}

export function expectUrl(value: unknown, path: string): string {
  const url = expectString(value, path);
  if (url.length > MAX_URL) throw failed(`${path}.length`, lengthAtMost(MAX_URL), url.length);
  return url;
}

/** A page or callout icon: emoji, external image, Notion icon or custom emoji; null clears it. */
export function parseIcon(value: unknown, path: string): Record<string, unknown> | null {
  if (value === null) return null;
  const icon = expectObject(value, path);
  const kind = icon.type ?? ['emoji', 'external', 'icon', 'custom_emoji', 'file_upload'].find((k) => k in icon);
  switch (kind) {
    case 'emoji':
      onlyKeys(icon, ['type', 'emoji'], path);
      return { type: 'emoji', emoji: expectString(icon.emoji, `${path}.emoji`) };
    case 'external': {
      onlyKeys(icon, ['type', 'external'], path);
      const external = expectObject(icon.external, `${path}.external`);
      return { type: 'external', external: { url: expectUrl(external.url, `${path}.external.url`) } };
    }
    case 'icon': {
      onlyKeys(icon, ['type', 'icon'], path);
      const body = expectObject(icon.icon, `${path}.icon`);
      return {
        type: 'icon',
        icon: { name: expectString(body.name, `${path}.icon.name`), color: body.color ?? 'gray' },
      };
    }
    case 'custom_emoji': {
      onlyKeys(icon, ['type', 'custom_emoji'], path);
      const body = expectObject(icon.custom_emoji, `${path}.custom_emoji`);
      const id = expectId(body.id, `${path}.custom_emoji.id`);
      return { type: 'custom_emoji', custom_emoji: { id, name: body.name ?? '', url: body.url ?? '' } };
    }
    case 'file_upload':
      throw validation(`File uploads are not available in this workspace (${path}.file_upload).`);
    default:
      throw fixOne([
        `${path}.emoji`,
        `${path}.external`,
        `${path}.icon`,
        `${path}.custom_emoji`,
        `${path}.file_upload`,
      ]);
  }
}

/** A page cover: an external image; null clears it. */
export function parseCover(value: unknown, path: string): Record<string, unknown> | null {
  if (value === null) return null;
  const cover = expectObject(value, path);
  onlyKeys(cover, ['type', 'external', 'file_upload'], path);
  if (cover.external === undefined) throw fixOne([`${path}.external`, `${path}.file_upload`]);
  const external = expectObject(cover.external, `${path}.external`);
  return { type: 'external', external: { url: expectUrl(external.url, `${path}.external.url`) } };
}

/** The stored payload of an existing block after an update: the new fields merged over the old ones. */
export function parseBlockUpdate(
  type: string,
  current: Record<string, unknown>,
  payload: Record<string, unknown>,
  path: string,
  ctx: ContentContext,
): Record<string, unknown> {
  if ('children' in payload) throw failed(`${path}.children`, 'not present', payload.children);
  if (type === 'table' && payload.table_width !== undefined && payload.table_width !== current.table_width) {
    throw failed(`${path}.table_width`, 'not present', payload.table_width);
  }
  return parseBlockPayload(type, { ...current, ...payload }, path, ctx);
}
