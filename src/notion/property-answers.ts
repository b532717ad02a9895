// A model's answer checked against its column before any request is sent: each type converted where a
// safe conversion exists (answer-values.ts reads the forms), refused with a reason a person can act on
// otherwise. Pure. A little over 300 lines: one coercion per column type, read top to bottom.
import {
  dateOrder,
  fromPercent,
  hasOffset,
  readCheckbox,
  readDate,
  readNumberText,
  readTimeZone,
  splitDateRange,
} from './answer-values';
import { textToRichText, toNotionLinkUrl } from './rich-text';
import { type PropertyRequestValue, type OutputSpec } from '../shared/notion-shapes';

import {
  LISTED_OPTIONS_MAX,
  NOTION_EMAIL_MAX_CHARS,
  NOTION_MULTI_SELECT_MAX_VALUES,
  NOTION_PHONE_MAX_CHARS,
  PROPERTY_TEXT_MAX_CHARS,
  QUOTED_ANSWER_MAX_CHARS,
  SELECT_MAX_OPTIONS,
  SELECT_OPTION_NAME_MAX_CHARS,
} from './properties';

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
  const trimmed = text.replace(/\r\n?/g, '\n').trim();
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
function chooseOption(spec: OutputSpec, raw: string, added: number, adding: number = added + 1): Chosen {
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
    return { ok: false, reason: `${notOne}, and ${optionCount(options.length, adding)}.` };
  }
  return { ok: true, name };
}

/** "the column has 99 options and this answer adds 2 (101 in all); Notion allows at most 100". */
function optionCount(existing: number, adding: number): string {
  const has =
    existing >= SELECT_MAX_OPTIONS
      ? `the column already has ${existing} options`
      : `the column has ${existing} options`;
  const adds = adding === 1 ? 'this answer adds 1' : `this answer adds ${adding}`;
  return `${has} and ${adds} (${existing + adding} in all); Notion allows at most ${SELECT_MAX_OPTIONS}, so no more are added`;
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

/** How many distinct names of an answer are not options yet: what it would add to the column. */
function newNames(spec: OutputSpec, names: readonly string[]): number {
  const existing = new Set((spec.options ?? []).map(optionKey));
  return new Set(names.map(optionKey).filter((key) => key !== '' && !existing.has(key))).size;
}

function coerceMultiSelect(spec: OutputSpec, value: unknown): Coerced {
  const raw = answerList(spec, value);
  if (raw === undefined) return fail(`${answered(spec, value)}, which is not a list of options.`);
  const names: string[] = [];
  const seen = new Set<string>();
  let added = 0;
  const adding = newNames(spec, raw);
  for (const item of raw) {
    const chosen = chooseOption(spec, item, added, adding);
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

/**
 * A number, or text that is one: "$3", "1,234.5", "-1.5e3", "(12)". "12%" is 0.12 in a column formatted
 * as percent (Notion stores 12 % as 0.12) and 12 elsewhere.
 */
function coerceNumber(spec: OutputSpec, value: unknown): Coerced {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const reading = readNumberText(value);
    if (reading) n = reading.percent && spec.numberFormat === 'percent' ? fromPercent(reading.value) : reading.value;
  }
  if (n === undefined || !Number.isFinite(n)) return fail(`${answered(spec, value)}, which is not a number.`);
  return { ok: true, request: { number: n } };
}

function coerceCheckbox(spec: OutputSpec, value: unknown): Coerced {
  const checked = readCheckbox(value);
  if (checked === undefined) return fail(`${answered(spec, value)}, which is not yes or no.`);
  return { ok: true, request: { checkbox: checked } };
}

/**
 * A date, a date-time, a range ("2026-02-01 → 2026-02-05", or Notion's own `{start, end, time_zone}`),
 * in any form with one reading (answer-values.ts). A time zone is kept only for times without an offset,
 * as Notion requires.
 */
function coerceDate(spec: OutputSpec, value: unknown): Coerced {
  const invalid = (ambiguity?: string): Coerced =>
    fail(
      ambiguity
        ? `${answered(spec, value)}, which could be ${ambiguity}: ask for dates as YYYY-MM-DD.`
        : `${answered(spec, value)}, which is not a date like 2026-01-31.`,
    );
  let ends: unknown[];
  let zone: unknown;
  if (typeof value === 'string') ends = splitDateRange(value);
  else if (isDateObject(value)) {
    ends = value.end === undefined || value.end === null || value.end === '' ? [value.start] : [value.start, value.end];
    zone = value.time_zone;
  } else return invalid();
  const dates: string[] = [];
  for (const end of ends) {
    if (typeof end !== 'string') return invalid();
    const reading = readDate(end);
    if (!reading.ok) return invalid(reading.ambiguity);
    dates.push(reading.date);
  }
  const [start, end] = dates;
  if (start === undefined) return invalid();
  if (end !== undefined && dateOrder(end) < dateOrder(start)) {
    return fail(`${answered(spec, value)}, a range that ends before it starts.`);
  }
  const timeZone = zone === undefined || zone === null ? undefined : readTimeZone(zone);
  if (zone !== undefined && zone !== null && timeZone === undefined) {
    return fail(`${answered(spec, value)}, whose time zone is not one Notion knows (like Europe/Paris).`);
  }
  const floating = dates.filter((date) => date.includes('T') && !hasOffset(date));
  // Notion would read a time without an offset as UTC: 09:00 meant in Paris would show as 10:00.
  if (floating.length > 0 && timeZone === undefined) {
    return fail(`${answered(spec, value)}, a time without a time zone (write it like 2026-02-01T09:00:00+01:00).`);
  }
  const keepZone = timeZone !== undefined && floating.length > 0;
  return { ok: true, request: { date: { start, end: end ?? null, time_zone: keepZone ? timeZone : null } } };
}

function isDateObject(value: unknown): value is { start: unknown; end?: unknown; time_zone?: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'start' in value;
}

function coerceUrl(spec: OutputSpec, value: unknown): Coerced {
  // toNotionLinkUrl checks the 2,000-character limit and the schemes Notion links to.
  const url = typeof value === 'string' ? toNotionLinkUrl(value) : null;
  if (url === null) {
    return fail(`${answered(spec, value)}, which is not a full web address (like https://example.com).`);
  }
  return { ok: true, request: { url } };
}

/**
 * Something@domain.tld, no spaces, a domain of letters, digits and hyphens (any script): enough to catch
 * prose and URLs, not a full RFC 5322 check.
 */
const SIMPLE_EMAIL = /^[^\s@]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u;

/** "mailto:bob@example.com?subject=Hi" and "Bob <bob@example.com>" are bob@example.com. */
function emailOf(value: unknown): string {
  if (typeof value !== 'string') return '';
  const text = value.trim();
  const named = /^[^<>]*<([^<>\s]+)>$/.exec(text)?.[1] ?? text;
  return named.replace(/^mailto:/i, '').replace(/\?.*$/, '');
}

function coerceEmail(spec: OutputSpec, value: unknown): Coerced {
  const email = emailOf(value);
  if (!SIMPLE_EMAIL.test(email) || email.length > NOTION_EMAIL_MAX_CHARS) {
    return fail(`${answered(spec, value)}, which is not an email address.`);
  }
  return { ok: true, request: { email } };
}

function coercePhone(spec: OutputSpec, value: unknown): Coerced {
  // A tel: link is the number it dials.
  const phone = (typeof value === 'string' || typeof value === 'number' ? String(value) : '')
    .trim()
    .replace(/^tel:\s*/i, '');
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
