// POST /v1/data_sources/:id/query: filters (apis.md §1.5 operators, and/or nested ≤2 levels, timestamp
// filters), sorts, and cursor pagination. Also the pagination helpers other lists share, and the row
// matching views use (a view's filter and sorts are a query's).
import { expectBoolean, expectObject, isObject } from './content.ts';
import { failed, fixOne, lengthAtMost, oneOf, validation } from './errors.ts';
import { normalizeId } from './ids.ts';
import { MAX_PAGE_SIZE, QUERY_RESULT_CAP } from './limits.ts';
import { findProperty, propertyInnerValue } from './properties.ts';
import {
  notionTime,
  plainText,
  type DataSourceRecord,
  type PageRecord,
  type PropertySchema,
  type Store,
} from './store.ts';

/** and/or may nest this deep: a compound inside a compound, holding property or timestamp filters. */
const MAX_COMPOUND_DEPTH = 2;

type Predicate = (page: PageRecord) => boolean;

interface QueryContext {
  store: Store;
  ds: DataSourceRecord;
}

// ---------------------------------------------------------------------------------------------------
// Pagination

/** page_size from a JSON body (number) or a query string (digits): 1…100, default 100. */
export function parsePageSize(value: unknown, path: string): number {
  if (value === undefined || value === null || value === '') return MAX_PAGE_SIZE;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw failed(path, 'a number or `undefined`', value);
  if (n < 1) throw failed(path, '≥ `1`', n);
  if (n > MAX_PAGE_SIZE) throw failed(path, lengthAtMost(MAX_PAGE_SIZE), n);
  return n;
}

/** A start_cursor: an id (cursors are the id of the next result), or nothing. */
export function parseCursor(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const id = normalizeId(value);
  if (!id) throw failed(path, 'a valid uuid or `undefined`', value);
  return id;
}

/**
 * One page of `ids` starting at `cursor`. A cursor that is no longer in the list (its item was
 * deleted or stopped matching) resumes at the position it held in `order`, so callers that edit rows
 * while paging neither skip nor repeat rows.
 */
export function paginate(
  ids: string[],
  cursor: string | undefined,
  pageSize: number,
  order: string[] = ids,
): { slice: string[]; nextCursor: string | null } {
  let start = 0;
  if (cursor) {
    start = ids.indexOf(cursor);
    if (start < 0) {
      const position = order.indexOf(cursor);
      if (position < 0) throw validation(`The start_cursor provided is invalid: ${cursor}`);
      const rank = new Map(order.map((id, i) => [id, i]));
      start = ids.findIndex((id) => (rank.get(id) ?? -1) >= position);
      if (start < 0) start = ids.length;
    }
  }
  const slice = ids.slice(start, start + pageSize);
  const next = ids[start + pageSize];
  return { slice, nextCursor: next ?? null };
}

/** One page of `ids` as a GET list's query string asks for it (page_size, start_cursor). */
export function paginateByQuery(
  ids: string[],
  query: URLSearchParams,
  order: string[] = ids,
): { slice: string[]; nextCursor: string | null } {
  const pageSize = parsePageSize(query.get('page_size') ?? undefined, 'query.page_size');
  const cursor = parseCursor(query.get('start_cursor') ?? undefined, 'query.start_cursor');
  return paginate(ids, cursor, pageSize, order);
}

// ---------------------------------------------------------------------------------------------------
// Filters

const FILTER_TYPES = [
  'title',
  'rich_text',
  'number',
  'checkbox',
  'select',
  'multi_select',
  'status',
  'date',
  'people',
  'files',
  'url',
  'email',
  'phone_number',
  'relation',
  'created_by',
  'created_time',
  'last_edited_by',
  'last_edited_time',
  'formula',
  'unique_id',
  'rollup',
] as const;

const TEXT_OPS = [
  'equals',
  'does_not_equal',
  'contains',
  'does_not_contain',
  'starts_with',
  'ends_with',
  'is_empty',
  'is_not_empty',
];
const NUMBER_OPS = [
  'equals',
  'does_not_equal',
  'greater_than',
  'less_than',
  'greater_than_or_equal_to',
  'less_than_or_equal_to',
  'is_empty',
  'is_not_empty',
];
const CHECKBOX_OPS = ['equals', 'does_not_equal'];
const SELECT_OPS = ['equals', 'does_not_equal', 'is_empty', 'is_not_empty'];
const CONTAINS_OPS = ['contains', 'does_not_contain', 'is_empty', 'is_not_empty'];
const EXISTENCE_OPS = ['is_empty', 'is_not_empty'];
const DATE_WINDOWS = ['past_week', 'past_month', 'past_year', 'next_week', 'next_month', 'next_year', 'this_week'];
const DATE_OPS = [
  'equals',
  'before',
  'after',
  'on_or_before',
  'on_or_after',
  ...DATE_WINDOWS,
  'is_empty',
  'is_not_empty',
];
const RELATIVE_DATES = [
  'today',
  'tomorrow',
  'yesterday',
  'one_week_ago',
  'one_week_from_now',
  'one_month_ago',
  'one_month_from_now',
];

/** One `{operator: operand}` object, validated. */
function operator(value: unknown, path: string, ops: readonly string[]): [string, unknown] {
  const cond = expectObject(value, path);
  const keys = Object.keys(cond);
  const op = keys[0];
  if (keys.length !== 1 || op === undefined || !ops.includes(op)) throw fixOne(ops.map((o) => `${path}.${o}`));
  const operand = cond[op];
  if ((op === 'is_empty' || op === 'is_not_empty') && operand !== true)
    throw failed(`${path}.${op}`, '`true`', operand);
  return [op, operand];
}

function emptyCheck(op: string, isEmpty: boolean): boolean | undefined {
  if (op === 'is_empty') return isEmpty;
  if (op === 'is_not_empty') return !isEmpty;
  return undefined;
}

function textTest(value: unknown, path: string): (text: string) => boolean {
  const [op, operand] = operator(value, path, TEXT_OPS);
  if (op !== 'is_empty' && op !== 'is_not_empty' && typeof operand !== 'string')
    throw failed(`${path}.${op}`, 'a string', operand);
  // Notion's text conditions ignore case.
  const needle = String(operand).toLowerCase();
  return (raw) => {
    const text = raw.toLowerCase();
    const e = emptyCheck(op, text === '');
    if (e !== undefined) return e;
    switch (op) {
      case 'equals':
        return text === needle;
      case 'does_not_equal':
        return text !== needle;
      case 'contains':
        return text.includes(needle);
      case 'does_not_contain':
        return !text.includes(needle);
      case 'starts_with':
        return text.startsWith(needle);
      default:
        return text.endsWith(needle);
    }
  };
}

function numberTest(value: unknown, path: string): (n: number | null) => boolean {
  const [op, operand] = operator(value, path, NUMBER_OPS);
  if (op !== 'is_empty' && op !== 'is_not_empty' && typeof operand !== 'number')
    throw failed(`${path}.${op}`, 'a number', operand);
  const x = operand as number;
  return (n) => {
    const e = emptyCheck(op, n === null);
    if (e !== undefined) return e;
    if (op === 'does_not_equal') return n !== x;
    if (n === null) return false;
    switch (op) {
      case 'equals':
        return n === x;
      case 'greater_than':
        return n > x;
      case 'less_than':
        return n < x;
      case 'greater_than_or_equal_to':
        return n >= x;
      default:
        return n <= x;
    }
  };
}

function checkboxTest(value: unknown, path: string): (b: boolean) => boolean {
  const [op, operand] = operator(value, path, CHECKBOX_OPS);
  const x = expectBoolean(operand, `${path}.${op}`);
  return (b) => (op === 'equals' ? b === x : b !== x);
}

function namesOperand(operand: unknown, path: string): string[] {
  if (typeof operand === 'string') return [operand];
  if (Array.isArray(operand) && operand.every((x) => typeof x === 'string')) return operand as string[];
  throw failed(path, 'a string or an array of strings', operand);
}

function selectTest(value: unknown, path: string): (name: string | null) => boolean {
  const [op, operand] = operator(value, path, SELECT_OPS);
  const names = op === 'equals' || op === 'does_not_equal' ? namesOperand(operand, `${path}.${op}`) : [];
  return (name) => {
    const e = emptyCheck(op, name === null);
    if (e !== undefined) return e;
    const hit = name !== null && names.includes(name);
    return op === 'equals' ? hit : !hit;
  };
}

/** contains / does_not_contain over a list of names or ids. */
function containsTest(value: unknown, path: string, idOperand: boolean, me?: string): (items: string[]) => boolean {
  const [op, operand] = operator(value, path, CONTAINS_OPS);
  let wanted: string[] = [];
  if (op === 'contains' || op === 'does_not_contain') {
    if (idOperand) {
      const id = operand === 'me' && me ? me : normalizeId(operand);
      if (!id) throw failed(`${path}.${op}`, 'a valid uuid', operand);
      wanted = [id];
    } else {
      wanted = namesOperand(operand, `${path}.${op}`);
    }
  }
  return (items) => {
    const e = emptyCheck(op, items.length === 0);
    if (e !== undefined) return e;
    const hit = wanted.some((w) => items.includes(w));
    return op === 'contains' ? hit : !hit;
  };
}

const DAY_MS = 86_400_000;

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dateTest(store: Store, value: unknown, path: string): (iso: string | null) => boolean {
  const [op, operand] = operator(value, path, DATE_OPS);
  const now = store.clock();
  if (DATE_WINDOWS.includes(op)) {
    if (!isObject(operand) || Object.keys(operand).length > 0)
      throw failed(`${path}.${op}`, 'an empty object', operand);
    const week = 7 * DAY_MS;
    const monday = now - ((new Date(now).getUTCDay() + 6) % 7) * DAY_MS;
    const [from, to] = {
      past_week: [now - week, now],
      past_month: [now - 30 * DAY_MS, now],
      past_year: [now - 365 * DAY_MS, now],
      next_week: [now, now + week],
      next_month: [now, now + 30 * DAY_MS],
      next_year: [now, now + 365 * DAY_MS],
      this_week: [Date.parse(dayOf(monday)), Date.parse(dayOf(monday)) + week - 1],
    }[op] as [number, number];
    return (iso) => iso !== null && Date.parse(iso) >= from && Date.parse(iso) <= to;
  }
  if (op === 'is_empty' || op === 'is_not_empty') return (iso) => emptyCheck(op, iso === null) as boolean;

  let target: string;
  if (typeof operand === 'string' && RELATIVE_DATES.includes(operand)) {
    const offsets: Record<string, number> = {
      today: 0,
      tomorrow: 1,
      yesterday: -1,
      one_week_ago: -7,
      one_week_from_now: 7,
      one_month_ago: -30,
      one_month_from_now: 30,
    };
    target = dayOf(now + (offsets[operand] ?? 0) * DAY_MS);
  } else if (typeof operand === 'string' && !Number.isNaN(Date.parse(operand))) {
    target = operand;
  } else {
    throw failed(`${path}.${op}`, 'a valid ISO 8601 date string', operand);
  }
  // A date-only condition compares calendar days; a date-time compares instants.
  const byDay = target.length === 10;
  return (iso) => {
    if (iso === null) return false;
    const cmp = byDay
      ? (iso.length === 10 ? iso : dayOf(Date.parse(iso))).localeCompare(target)
      : Date.parse(iso) - Date.parse(target);
    switch (op) {
      case 'equals':
        return cmp === 0;
      case 'before':
        return cmp < 0;
      case 'after':
        return cmp > 0;
      case 'on_or_before':
        return cmp <= 0;
      default:
        return cmp >= 0;
    }
  };
}

function startOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return isObject(value) && typeof value.start === 'string' ? value.start : null;
}

/** A test on one property's inner value (what sits under its type key in a page object). */
function valueTest(
  q: QueryContext,
  type: string,
  cond: unknown,
  path: string,
  prop: PropertySchema | undefined,
): (v: unknown) => boolean {
  const { store } = q;
  switch (type) {
    case 'title':
    case 'rich_text': {
      const t = textTest(cond, path);
      return (v) => t(plainText(v));
    }
    case 'url':
    case 'email':
    case 'phone_number':
    case 'string': {
      const t = textTest(cond, path);
      return (v) => t(typeof v === 'string' ? v : '');
    }
    case 'number': {
      const t = numberTest(cond, path);
      return (v) => t(typeof v === 'number' ? v : null);
    }
    case 'unique_id': {
      const t = numberTest(cond, path);
      return (v) => t(isObject(v) && typeof v.number === 'number' ? v.number : null);
    }
    case 'checkbox': {
      const t = checkboxTest(cond, path);
      return (v) => t(v === true);
    }
    case 'select':
    case 'status': {
      const t = selectTest(cond, path);
      return (v) => t(isObject(v) ? String(v.name) : null);
    }
    case 'multi_select': {
      const t = containsTest(cond, path, false);
      return (v) => t(Array.isArray(v) ? v.map((o) => String((o as { name: string }).name)) : []);
    }
    case 'people':
    case 'relation': {
      const t = containsTest(cond, path, true, store.botUserId);
      return (v) => t(Array.isArray(v) ? v.map((o) => String((o as { id: string }).id)) : []);
    }
    case 'created_by':
    case 'last_edited_by': {
      const t = containsTest(cond, path, true, store.botUserId);
      return (v) => t(isObject(v) ? [String(v.id)] : []);
    }
    case 'files': {
      const [op] = operator(cond, path, EXISTENCE_OPS);
      return (v) => emptyCheck(op, !Array.isArray(v) || v.length === 0) as boolean;
    }
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const t = dateTest(store, cond, path);
      return (v) => t(startOf(v));
    }
    case 'formula':
      return formulaTest(q, cond, path);
    case 'rollup':
      return rollupTest(q, cond, path, prop);
    default:
      throw fixOne(FILTER_TYPES.map((k) => `${path}.${k}`));
  }
}

function formulaTest(q: QueryContext, cond: unknown, path: string): (v: unknown) => boolean {
  const given = expectObject(cond, path);
  const kind = Object.keys(given)[0];
  const kinds = ['string', 'checkbox', 'number', 'date'];
  if (Object.keys(given).length !== 1 || !kind || !kinds.includes(kind)) throw fixOne(kinds.map((k) => `${path}.${k}`));
  const inner = valueTest(q, kind, given[kind], `${path}.${kind}`, undefined);
  return (v) => {
    const f = isObject(v) ? v : {};
    const typed = f.type === 'boolean' ? f.boolean : f[String(f.type)];
    return inner(typed ?? (kind === 'checkbox' ? false : null));
  };
}

function rollupTest(
  q: QueryContext,
  cond: unknown,
  path: string,
  prop: PropertySchema | undefined,
): (v: unknown) => boolean {
  const given = expectObject(cond, path);
  const kind = Object.keys(given)[0];
  const kinds = ['any', 'every', 'none', 'number', 'date'];
  if (Object.keys(given).length !== 1 || !kind || !kinds.includes(kind)) throw fixOne(kinds.map((k) => `${path}.${k}`));
  if (kind === 'number' || kind === 'date') {
    const inner = valueTest(q, kind, given[kind], `${path}.${kind}`, undefined);
    return (v) => inner(isObject(v) ? v[kind] : null);
  }
  const sub = expectObject(given[kind], `${path}.${kind}`);
  const subType = Object.keys(sub)[0] ?? '';
  const inner = valueTest(q, subType, sub[subType], `${path}.${kind}.${subType}`, prop);
  return (v) => {
    const items =
      isObject(v) && Array.isArray(v.array)
        ? (v.array as Array<Record<string, unknown>>).map((x) => x[String(x.type)])
        : [];
    if (kind === 'any') return items.some(inner);
    if (kind === 'every') return items.every(inner);
    return !items.some(inner);
  };
}

function compileFilter(q: QueryContext, value: unknown, path: string, depth: number): Predicate {
  const filter = expectObject(value, path);
  for (const compound of ['and', 'or'] as const) {
    if (!(compound in filter)) continue;
    if (depth >= MAX_COMPOUND_DEPTH) throw failed(`${path}.${compound}`, 'not present', filter[compound]);
    const list = filter[compound];
    if (!Array.isArray(list)) throw failed(`${path}.${compound}`, 'an array', list);
    const parts = list.map((f, i) => compileFilter(q, f, `${path}.${compound}[${i}]`, depth + 1));
    return compound === 'and' ? (p) => parts.every((t) => t(p)) : (p) => parts.some((t) => t(p));
  }
  if ('timestamp' in filter) {
    const ts = filter.timestamp;
    if (ts !== 'created_time' && ts !== 'last_edited_time')
      throw failed(`${path}.timestamp`, oneOf(['created_time', 'last_edited_time']), ts);
    const test = dateTest(q.store, filter[ts], `${path}.${ts}`);
    // Compared as served: rounded to the minute.
    return (p) => test(notionTime(ts === 'created_time' ? p.createdTime : p.lastEditedTime));
  }
  if (filter.property === undefined)
    throw fixOne([`${path}.property`, `${path}.timestamp`, `${path}.or`, `${path}.and`]);
  const key = String(filter.property);
  const prop = findProperty(q.ds.properties, key);
  if (!prop) throw validation(`Could not find property with name or id: ${key}`);
  const type = (filter.type ?? FILTER_TYPES.find((t) => t in filter)) as string | undefined;
  if (!type) throw fixOne(FILTER_TYPES.map((t) => `${path}.${t}`));
  if (type !== prop.type) {
    throw validation(
      `The property type in the database does not match the property type of the filter provided: database property ${prop.type} does not match filter ${type}`,
    );
  }
  const test = valueTest(q, type, filter[type], `${path}.${type}`, prop);
  return (p) => test(propertyInnerValue(q.store, q.ds, p, prop));
}

// ---------------------------------------------------------------------------------------------------
// Sorts

type SortKey = string | number | null;

function sortKey(q: QueryContext, page: PageRecord, prop: PropertySchema): SortKey {
  const v = propertyInnerValue(q.store, q.ds, page, prop);
  switch (prop.type) {
    case 'title':
    case 'rich_text': {
      const t = plainText(v);
      return t === '' ? null : t.toLowerCase();
    }
    case 'url':
    case 'email':
    case 'phone_number':
      return typeof v === 'string' && v !== '' ? v.toLowerCase() : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'checkbox':
      return v === true ? 1 : 0;
    case 'select':
    case 'status': {
      // Notion sorts options in the order the schema lists them.
      if (!isObject(v)) return null;
      return ((prop.config.options as Array<{ id: string }>) ?? []).findIndex((o) => o.id === v.id);
    }
    case 'multi_select':
    case 'people':
      return Array.isArray(v) && v.length
        ? v
            .map((o) => String((o as { name?: string }).name ?? ''))
            .join(',')
            .toLowerCase()
        : null;
    case 'relation':
      return Array.isArray(v) && v.length
        ? v
            .map((o) => q.store.titleOf((o as { id: string }).id))
            .join(',')
            .toLowerCase()
        : null;
    case 'date':
    case 'created_time':
    case 'last_edited_time': {
      const s = startOf(v);
      return s === null ? null : Date.parse(s);
    }
    case 'unique_id':
      return isObject(v) && typeof v.number === 'number' ? v.number : null;
    case 'formula': {
      if (!isObject(v)) return null;
      const inner = v.type === 'date' ? startOf(v.date) : v[String(v.type)];
      return typeof inner === 'number'
        ? inner
        : typeof inner === 'boolean'
          ? Number(inner)
          : typeof inner === 'string'
            ? inner.toLowerCase()
            : null;
    }
    case 'rollup':
      return isObject(v) && typeof v.number === 'number' ? v.number : null;
    default:
      return isObject(v) && typeof v.id === 'string' ? v.id : null;
  }
}

function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  // Empty values go last whichever the direction.
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return descending ? -c : c;
}

function compileSorts(q: QueryContext, value: unknown, path: string): (a: PageRecord, b: PageRecord) => number {
  if (value === undefined) return (a, b) => a.seq - b.seq;
  if (!Array.isArray(value)) throw failed(path, 'an array', value);
  const keys = value.map((raw, i) => {
    const at = `${path}[${i}]`;
    const sort = expectObject(raw, at);
    if (sort.direction !== 'ascending' && sort.direction !== 'descending') {
      throw failed(`${at}.direction`, oneOf(['ascending', 'descending']), sort.direction);
    }
    const descending = sort.direction === 'descending';
    if (sort.timestamp !== undefined) {
      if (sort.timestamp !== 'created_time' && sort.timestamp !== 'last_edited_time') {
        throw failed(`${at}.timestamp`, oneOf(['created_time', 'last_edited_time']), sort.timestamp);
      }
      const field = sort.timestamp === 'created_time' ? 'createdTime' : 'lastEditedTime';
      // Served times are rounded to the minute, so that is what sorting sees too.
      return (a: PageRecord, b: PageRecord) =>
        compareKeys(Math.floor(a[field] / 60_000), Math.floor(b[field] / 60_000), descending);
    }
    if (sort.property === undefined) throw fixOne([`${at}.property`, `${at}.timestamp`]);
    const prop = findProperty(q.ds.properties, String(sort.property));
    if (!prop) throw validation(`Could not find sort property with name or id: ${String(sort.property)}`);
    return (a: PageRecord, b: PageRecord) => compareKeys(sortKey(q, a, prop), sortKey(q, b, prop), descending);
  });
  return (a, b) => {
    for (const k of keys) {
      const c = k(a, b);
      if (c !== 0) return c;
    }
    return a.seq - b.seq;
  };
}

// ---------------------------------------------------------------------------------------------------
// The query

export interface QueryResult {
  rows: PageRecord[];
  nextCursor: string | null;
  /** True when the 10,000-row cap cut the results. */
  incomplete: boolean;
}

/** A query's filter and sorts, checked as Notion checks them (400 validation_error) and compiled. */
export interface CompiledQuery {
  predicate: Predicate;
  compare: (a: PageRecord, b: PageRecord) => number;
}

export function compileQuery(
  store: Store,
  ds: DataSourceRecord,
  body: { filter?: unknown; sorts?: unknown },
): CompiledQuery {
  const q: QueryContext = { store, ds };
  const predicate =
    body.filter === undefined || body.filter === null ? () => true : compileFilter(q, body.filter, 'body.filter', 0);
  return { predicate, compare: compileSorts(q, body.sorts, 'body.sorts') };
}

/**
 * Every row a filter and sorts pick, in their order, without the 10,000-row cap; `order` is all rows
 * (of the trash or not, as asked) in that order, which cursors resume by.
 */
export function matchRows(
  store: Store,
  ds: DataSourceRecord,
  body: { filter?: unknown; sorts?: unknown; inTrash?: boolean },
): { matched: PageRecord[]; order: PageRecord[] } {
  const { predicate, compare } = compileQuery(store, ds, body);
  const all = ds.rowIds.map((id) => store.page(id)).filter((p): p is PageRecord => !!p);
  all.sort(compare);
  const wantTrash = body.inTrash === true;
  return { matched: all.filter((p) => store.isTrashed(p.id) === wantTrash && predicate(p)), order: all };
}

export function runQuery(store: Store, ds: DataSourceRecord, body: Record<string, unknown>): QueryResult {
  const { matched, order } = matchRows(store, ds, {
    filter: body.filter,
    sorts: body.sorts,
    inTrash: body.in_trash === true || body.archived === true,
  });
  const pageSize = parsePageSize(body.page_size, 'body.page_size');
  const cursor = parseCursor(body.start_cursor, 'body.start_cursor');
  const capped = matched.slice(0, QUERY_RESULT_CAP);
  const { slice, nextCursor } = paginate(
    capped.map((p) => p.id),
    cursor,
    pageSize,
    order.map((p) => p.id),
  );
  const incomplete = nextCursor === null && matched.length > QUERY_RESULT_CAP;
  return { rows: slice.map((id) => store.page(id) as PageRecord), nextCursor, incomplete };
}
