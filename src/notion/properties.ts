// Database property values in and out: a cell as a person reads it (prompts, the panel's table), a
// cell back in request form (Undo), and a model's answer checked against its column before any
// request is sent (apis.md §1.5–1.6, limits §1.9). Pure: no network.
import type { PageObjectResponse, RichTextItemResponse, UpdatePageParameters } from '@notionhq/client';
import { NOTION_RICH_TEXT_MAX_ITEMS, NOTION_TEXT_MAX_CHARS } from './limits';
import { textToRichText, toNotionLinkUrl, type RichTextAnnotations } from './rich-text';
import {
  type RichTextItemRequest,
  type PropertyRequestValue,
  WRITABLE_OUTPUT_TYPES,
  type DateRequestValue,
  type OutputSpec,
} from '../shared/notion-shapes';

/** One property value of a page as Notion returns it (`page.properties[name]`). */
export type PropertyValue = PageObjectResponse['properties'][string];

/** The `properties` of a `pages.update` body, as the SDK types it. */
export type UpdateProperties = NonNullable<UpdatePageParameters['properties']>;

// ---- Notion's limits for property values (apis.md §1.9; not in limits.ts, which is about blocks) ----

/** Max characters in an email property. */
export const NOTION_EMAIL_MAX_CHARS = 200;
/** Max characters in a phone_number property. */
export const NOTION_PHONE_MAX_CHARS = 200;
/** Max values in one multi_select request value. */
export const NOTION_MULTI_SELECT_MAX_VALUES = 100;
/**
 * Max options a select or multi_select column can hold before Inkling stops adding new ones. The
 * brief's rule, matching the 100-value limit: a column that long is a list nobody reads.
 */
export const SELECT_MAX_OPTIONS = 100;
/** Max characters in an option name; Notion rejects longer names. */
export const SELECT_OPTION_NAME_MAX_CHARS = 100;
/** Max characters a text property can take: 100 items of 2,000. */
export const PROPERTY_TEXT_MAX_CHARS = NOTION_RICH_TEXT_MAX_ITEMS * NOTION_TEXT_MAX_CHARS;

/** How much of a model's answer a reason quotes, in characters: enough to recognise it. */
const QUOTED_ANSWER_MAX_CHARS = 80;
/** How many of a column's options a reason lists before "and N more". */
const LISTED_OPTIONS_MAX = 20;
/** Where Notion's relative page links ("/abc…") point. */
const NOTION_ORIGIN = 'https://www.notion.so';

// ---- Reading ----

type RollupValue = Extract<PropertyValue, { type: 'rollup' }>['rollup'];
/** A value inside a rollup's array: like a property value, without the id. */
type RollupItem = Extract<RollupValue, { type: 'array' }>['array'][number];
type DateValue = { start: string; end: string | null } | null;

const plainText = (items: readonly RichTextItemResponse[]): string => items.map((t) => t.plain_text).join('');

// `String` never uses an exponent between 1e-6 and 1e21, which covers every number people type.
const numberText = (n: number | null): string => (n === null ? '' : String(n));

const dateText = (date: DateValue): string => {
  if (!date) return '';
  return date.end ? `${date.start} → ${date.end}` : date.start;
};

const yesNo = (b: boolean | null): string => (b === null ? '' : b ? 'Yes' : 'No');

// A partial user (only an id) has no name to show, but it is still somebody.
const personName = (user: object): string =>
  ('name' in user && typeof user.name === 'string' && user.name) || 'a person';

/**
 * Any property value as a person would read it. Used for prompts and the panel's table, so it is
 * plain, short and never throws on a type it does not know ('').
 */
export function propertyText(value: PropertyValue | undefined): string {
  return value === undefined ? '' : valueText(value);
}

function valueText(value: PropertyValue | RollupItem): string {
  switch (value.type) {
    case 'title':
      return plainText(value.title);
    case 'rich_text':
      return plainText(value.rich_text);
    case 'number':
      return numberText(value.number);
    case 'select':
      return value.select?.name ?? '';
    case 'status':
      return value.status?.name ?? '';
    case 'multi_select':
      return value.multi_select.map((o) => o.name).join(', ');
    case 'date':
      return dateText(value.date);
    case 'checkbox':
      return yesNo(value.checkbox);
    case 'url':
      return value.url ?? '';
    case 'email':
      return value.email ?? '';
    case 'phone_number':
      return value.phone_number ?? '';
    case 'people':
      return value.people.map((p) => personName(p)).join(', ');
    case 'files':
      return value.files.map((f) => f.name).join(', ');
    case 'relation':
      return relationText(value);
    case 'formula':
      return formulaText(value.formula);
    case 'rollup':
      return rollupText(value.rollup);
    case 'created_time':
      return value.created_time;
    case 'last_edited_time':
      return value.last_edited_time;
    case 'created_by':
      return personName(value.created_by);
    case 'last_edited_by':
      return personName(value.last_edited_by);
    case 'unique_id': {
      const { prefix, number } = value.unique_id;
      if (number === null) return '';
      return prefix ? `${prefix}-${number}` : String(number);
    }
    case 'verification':
      return verificationText(value.verification?.state);
    case 'place':
      return value.place ? (value.place.name ?? value.place.address ?? `${value.place.lat}, ${value.place.lon}`) : '';
    default:
      return '';
  }
}

function relationText(value: Extract<RollupItem, { type: 'relation' }>): string {
  const count = value.relation.length;
  if (count === 0) return '';
  // The page object lists at most 25 related pages and says `has_more` when there are others.
  const more = 'has_more' in value && value.has_more === true ? '+' : '';
  return `${count}${more} linked ${count === 1 && !more ? 'page' : 'pages'}`;
}

function formulaText(formula: Extract<PropertyValue, { type: 'formula' }>['formula']): string {
  switch (formula.type) {
    case 'string':
      return formula.string ?? '';
    case 'number':
      return numberText(formula.number);
    case 'boolean':
      return yesNo(formula.boolean);
    case 'date':
      return dateText(formula.date);
    default:
      return '';
  }
}

function rollupText(rollup: RollupValue): string {
  switch (rollup.type) {
    case 'number':
      return numberText(rollup.number);
    case 'date':
      return dateText(rollup.date);
    case 'array':
      return rollup.array
        .map((item) => valueText(item))
        .filter((text) => text !== '')
        .join(', ');
    default:
      return '';
  }
}

function verificationText(state: string | undefined): string {
  if (state === 'verified') return 'Verified';
  if (state === 'expired') return 'Expired';
  return '';
}

/**
 * True when the cell holds nothing: empty or whitespace-only text, null select/number/date/url…,
 * an empty multi_select or relation. A checkbox is empty when unticked, so "only rows where Done is
 * empty" means the unticked ones.
 */
export function isEmptyValue(value: PropertyValue | undefined): boolean {
  if (value === undefined) return true;
  if (value.type === 'checkbox') return !value.checkbox;
  return propertyText(value).trim() === '';
}

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
  const now =
    value === undefined || !WRITABLE_OUTPUT_TYPES.includes(value.type) ? undefined : comparable(toRequestValue(value));
  const then = request === undefined ? undefined : comparable(request);
  return JSON.stringify(now ?? null) === JSON.stringify(then ?? null);
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

// ---- Checking a model's answer ----

export type Coerced = { ok: true; request: PropertyRequestValue; note?: string } | { ok: false; reason: string };

const fail = (reason: string): Coerced => ({ ok: false, reason });

/** A model's answer quoted for a person: strings in quotes, cut to a recognisable length. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > QUOTED_ANSWER_MAX_CHARS ? `${text.slice(0, QUOTED_ANSWER_MAX_CHARS)}…` : text;
  return typeof value === 'string' ? `“${cut}”` : cut;
}

const answered = (spec: OutputSpec, value: unknown): string => `The model answered ${shown(value)} for “${spec.name}”`;

/** Numbers and booleans read as text; anything else is not text. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * An answer value for one output → the update request value, checked against the column, or a
 * reason a person can act on (naming the column and the value).
 */
export function coerceAnswer(spec: OutputSpec, value: unknown): Coerced {
  if (value === null || value === undefined) return fail(`The model gave no value for “${spec.name}”.`);
  switch (spec.type) {
    case 'title':
    case 'rich_text':
      return coerceText(spec, value);
    case 'select':
    case 'status':
      return coerceSelect(spec, value);
    case 'multi_select':
      return coerceMultiSelect(spec, value);
    case 'number':
      return coerceNumber(spec, value);
    case 'checkbox':
      return coerceCheckbox(spec, value);
    case 'date':
      return coerceDate(spec, value);
    case 'url':
      return coerceUrl(spec, value);
    case 'email':
      return coerceEmail(spec, value);
    case 'phone_number':
      return coercePhone(spec, value);
    default:
      return fail(`Inkling can’t write answers into “${spec.name}”, a ${spec.type} property.`);
  }
}

function coerceText(spec: OutputSpec, value: unknown): Coerced {
  const text = asText(value);
  if (text === undefined) return fail(`${answered(spec, value)}, which is not text.`);
  const trimmed = text.trim();
  const { items, truncated } = textToRichText(trimmed);
  const request: PropertyRequestValue = spec.type === 'title' ? { title: items } : { rich_text: items };
  if (!truncated) return { ok: true, request };
  const kept = items.reduce((sum, item) => sum + ('text' in item ? item.text.content.length : 0), 0);
  return {
    ok: true,
    request,
    note: `Text was cut to ${kept.toLocaleString('en')} of ${trimmed.length.toLocaleString('en')} characters (Notion's limit for a property is ${PROPERTY_TEXT_MAX_CHARS.toLocaleString('en')}).`,
  };
}

/** How two option names compare when not spelled exactly alike. */
const optionKey = (name: string): string => name.normalize('NFC').trim().toLowerCase();

function optionList(options: readonly string[]): string {
  if (options.length === 0) return 'it has none yet';
  const listed = options.slice(0, LISTED_OPTIONS_MAX).join(', ');
  const more = options.length - LISTED_OPTIONS_MAX;
  return more > 0 ? `${listed} and ${more} more` : listed;
}

type Chosen = { ok: true; name: string } | { ok: false; reason: string };

/**
 * One option name for a select, status or multi-select answer: the existing spelling when it
 * matches (exactly, else ignoring case and surrounding spaces), else a new option where allowed.
 * `added` counts new names already chosen in this answer, toward the column's option limit.
 */
function chooseOption(spec: OutputSpec, raw: string, added: number): Chosen {
  const options = spec.options ?? [];
  const exact = options.find((o) => o === raw);
  if (exact !== undefined) return { ok: true, name: exact };
  const key = optionKey(raw);
  const loose = options.find((o) => optionKey(o) === key);
  if (loose !== undefined) return { ok: true, name: loose };

  const name = raw.trim();
  if (name === '') return { ok: false, reason: `The model gave no value for “${spec.name}”.` };
  const notOne = `${answered(spec, raw)}, which is not one of its options (${optionList(options)})`;
  // Status options can only be created in Notion's own UI (apis.md §1.6).
  if (spec.type === 'status' || !spec.allowNewOptions) return { ok: false, reason: `${notOne}.` };
  if (name.includes(',')) return { ok: false, reason: `${notOne}, and Notion doesn’t allow commas in option names.` };
  if (name.length > SELECT_OPTION_NAME_MAX_CHARS) {
    return {
      ok: false,
      reason: `${notOne}, and it is too long for an option (at most ${SELECT_OPTION_NAME_MAX_CHARS} characters).`,
    };
  }
  if (options.length + added >= SELECT_MAX_OPTIONS) {
    return {
      ok: false,
      reason: `${notOne}, and the column already has ${SELECT_MAX_OPTIONS} options, so no more are added.`,
    };
  }
  return { ok: true, name };
}

function coerceSelect(spec: OutputSpec, value: unknown): Coerced {
  const text = asText(value);
  if (text === undefined) return fail(`${answered(spec, value)}, which is not one option.`);
  const chosen = chooseOption(spec, text, 0);
  if (!chosen.ok) return fail(chosen.reason);
  const option = { name: chosen.name };
  return { ok: true, request: spec.type === 'status' ? { status: option } : { select: option } };
}

/** The answer as a list of option names: an array, or a comma-separated string. */
function answerList(spec: OutputSpec, value: unknown): string[] | undefined {
  if (Array.isArray(value)) {
    const names = value.map(asText);
    return names.every((n): n is string => n !== undefined) ? names : undefined;
  }
  const text = asText(value);
  if (text === undefined) return undefined;
  // A whole string that is one existing option stays whole, even if that option has a comma.
  if ((spec.options ?? []).some((o) => optionKey(o) === optionKey(text))) return [text];
  return text.split(',').filter((part) => part.trim() !== '');
}

function coerceMultiSelect(spec: OutputSpec, value: unknown): Coerced {
  const raw = answerList(spec, value);
  if (raw === undefined) return fail(`${answered(spec, value)}, which is not a list of options.`);
  const names: string[] = [];
  const seen = new Set<string>();
  let added = 0;
  for (const item of raw) {
    const chosen = chooseOption(spec, item, added);
    if (!chosen.ok) return fail(chosen.reason);
    const key = optionKey(chosen.name);
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(chosen.name);
    if (!(spec.options ?? []).includes(chosen.name)) added++;
  }
  const kept = names.slice(0, NOTION_MULTI_SELECT_MAX_VALUES);
  const request: PropertyRequestValue = { multi_select: kept.map((name) => ({ name })) };
  if (kept.length === names.length) return { ok: true, request };
  return {
    ok: true,
    request,
    note: `Only the first ${NOTION_MULTI_SELECT_MAX_VALUES} of ${names.length} values were kept for “${spec.name}” (Notion's limit).`,
  };
}

/** Plain decimal numbers, optionally signed, with optional thousands separators: no units or %. */
const NUMERIC_TEXT = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$/;

function coerceNumber(spec: OutputSpec, value: unknown): Coerced {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    // The pattern also matches "", "+" and "-", which have no digits.
    if (NUMERIC_TEXT.test(text) && /\d/.test(text)) n = Number(text.replace(/,/g, ''));
  }
  if (n === undefined || !Number.isFinite(n)) return fail(`${answered(spec, value)}, which is not a number.`);
  return { ok: true, request: { number: n } };
}

const CHECKBOX_WORDS: Record<string, boolean> = { yes: true, true: true, no: false, false: false };

function coerceCheckbox(spec: OutputSpec, value: unknown): Coerced {
  if (typeof value === 'boolean') return { ok: true, request: { checkbox: value } };
  const word = typeof value === 'string' ? CHECKBOX_WORDS[value.trim().toLowerCase()] : undefined;
  if (word === undefined) return fail(`${answered(spec, value)}, which is not yes or no.`);
  return { ok: true, request: { checkbox: word } };
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
/** The separator propertyText puts between a range's start and end; a model may copy it back. */
const DATE_RANGE_SEPARATOR = /\s*→\s*/;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids DST surprises.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for a real calendar date ("2026-02-30" is not) or a datetime with a UTC offset. */
function isValidIsoDate(text: string): boolean {
  const match = DATE_ONLY.exec(text) ?? DATE_TIME.exec(text);
  if (!match) return false;
  const [, y, mo, d, h = '0', mi = '0', s = '0', oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59 && Number(oh) <= 23 && Number(om) <= 59;
}

function coerceDate(spec: OutputSpec, value: unknown): Coerced {
  const invalid = fail(`${answered(spec, value)}, which is not a date like 2026-01-31.`);
  if (typeof value !== 'string') return invalid;
  const parts = value.trim().split(DATE_RANGE_SEPARATOR);
  const [start, end] = parts;
  if (start === undefined || parts.length > 2 || !isValidIsoDate(start)) return invalid;
  if (end !== undefined && !isValidIsoDate(end)) return invalid;
  return { ok: true, request: { date: { start, end: end ?? null, time_zone: null } } };
}

function coerceUrl(spec: OutputSpec, value: unknown): Coerced {
  const url = typeof value === 'string' ? toNotionLinkUrl(value) : null;
  // toNotionLinkUrl checks the 2,000-character limit, and also takes tel: links, which are not
  // web addresses for a URL column.
  if (url === null || url.toLowerCase().startsWith('tel:')) {
    return fail(`${answered(spec, value)}, which is not a full web address (like https://example.com).`);
  }
  return { ok: true, request: { url } };
}

/** Something@something.tld, no spaces: enough to catch prose answers, not a full RFC 5322 check. */
const SIMPLE_EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

function coerceEmail(spec: OutputSpec, value: unknown): Coerced {
  const email = typeof value === 'string' ? value.trim() : '';
  if (!SIMPLE_EMAIL.test(email) || email.length > NOTION_EMAIL_MAX_CHARS) {
    return fail(`${answered(spec, value)}, which is not an email address.`);
  }
  return { ok: true, request: { email } };
}

function coercePhone(spec: OutputSpec, value: unknown): Coerced {
  const phone = (typeof value === 'string' || typeof value === 'number' ? String(value) : '').trim();
  if (!/\d/.test(phone) || phone.length > NOTION_PHONE_MAX_CHARS) {
    return fail(`${answered(spec, value)}, which is not a phone number.`);
  }
  return { ok: true, request: { phone_number: phone } };
}

/** Builds the `properties` object of a pages.update body (keys are property ids). */
export function updateBody(
  values: Array<{ spec: OutputSpec; request: PropertyRequestValue }>,
): Record<string, PropertyRequestValue> {
  const properties: Record<string, PropertyRequestValue> = {};
  // Ids, not names: a column renamed while a run is going still gets its answer.
  for (const { spec, request } of values) properties[spec.id] = request;
  return properties;
}
