// Reading the values models write for typed columns, generously where one reading is certain: "$3",
// "12%", "1,234.5" and "-1.5e3" are numbers; "yes", "1" and "✓" tick a checkbox; "February 1, 2026",
// "2026/02/01" and "1 Feb 2026" are dates. What has two readings ("03/02/2026") is refused, naming both.
// Pure.

// ---- Numbers ----

/**
 * Digits with optional thousands commas (groups of exactly three, never after a lone 0: "0,125" is a
 * decimal comma, refused as having two readings), decimals and an exponent.
 */
const NUMBER_TEXT = /^(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const CURRENCY_SYMBOLS = /^[$€£¥₹₩₽¢₺₴₦฿₫₱]|[$€£¥₹₩₽¢₺₴₦฿₫₱]$/g;
/** The ISO 4217 codes people write beside amounts ("USD 3", "3 EUR"); other capitals ("3 MLN") are units. */
const CURRENCY_CODES =
  'USD|EUR|GBP|JPY|CNY|INR|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|TRY|RUB|UAH|BRL|MXN|ARS|CLP|COP|PEN|ZAR|NGN|KES|EGP|MAD|AED|SAR|ILS|KRW|SGD|HKD|TWD|THB|VND|IDR|MYR|PHP|PKR|BDT';
const CURRENCY_CODE = new RegExp(`^(?:${CURRENCY_CODES})\\s+|\\s+(?:${CURRENCY_CODES})$`, 'g');

export interface NumberReading {
  value: number;
  /** Written with a % sign: the caller decides whether 12% is 12 or 0.12. */
  percent: boolean;
}

/** A number written as text, or undefined when it is not one (units, words, two numbers). */
export function readNumberText(raw: string): NumberReading | undefined {
  let text = raw.trim().replace(/\u2212/g, '-');
  let negative = false;
  // Accounting style: (1,234) is -1,234.
  const parenthesised = /^\((.*)\)$/.exec(text);
  if (parenthesised) {
    negative = true;
    text = (parenthesised[1] ?? '').trim();
  }
  const sign = /^[+-]/.exec(text)?.[0];
  if (sign) {
    if (negative) return undefined;
    negative = sign === '-';
    text = text.slice(1).trim();
  }
  text = text.replace(CURRENCY_CODE, '').replace(CURRENCY_SYMBOLS, '').trim();
  // A sign may also follow the currency: "$-3".
  if (!sign && !negative && text.startsWith('-')) {
    negative = true;
    text = text.slice(1);
  }
  const percent = text.endsWith('%');
  if (percent) text = text.slice(0, -1).trim();
  if (!/\d/.test(text) || !NUMBER_TEXT.test(text) || /^e/i.test(text)) return undefined;
  const value = Number(text.replace(/,/g, ''));
  if (!Number.isFinite(value)) return undefined;
  return { value: negative ? -value : value, percent };
}

/** 12 → 0.12, without binary noise (7 / 100 is 0.07, not 0.07000000000000001). */
export const fromPercent = (value: number): number => Number((value / 100).toPrecision(15));

// ---- Checkboxes ----

const CHECKBOX_WORDS: Record<string, boolean> = {
  yes: true,
  y: true,
  true: true,
  '1': true,
  on: true,
  checked: true,
  done: true,
  x: true,
  '[x]': true,
  '✓': true,
  '✔': true,
  '✅': true,
  '☑': true,
  no: false,
  n: false,
  false: false,
  '0': false,
  off: false,
  unchecked: false,
  '[ ]': false,
  '✗': false,
  '✖': false,
  '❌': false,
  '☐': false,
};

/** A yes/no answer as true or false; undefined when it is neither. */
export function readCheckbox(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  // U+FE0F asks for the emoji form of ✔ or ☑; most emoji keyboards add it.
  return CHECKBOX_WORDS[
    value
      .trim()
      .toLowerCase()
      .replace(/\uFE0F/g, '')
      .replace(/[.!]$/, '')
  ];
}

// ---- Dates ----

export type DateReading = { ok: true; date: string } | { ok: false; ambiguity?: string };

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_NAMES = MONTHS.map((m) => m[0]!.toUpperCase() + m.slice(1));

/** A month by its English name or a common abbreviation ("Feb", "Sept."), 1–12. */
function monthNumber(word: string): number | undefined {
  const key = word.toLowerCase().replace(/\.$/, '');
  if (key.length < 3) return undefined;
  const index = MONTHS.findIndex((m) => m === key || (m.startsWith(key) && (key.length === 3 || key === 'sept')));
  return index === -1 ? undefined : index + 1;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const YEAR_FIRST = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const WEEKDAY = /^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+/i;
const MONTH_DAY_YEAR = /^([a-z]+\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/i;
const DAY_MONTH_YEAR = /^(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]+\.?),?\s+(\d{4})$/i;

const pad = (n: number): string => String(n).padStart(2, '0');

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids DST surprises.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A real day of years 1000–9999 (what ISO 8601's four digits and Notion hold) as YYYY-MM-DD. */
function calendarDate(year: number, month: number, day: number): string | undefined {
  if (year < 1000 || year > 9999) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

const spelled = (year: number, month: number, day: number): string => `${MONTH_NAMES[month - 1]} ${day}, ${year}`;
const spelledDayFirst = (year: number, month: number, day: number): string =>
  `${day} ${MONTH_NAMES[month - 1]} ${year}`;

/**
 * One date or date-time as Notion's ISO 8601 text. ISO dates and date-times (with or without an offset,
 * "T" or a space), 2026/02/01, "February 1, 2026", "Sun, Feb 1st 2026", "1 Feb 2026", and day/month
 * numbers when only one reading is possible (13/02/2026; dots mean day first, as in 01.02.2026).
 */
export function readDate(raw: string): DateReading {
  const text = raw.trim().replace(WEEKDAY, '');
  const iso = ISO_DATE.exec(text);
  if (iso) return checked(calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3])));
  const dateTime = ISO_DATE_TIME.exec(text);
  if (dateTime) return readDateTime(dateTime);
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) return checked(calendarDate(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3])));
  const monthFirst = MONTH_DAY_YEAR.exec(text);
  if (monthFirst) return namedMonth(monthFirst[1] ?? '', monthFirst[2], monthFirst[3]);
  const dayFirst = DAY_MONTH_YEAR.exec(text);
  if (dayFirst) return namedMonth(dayFirst[2] ?? '', dayFirst[1], dayFirst[3]);
  const numeric = NUMERIC.exec(text);
  if (numeric) return numericDate(Number(numeric[1]), numeric[2] ?? '/', Number(numeric[3]), Number(numeric[4]));
  return { ok: false };
}

function checked(date: string | undefined): DateReading {
  return date === undefined ? { ok: false } : { ok: true, date };
}

function readDateTime(match: RegExpExecArray): DateReading {
  const [, y, mo, d, h, mi, s, fraction = '', offset] = match;
  const date = calendarDate(Number(y), Number(mo), Number(d));
  if (date === undefined || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return { ok: false };
  let zone = '';
  if (offset !== undefined) {
    const parts = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
    if (parts && (Number(parts[2]) > 23 || Number(parts[3]) > 59)) return { ok: false };
    zone = parts ? `${parts[1]}${parts[2]}:${parts[3]}` : 'Z';
  }
  return { ok: true, date: `${date}T${h}:${mi}${s === undefined ? '' : `:${s}${fraction}`}${zone}` };
}

function namedMonth(word: string, day: string | undefined, year: string | undefined): DateReading {
  const month = monthNumber(word);
  if (month === undefined) return { ok: false };
  return checked(calendarDate(Number(year), month, Number(day)));
}

/** 13/02/2026 is 13 February; 02/13/2026 is February 13; 03/02/2026 could be either, so it is refused. */
function numericDate(first: number, separator: string, second: number, year: number): DateReading {
  if (separator === '.') return checked(calendarDate(year, second, first));
  const monthFirst = calendarDate(year, first, second);
  const dayFirst = calendarDate(year, second, first);
  if (monthFirst && dayFirst && monthFirst !== dayFirst) {
    return {
      ok: false,
      ambiguity: `${spelled(year, first, second)} (month first) or ${spelledDayFirst(year, second, first)} (day first)`,
    };
  }
  return checked(monthFirst ?? dayFirst);
}

/** How a range's two ends may be written between them: "→" (how Inkling shows ranges), "to", a spaced dash. */
const RANGE_SEPARATORS = [/\s*→\s*/, /\s+to\s+/i, /\s+[–—-]\s+/, /(?<=^\d{4}-\d{2}-\d{2}(?:T[^/]*)?)\/(?=\d{4}-)/];

/** A range written as one text ("2026-02-01 → 2026-02-05"): its two ends, or just the text as one end. */
export function splitDateRange(text: string): string[] {
  for (const separator of RANGE_SEPARATORS) {
    const parts = text.trim().split(separator);
    if (parts.length === 2 && parts.every((part) => part.trim() !== '')) return parts;
  }
  return [text];
}

/**
 * An IANA time zone name Notion accepts ("Europe/Paris", "UTC"), or undefined. Abbreviations ("EST",
 * "CET") are refused: the engine maps them to a zone the person did not name (EST → America/Panama).
 */
export function readTimeZone(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  if (name !== 'UTC' && !/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Whether an ISO date-time carries its own offset ("Z" or "+01:00"). */
export const hasOffset = (date: string): boolean => /T.*(?:Z|[+-]\d{2}:\d{2})$/.test(date);

/**
 * A number that puts a range's two ends in order. A date or a time without an offset is read as UTC
 * wall-clock time, never the browser's zone (where 02:30 may not exist on a night clocks jump); both
 * ends of such a range are in the same zone, so their order is their wall-clock order.
 */
export function dateOrder(date: string): number {
  if (!date.includes('T')) return Date.parse(`${date}T00:00:00Z`);
  return Date.parse(hasOffset(date) ? date : `${date}Z`);
}
