// Database property values as a person reads them (prompts, the panel's table), and Notion's limits
// for property values. A cell back in request form and compared is property-cells.ts; a model's
// answer checked against its column is property-answers.ts. Pure: no network.
import type { PageObjectResponse, RichTextItemResponse, UpdatePageParameters } from '@notionhq/client';
import { NOTION_RICH_TEXT_MAX_ITEMS, NOTION_TEXT_MAX_CHARS } from './limits';

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
export const QUOTED_ANSWER_MAX_CHARS = 80;
/** How many of a column's options a reason lists before "and N more". */
export const LISTED_OPTIONS_MAX = 20;
/** Where Notion's relative page links ("/abc…") point. */
export const NOTION_ORIGIN = 'https://www.notion.so';

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
