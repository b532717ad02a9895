// A model's answer checked against its column before any request is sent: each type converted where a
// safe conversion exists, refused with a reason a person can act on otherwise. Pure.
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
