// Data source properties: the schema (create/update, as in databases.create's initial_data_source and
// dataSources.update), values as callers write them (pages.create/update), and values as the API
// serves them, computed ones (formula, rollup, created_*, last_edited_*, unique_id) included.
import {
  expectBoolean,
  expectId,
  expectObject,
  expectString,
  expectUrl,
  isObject,
  onlyKeys,
  parseDateValue,
  parseRichText,
  type ContentContext,
} from './content.ts';
import { failed, fixOne, lengthAtMost, notFound, oneOf, validation } from './errors.ts';
import { parseFile } from './file-values.ts';
import { evaluateFormula, formulaText, type FormulaValue } from './formula.ts';
import { propertyIdFor, stableId } from './ids.ts';
import {
  MAX_EMAIL,
  MAX_MULTI_SELECT,
  MAX_PEOPLE,
  MAX_PHONE,
  MAX_RELATIONS,
  MAX_TEXT_CONTENT,
  MAX_URL,
  PAGE_PROPERTY_REFERENCE_CAP,
  SELECT_COLORS,
} from './limits.ts';
import {
  notionTime,
  plainText,
  type DataSourceRecord,
  type PageRecord,
  type PropertySchema,
  type PropertyType,
  type SelectOption,
  type StatusGroup,
  type Store,
} from './store.ts';

/** Value types a page write may carry, in the order Notion lists them in a "Fix one" message. */
export const WRITABLE_TYPES: readonly PropertyType[] = [
  'title',
  'rich_text',
  'number',
  'url',
  'select',
  'multi_select',
  'people',
  'email',
  'phone_number',
  'date',
  'checkbox',
  'relation',
  'files',
  'status',
];

/** Computed by Notion; a write to one is refused. */
export const COMPUTED_TYPES: readonly PropertyType[] = [
  'formula',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
];

export const ALL_TYPES: readonly PropertyType[] = [...WRITABLE_TYPES, ...COMPUTED_TYPES];

const MAX_OPTION_NAME = 100;

const ROLLUP_FUNCTIONS = [
  'count',
  'count_values',
  'empty',
  'not_empty',
  'unique',
  'show_unique',
  'percent_empty',
  'percent_not_empty',
  'sum',
  'average',
  'median',
  'min',
  'max',
  'range',
  'earliest_date',
  'latest_date',
  'date_range',
  'checked',
  'unchecked',
  'percent_checked',
  'percent_unchecked',
  'count_per_group',
  'percent_per_group',
  'show_original',
];

/** A property by name, by id as served (URL-encoded) or by its decoded id. */
export function findProperty(properties: readonly PropertySchema[], key: string): PropertySchema | undefined {
  return (
    properties.find((p) => p.name === key) ??
    properties.find((p) => p.id === key || safeDecode(p.id) === key || p.id === encodeURIComponent(key))
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function options(prop: PropertySchema): SelectOption[] {
  return (prop.config.options as SelectOption[] | undefined) ?? [];
}

/** New options get a color from the name, so the same name always gets the same color. */
function colorFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return SELECT_COLORS[1 + (h % (SELECT_COLORS.length - 1))] ?? 'gray';
}

function makeOption(dsId: string, propId: string, name: string, color?: unknown, description?: unknown): SelectOption {
  return {
    id: stableId('option', dsId, propId, name),
    name,
    color: typeof color === 'string' && SELECT_COLORS.includes(color) ? color : colorFor(name),
    description: typeof description === 'string' ? description : null,
  };
}

function checkOptionName(name: string, path: string): void {
  if (name.includes(',')) throw validation(`Invalid select option, commas not allowed: ${name}`);
  if (name.length > MAX_OPTION_NAME) throw failed(`${path}.length`, lengthAtMost(MAX_OPTION_NAME), name.length);
}

// ---------------------------------------------------------------------------------------------------
// Schema

function newPropertyId(taken: readonly PropertySchema[], dsId: string, name: string): string {
  for (let salt = 0; ; salt++) {
    const id = propertyIdFor(`${dsId}/${name}/${salt}`);
    if (id !== 'title' && !taken.some((p) => p.id === id)) return id;
  }
}

function parseOptionList(
  value: unknown,
  path: string,
  dsId: string,
  propId: string,
  current: SelectOption[] = [],
): SelectOption[] {
  if (value === undefined) return current;
  if (!Array.isArray(value)) throw failed(path, 'an array', value);
  const out = [...current];
  value.forEach((raw, i) => {
    const option = expectObject(raw, `${path}[${i}]`);
    onlyKeys(option, ['id', 'name', 'color', 'description'], `${path}[${i}]`);
    const byId = option.id === undefined ? undefined : out.find((o) => o.id === option.id);
    if (byId) {
      // Existing option addressed by id: a rename is allowed, colors stay (Notion ignores them too).
      if (typeof option.name === 'string') byId.name = option.name;
      return;
    }
    const name = expectString(option.name, `${path}[${i}].name`);
    checkOptionName(name, `${path}[${i}].name`);
    if (option.color !== undefined && (typeof option.color !== 'string' || !SELECT_COLORS.includes(option.color))) {
      throw failed(`${path}[${i}].color`, oneOf(SELECT_COLORS), option.color);
    }
    if (!out.some((o) => o.name === name)) out.push(makeOption(dsId, propId, name, option.color, option.description));
  });
  return out;
}

const DEFAULT_STATUS_OPTIONS: Array<[string, string, string]> = [
  ['Not started', 'default', 'To-do'],
  ['In progress', 'blue', 'In progress'],
  ['Done', 'green', 'Complete'],
];

/** Status groups: To-do / In progress / Complete, each option placed by its name. */
function statusGroups(dsId: string, propId: string, opts: SelectOption[], current?: StatusGroup[]): StatusGroup[] {
  const groups: StatusGroup[] =
    current?.map((g) => ({ ...g, option_ids: [...g.option_ids] })) ??
    [
      ['To-do', 'gray'],
      ['In progress', 'blue'],
      ['Complete', 'green'],
    ].map(([name, color]) => ({
      id: stableId('status-group', dsId, propId, name as string),
      name: name as string,
      color: color as string,
      option_ids: [],
    }));
  for (const option of opts) {
    if (groups.some((g) => g.option_ids.includes(option.id))) continue;
    const lower = option.name.toLowerCase();
    const groupName = /done|complete|finished|shipped/.test(lower)
      ? 'Complete'
      : /progress|doing|review|active/.test(lower)
        ? 'In progress'
        : 'To-do';
    (groups.find((g) => g.name === groupName) ?? groups[0])?.option_ids.push(option.id);
  }
  return groups;
}

interface SchemaWork {
  ctx: ContentContext;
  ds: DataSourceRecord;
  /** The schema being built (a copy, committed only when the whole request is valid). */
  next: PropertySchema[];
  /** Dual relations created by this request: their reverse property is added on commit. */
  newDuals: PropertySchema[];
}

function parseConfig(
  work: SchemaWork,
  type: PropertyType,
  raw: unknown,
  path: string,
  propId: string,
  name: string,
  existing: PropertySchema | undefined,
): Record<string, unknown> {
  const config = raw === undefined ? {} : expectObject(raw, path);
  const keep = existing?.type === type ? existing.config : undefined;
  switch (type) {
    case 'number':
      onlyKeys(config, ['format'], path);
      return {
        format:
          config.format === undefined ? (keep?.format ?? 'number') : expectString(config.format, `${path}.format`),
      };
    case 'select':
    case 'multi_select':
      onlyKeys(config, ['options'], path);
      return {
        options: parseOptionList(
          config.options,
          `${path}.options`,
          work.ds.id,
          propId,
          (keep?.options as SelectOption[]) ?? [],
        ),
      };
    case 'status': {
      onlyKeys(config, ['options', 'groups'], path);
      const current = (keep?.options as SelectOption[] | undefined) ?? [];
      let opts = parseOptionList(config.options, `${path}.options`, work.ds.id, propId, current);
      if (opts.length === 0) {
        opts = DEFAULT_STATUS_OPTIONS.map(([n, color]) => makeOption(work.ds.id, propId, n, color));
      }
      return {
        options: opts,
        groups: statusGroups(work.ds.id, propId, opts, keep?.groups as StatusGroup[] | undefined),
      };
    }
    case 'formula':
      onlyKeys(config, ['expression'], path);
      if (config.expression === undefined && keep) return { ...keep };
      return { expression: expectString(config.expression, `${path}.expression`) };
    case 'unique_id':
      onlyKeys(config, ['prefix'], path);
      return {
        prefix:
          config.prefix === undefined || config.prefix === null
            ? (keep?.prefix ?? null)
            : expectString(config.prefix, `${path}.prefix`),
      };
    case 'relation':
      return parseRelationConfig(work, config, path, name);
    case 'rollup':
      return parseRollupConfig(work, config, path);
    default:
      return {};
  }
}

function parseRelationConfig(
  work: SchemaWork,
  config: Record<string, unknown>,
  path: string,
  name: string,
): Record<string, unknown> {
  onlyKeys(config, ['data_source_id', 'database_id', 'type', 'single_property', 'dual_property'], path);
  const { store } = work.ctx;
  let dsId: string;
  if (config.data_source_id !== undefined) {
    dsId = expectId(config.data_source_id, `${path}.data_source_id`);
  } else if (config.database_id !== undefined) {
    // Older requests name the database; a single-source database resolves to its only source.
    const dbId = expectId(config.database_id, `${path}.database_id`);
    const db = store.database(dbId);
    if (!db || !store.isShared(dbId)) throw notFound('database', dbId);
    dsId = db.dataSourceIds[0] ?? '';
  } else {
    throw failed(`${path}.data_source_id`, 'defined');
  }
  const target = dsId === work.ds.id ? work.ds : store.dataSource(dsId);
  if (!target || (target !== work.ds && !work.ctx.seeding && !store.isShared(dsId)))
    throw notFound('data source', dsId);
  const dual = config.type === 'dual_property' || config.dual_property !== undefined;
  if (dual) {
    const spec = config.dual_property === undefined ? {} : expectObject(config.dual_property, `${path}.dual_property`);
    return {
      data_source_id: dsId,
      database_id: target.databaseId,
      type: 'dual_property',
      dual_property: {
        synced_property_id: '',
        synced_property_name:
          typeof spec.synced_property_name === 'string'
            ? spec.synced_property_name
            : `Related to ${plainText(work.ds.title) || 'Untitled'} (${name})`,
      },
    };
  }
  return { data_source_id: dsId, database_id: target.databaseId, type: 'single_property', single_property: {} };
}

function parseRollupConfig(work: SchemaWork, config: Record<string, unknown>, path: string): Record<string, unknown> {
  onlyKeys(
    config,
    ['function', 'relation_property_name', 'relation_property_id', 'rollup_property_name', 'rollup_property_id'],
    path,
  );
  if (typeof config.function !== 'string' || !ROLLUP_FUNCTIONS.includes(config.function)) {
    throw failed(`${path}.function`, oneOf(ROLLUP_FUNCTIONS), config.function);
  }
  const relationKey = config.relation_property_id ?? config.relation_property_name;
  if (typeof relationKey !== 'string') throw failed(`${path}.relation_property_name`, 'defined');
  const relation = findProperty(work.next, relationKey);
  if (!relation || relation.type !== 'relation') {
    throw validation(`Could not find relation property with name or id: ${relationKey}`);
  }
  const target =
    work.ctx.store.dataSource(relation.config.data_source_id as string) ??
    (relation.config.data_source_id === work.ds.id ? work.ds : undefined);
  const rollupKey = config.rollup_property_id ?? config.rollup_property_name;
  if (typeof rollupKey !== 'string') throw failed(`${path}.rollup_property_name`, 'defined');
  const rolled = target ? findProperty(target === work.ds ? work.next : target.properties, rollupKey) : undefined;
  if (!rolled) throw validation(`Could not find rollup property with name or id: ${rollupKey}`);
  return { function: config.function, relation_property_id: relation.id, rollup_property_id: rolled.id };
}

/**
 * Applies a `properties` object of databases.create / dataSources.create (creating = true) or
 * dataSources.update: `{Name: {type config}}` adds or reconfigures, `{Name: {name: "New"}}` renames,
 * `{Name: null}` deletes. All-or-nothing: nothing changes when any part is refused.
 */
export function applySchemaChanges(
  ctx: ContentContext,
  ds: DataSourceRecord,
  body: unknown,
  path: string,
  creating: boolean,
): void {
  const given = expectObject(body, path);
  const work: SchemaWork = {
    ctx,
    ds,
    next: ds.properties.map((p) => ({ ...p, config: structuredClone(p.config) })),
    newDuals: [],
  };
  const changedType = new Map<string, { from: PropertyType; to: PropertyType }>();
  const deleted: string[] = [];
  // Rollups refer to relations, which may be defined in the same request: they go last.
  const entries = Object.entries(given).toSorted(([, a], [, b]) => Number(isRollup(a)) - Number(isRollup(b)));

  for (const [key, value] of entries) {
    const p = `${path}.${key}`;
    const existing = creating ? undefined : findProperty(work.next, key);
    if (value === null) {
      if (!existing) throw validation(`${key} is not a property that exists.`);
      if (existing.type === 'title') throw validation('Cannot delete the title property of a data source.');
      work.next = work.next.filter((x) => x !== existing);
      deleted.push(existing.id);
      continue;
    }
    const spec = expectObject(value, p);
    const type = (spec.type ?? ALL_TYPES.find((t) => t in spec)) as PropertyType | undefined;
    if (type !== undefined && !ALL_TYPES.includes(type)) throw failed(`${p}.type`, oneOf(ALL_TYPES), spec.type);
    onlyKeys(spec, ['name', 'description', 'type', 'id', ...(type ? [type] : [])], p);
    const name = spec.name === undefined ? (existing?.name ?? key) : expectString(spec.name, `${p}.name`);
    const description =
      spec.description === undefined
        ? (existing?.description ?? null)
        : spec.description === null
          ? null
          : expectString(spec.description, `${p}.description`);

    if (type === undefined) {
      if (!existing) {
        if (spec.name !== undefined || spec.description !== undefined)
          throw validation(`${key} is not a property that exists.`);
        throw fixOne(ALL_TYPES.map((t) => `${p}.${t}`));
      }
      existing.name = name;
      existing.description = description;
      continue;
    }
    if (existing && existing.type !== type) {
      if (existing.type === 'title') throw validation('Cannot change the type of the title property.');
      changedType.set(existing.id, { from: existing.type, to: type });
    }
    const id = existing?.id ?? (type === 'title' ? 'title' : newPropertyId(work.next, ds.id, name));
    const schema: PropertySchema = {
      id,
      name,
      description,
      type,
      config: parseConfig(work, type, spec[type], `${p}.${type}`, id, name, existing),
    };
    if (type === 'relation' && schema.config.type === 'dual_property') {
      const wasDual = existing?.type === 'relation' && existing.config.type === 'dual_property';
      if (wasDual) schema.config.dual_property = existing.config.dual_property;
      else work.newDuals.push(schema);
    }
    if (existing) work.next[work.next.indexOf(existing)] = schema;
    else work.next.push(schema);
  }

  const titles = work.next.filter((x) => x.type === 'title');
  if (titles.length > 1) {
    throw validation(`A data source can have only one title property; got ${titles.map((x) => x.name).join(', ')}.`);
  }
  if (titles.length === 0) {
    // Every data source has a title; Notion's UI names the default one "Name".
    work.next.unshift({ id: 'title', name: 'Name', description: null, type: 'title', config: {} });
  }
  const seen = new Set<string>();
  for (const x of work.next) {
    if (seen.has(x.name)) throw validation(`Property name ${x.name} is used more than once.`);
    seen.add(x.name);
  }

  // Commit.
  ds.properties = work.next;
  const rows = ds.rowIds.map((rid) => ctx.store.page(rid)).filter((r): r is PageRecord => !!r);
  for (const rid of deleted) for (const row of rows) row.values.delete(rid);
  for (const [pid, change] of changedType) {
    // Text stays text (title ⇄ rich_text); any other change of type empties the column.
    for (const row of rows) if (!(isTextual(change.from) && isTextual(change.to))) row.values.delete(pid);
  }
  for (const dual of work.newDuals) addSyncedRelation(ctx.store, ds, dual);
}

function isTextual(type: PropertyType): boolean {
  return type === 'title' || type === 'rich_text';
}

function isRollup(value: unknown): boolean {
  return isObject(value) && (value.type === 'rollup' || 'rollup' in value);
}

/** The reverse side of a new dual relation, added to the related data source. */
function addSyncedRelation(store: Store, ds: DataSourceRecord, relation: PropertySchema): void {
  const target = store.dataSource(relation.config.data_source_id as string);
  if (!target) return;
  const dual = relation.config.dual_property as { synced_property_id: string; synced_property_name: string };
  let name = dual.synced_property_name;
  while (target.properties.some((p) => p.name === name)) name = `${name} `;
  const reverse: PropertySchema = {
    id: newPropertyId(target.properties, target.id, name),
    name,
    description: null,
    type: 'relation',
    config: {
      data_source_id: ds.id,
      database_id: ds.databaseId,
      type: 'dual_property',
      dual_property: { synced_property_id: relation.id, synced_property_name: relation.name },
    },
  };
  target.properties.push(reverse);
  dual.synced_property_id = reverse.id;
}

/** A property's schema as the API serves it (names of related properties read live). */
export function renderSchema(store: Store, ds: DataSourceRecord, prop: PropertySchema): Record<string, unknown> {
  let config: Record<string, unknown> = structuredClone(prop.config);
  if (prop.type === 'relation' && config.type === 'dual_property') {
    const dual = config.dual_property as { synced_property_id: string };
    const target = store.dataSource(config.data_source_id as string);
    const synced = target?.properties.find((p) => p.id === dual.synced_property_id);
    config.dual_property = { synced_property_id: dual.synced_property_id, synced_property_name: synced?.name ?? '' };
  }
  if (prop.type === 'rollup') {
    const relation = ds.properties.find((p) => p.id === config.relation_property_id);
    const target = relation ? store.dataSource(relation.config.data_source_id as string) : undefined;
    const rolled = target?.properties.find((p) => p.id === config.rollup_property_id);
    config = {
      function: config.function,
      relation_property_id: config.relation_property_id,
      relation_property_name: relation?.name ?? '',
      rollup_property_id: config.rollup_property_id,
      rollup_property_name: rolled?.name ?? '',
    };
  }
  return { id: prop.id, name: prop.name, description: prop.description, type: prop.type, [prop.type]: config };
}

// ---------------------------------------------------------------------------------------------------
// Writing values

/** Select options a request introduces, added to the schema only if the whole request is accepted. */
export type PendingOptions = Map<string, SelectOption[]>;

/**
 * One property value of pages.create/update, checked and converted to its stored form:
 * rich text arrays, option ids, user ids, page ids, {start,end,time_zone}, …
 */
export function parseValue(
  ctx: ContentContext,
  ds: DataSourceRecord | undefined,
  prop: PropertySchema,
  raw: unknown,
  path: string,
  pending: PendingOptions,
): unknown {
  // Shorthand Notion still accepts: a bare rich text array for a title/rich_text property.
  if (Array.isArray(raw) && (prop.type === 'title' || prop.type === 'rich_text')) {
    return parseRichText(raw, `${path}.${prop.type}`, ctx);
  }
  const given = expectObject(raw, path);
  if (COMPUTED_TYPES.includes(prop.type)) throw fixOne(WRITABLE_TYPES.map((t) => `${path}.${t}`));
  if ((given.type !== undefined && given.type !== prop.type) || given[prop.type] === undefined) {
    throw validation(`${prop.name} is expected to be ${prop.type}.`);
  }
  onlyKeys(given, ['id', 'type', prop.type], path);
  const value = given[prop.type];
  const at = `${path}.${prop.type}`;
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return parseRichText(value, at, ctx);
    case 'number':
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value)))
        throw failed(at, 'a number or `null`', value);
      return value;
    case 'checkbox':
      return expectBoolean(value, at);
    case 'url':
    case 'email':
    case 'phone_number': {
      if (value === null || value === '') return null;
      const text = prop.type === 'url' ? expectUrl(value, at) : expectString(value, at);
      const limit = prop.type === 'email' ? MAX_EMAIL : prop.type === 'phone_number' ? MAX_PHONE : MAX_URL;
      if (text.length > limit) throw failed(`${at}.length`, lengthAtMost(limit), text.length);
      return text;
    }
    case 'date':
      return value === null ? null : parseDateValue(value, at);
    case 'select':
    case 'status':
      return value === null ? null : chooseOption(ds, prop, value, at, pending);
    case 'multi_select': {
      const list = expectArray(value, at, MAX_MULTI_SELECT);
      const ids = list.map((item, i) => chooseOption(ds, prop, item, `${at}[${i}]`, pending));
      return [...new Set(ids)];
    }
    case 'people': {
      const list = expectArray(value, at, MAX_PEOPLE);
      return [
        ...new Set(
          list.map((item, i) => {
            const person = expectObject(item, `${at}[${i}]`);
            onlyKeys(person, ['id', 'object', 'name', 'avatar_url', 'type', 'person', 'bot'], `${at}[${i}]`);
            const id = expectId(person.id, `${at}[${i}].id`);
            if (!ctx.store.users.has(id)) throw notFound('user', id);
            return id;
          }),
        ),
      ];
    }
    case 'relation': {
      const list = expectArray(value, at, MAX_RELATIONS);
      return [
        ...new Set(
          list.map((item, i) => {
            const ref = expectObject(item, `${at}[${i}]`);
            onlyKeys(ref, ['id'], `${at}[${i}]`);
            const id = expectId(ref.id, `${at}[${i}].id`);
            const target = ctx.store.page(id);
            if (!target || (!ctx.seeding && !ctx.store.isShared(id))) throw notFound('page', id);
            if (target.parent.type !== 'data_source_id' || target.parent.id !== prop.config.data_source_id) {
              throw validation(
                `Relation ${prop.name} cannot contain page ${id}: it is not in the related data source.`,
              );
            }
            return id;
          }),
        ),
      ];
    }
    case 'files':
      return expectArray(value, at, MAX_RELATIONS).map((item, i) => parseFile(item, `${at}[${i}]`, ctx.store));
    default:
      throw fixOne(WRITABLE_TYPES.map((t) => `${path}.${t}`));
  }
}

function expectArray(value: unknown, path: string, limit: number): unknown[] {
  if (!Array.isArray(value)) throw failed(path, 'an array', value);
  if (value.length > limit) throw failed(`${path}.length`, lengthAtMost(limit), value.length);
  return value;
}

function chooseOption(
  ds: DataSourceRecord | undefined,
  prop: PropertySchema,
  value: unknown,
  path: string,
  pending: PendingOptions,
): string {
  const given = expectObject(value, path);
  onlyKeys(given, ['id', 'name', 'color', 'description'], path);
  const added = pending.get(prop.id) ?? [];
  const known = [...options(prop), ...added];
  if (given.id !== undefined) {
    const byId = known.find((o) => o.id === given.id);
    if (byId) return byId.id;
    if (given.name === undefined) {
      throw validation(
        prop.type === 'status'
          ? `Invalid status option. Status option with id "${String(given.id)}" does not exist.`
          : `Invalid select option. Option with id "${String(given.id)}" does not exist.`,
      );
    }
  }
  if (given.name === undefined) throw failed(`${path}.name`, 'defined');
  const name = expectString(given.name, `${path}.name`);
  const byName = known.find((o) => o.name === name);
  if (byName) return byName.id;
  if (prop.type === 'status') throw validation(`Invalid status option. Status option "${name}" does not exist.`);
  // Real Notion adds an unknown select/multi_select name to the schema.
  checkOptionName(name, `${path}.name`);
  const option = makeOption(ds?.id ?? '', prop.id, name, given.color, given.description);
  pending.set(prop.id, [...added, option]);
  return option.id;
}

/** Adds the options a request introduced to the schema. */
export function commitPendingOptions(ds: DataSourceRecord, pending: PendingOptions): void {
  for (const [propId, added] of pending) {
    const prop = ds.properties.find((p) => p.id === propId);
    if (!prop) continue;
    prop.config.options = [...options(prop), ...added];
    if (prop.type === 'status') {
      prop.config.groups = statusGroups(
        ds.id,
        prop.id,
        prop.config.options as SelectOption[],
        prop.config.groups as StatusGroup[],
      );
    }
  }
}

/** Keeps both sides of a dual relation in step after a row's relation value changed. */
export function syncDualRelation(
  store: Store,
  prop: PropertySchema,
  page: PageRecord,
  before: string[],
  after: string[],
): void {
  if (prop.config.type !== 'dual_property') return;
  const syncedId = (prop.config.dual_property as { synced_property_id: string }).synced_property_id;
  for (const targetId of new Set([...before, ...after])) {
    const target = store.page(targetId);
    if (!target) continue;
    const current = (target.values.get(syncedId) as string[] | undefined) ?? [];
    const should = after.includes(targetId);
    const has = current.includes(page.id);
    if (should && !has) target.values.set(syncedId, [...current, page.id]);
    if (!should && has)
      target.values.set(
        syncedId,
        current.filter((x) => x !== page.id),
      );
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading values

function userValue(store: Store, id: string): Record<string, unknown> {
  const user = store.users.get(id);
  if (!user) return { object: 'user', id };
  return {
    object: 'user',
    id,
    name: user.name,
    avatar_url: user.avatarUrl,
    type: user.type,
    ...(user.type === 'person' ? { person: user.email ? { email: user.email } : {} } : { bot: {} }),
  };
}

function optionValue(prop: PropertySchema, id: unknown): Record<string, unknown> | null {
  const option = options(prop).find((o) => o.id === id);
  return option ? { id: option.id, name: option.name, color: option.color } : null;
}

/** The inner value of a property (what sits under its type key), full length, computed ones included. */
export function propertyInnerValue(
  store: Store,
  ds: DataSourceRecord | undefined,
  page: PageRecord,
  prop: PropertySchema,
  depth = 0,
): unknown {
  const stored = page.values.get(prop.id);
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'files':
      return (stored as unknown[] | undefined) ?? [];
    case 'number':
    case 'url':
    case 'email':
    case 'phone_number':
    case 'date':
      return stored ?? null;
    case 'checkbox':
      return stored ?? false;
    case 'select':
    case 'status':
      return optionValue(prop, stored);
    case 'multi_select':
      return ((stored as string[] | undefined) ?? []).map((id) => optionValue(prop, id)).filter((o) => o !== null);
    case 'people':
      return ((stored as string[] | undefined) ?? []).map((id) => userValue(store, id));
    case 'relation':
      return ((stored as string[] | undefined) ?? []).filter((id) => store.get(id)).map((id) => ({ id }));
    case 'created_time':
      return notionTime(page.createdTime);
    case 'last_edited_time':
      return notionTime(page.lastEditedTime);
    case 'created_by':
      return { object: 'user', id: page.createdBy };
    case 'last_edited_by':
      return { object: 'user', id: page.lastEditedBy };
    case 'unique_id':
      return { prefix: (prop.config.prefix as string | null) ?? null, number: page.uniqueIds.get(prop.id) ?? null };
    case 'formula':
      return formulaValue(store, ds, page, prop, depth);
    case 'rollup':
      return rollupValue(store, ds, page, prop, depth);
  }
}

/** A property value as a page object carries it: {id, type, [type]: value}, references cut at 25. */
export function renderValue(
  store: Store,
  ds: DataSourceRecord | undefined,
  page: PageRecord,
  prop: PropertySchema,
): Record<string, unknown> {
  const inner = propertyInnerValue(store, ds, page, prop);
  if ((prop.type === 'relation' || prop.type === 'people') && Array.isArray(inner)) {
    const out: Record<string, unknown> = {
      id: prop.id,
      type: prop.type,
      [prop.type]: inner.slice(0, PAGE_PROPERTY_REFERENCE_CAP),
    };
    if (prop.type === 'relation') out.has_more = inner.length > PAGE_PROPERTY_REFERENCE_CAP;
    return out;
  }
  return { id: prop.id, type: prop.type, [prop.type]: inner };
}

const MAX_FORMULA_DEPTH = 8;

/** A property's value as formulas see it: text, number, boolean, date or list. */
function formulaInput(
  store: Store,
  ds: DataSourceRecord | undefined,
  page: PageRecord,
  prop: PropertySchema,
  depth: number,
): FormulaValue {
  const inner = propertyInnerValue(store, ds, page, prop, depth + 1);
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return plainText(inner);
    case 'number':
    case 'checkbox':
    case 'url':
    case 'email':
    case 'phone_number':
      return (inner as FormulaValue) ?? (prop.type === 'number' ? null : '');
    case 'select':
    case 'status':
      return (inner as { name: string } | null)?.name ?? '';
    case 'multi_select':
      return (inner as Array<{ name: string }>).map((o) => o.name);
    case 'people':
      return (inner as Array<{ name?: string }>).map((u) => u.name ?? '');
    case 'relation':
      return (inner as Array<{ id: string }>).map((r) => store.titleOf(r.id));
    case 'files':
      return (inner as Array<{ name: string }>).map((f) => f.name);
    case 'date':
      return inner ? new Date((inner as { start: string }).start) : null;
    case 'created_time':
    case 'last_edited_time':
      return new Date(inner as string);
    case 'created_by':
    case 'last_edited_by':
      return store.users.get((inner as { id: string }).id)?.name ?? '';
    case 'unique_id': {
      const u = inner as { prefix: string | null; number: number | null };
      return u.prefix ? `${u.prefix}-${u.number}` : u.number;
    }
    case 'formula': {
      const f = inner as Record<string, unknown>;
      return f.type === 'date'
        ? new Date((f.date as { start: string }).start)
        : ((f[f.type as string] as FormulaValue) ?? null);
    }
    case 'rollup': {
      const r = inner as Record<string, unknown>;
      return r.type === 'number'
        ? (r.number as number | null)
        : r.type === 'array'
          ? (r.array as unknown[]).length
          : null;
    }
  }
}

function formulaValue(
  store: Store,
  ds: DataSourceRecord | undefined,
  page: PageRecord,
  prop: PropertySchema,
  depth: number,
): Record<string, unknown> {
  const broken = { type: 'string', string: null };
  if (!ds || depth > MAX_FORMULA_DEPTH) return broken;
  try {
    const result = evaluateFormula(String(prop.config.expression ?? ''), {
      prop: (name) => {
        const ref = findProperty(ds.properties, name);
        if (!ref) throw new Error(`Unknown property ${name}`);
        return formulaInput(store, ds, page, ref, depth);
      },
      now: () => new Date(store.clock()),
    });
    if (typeof result === 'number') return { type: 'number', number: Number.isFinite(result) ? result : null };
    if (typeof result === 'boolean') return { type: 'boolean', boolean: result };
    if (result instanceof Date)
      return { type: 'date', date: { start: result.toISOString(), end: null, time_zone: null } };
    if (result === null) return broken;
    return { type: 'string', string: formulaText(result) };
  } catch {
    return broken;
  }
}

function isEmptyValue(v: unknown): boolean {
  return v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0);
}

function rollupValue(
  store: Store,
  ds: DataSourceRecord | undefined,
  page: PageRecord,
  prop: PropertySchema,
  depth: number,
): Record<string, unknown> {
  const fn = String(prop.config.function);
  const relation = ds?.properties.find((p) => p.id === prop.config.relation_property_id);
  const target = relation ? store.dataSource(relation.config.data_source_id as string) : undefined;
  const rolled = target?.properties.find((p) => p.id === prop.config.rollup_property_id);
  const related = ((relation && (page.values.get(relation.id) as string[] | undefined)) ?? [])
    .map((id) => store.page(id))
    .filter((r): r is PageRecord => !!r && !store.isTrashed(r.id));
  const values =
    rolled && depth <= MAX_FORMULA_DEPTH
      ? related.map((r) => propertyInnerValue(store, target, r, rolled, depth + 1))
      : [];
  const numbers = values
    .map((v) => (typeof v === 'number' ? v : isObject(v) && typeof v.number === 'number' ? v.number : undefined))
    .filter((v): v is number => v !== undefined);
  const dates = values
    .map((v) =>
      isObject(v) && typeof v.start === 'string'
        ? v.start
        : typeof v === 'string' && !Number.isNaN(Date.parse(v))
          ? v
          : undefined,
    )
    .filter((v): v is string => v !== undefined)
    .toSorted();
  const number = (n: number | null): Record<string, unknown> => ({ type: 'number', number: n, function: fn });
  const share = (n: number): number | null => (values.length ? n / values.length : 0);
  const nonEmpty = values.filter((v) => !isEmptyValue(v)).length;
  const checked = values.filter((v) => v === true).length;
  switch (fn) {
    case 'count':
      return number(related.length);
    case 'count_values':
      return number(values.reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : isEmptyValue(v) ? 0 : 1), 0));
    case 'empty':
      return number(values.length - nonEmpty);
    case 'not_empty':
      return number(nonEmpty);
    case 'unique':
      return number(new Set(values.map((v) => JSON.stringify(v))).size);
    case 'percent_empty':
      return number(share(values.length - nonEmpty));
    case 'percent_not_empty':
      return number(share(nonEmpty));
    case 'sum':
      return number(numbers.reduce((a, b) => a + b, 0));
    case 'average':
      return number(numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null);
    case 'median': {
      const sorted = numbers.toSorted((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return number(
        sorted.length
          ? sorted.length % 2
            ? (sorted[mid] ?? 0)
            : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
          : null,
      );
    }
    case 'min':
      return number(numbers.length ? Math.min(...numbers) : null);
    case 'max':
      return number(numbers.length ? Math.max(...numbers) : null);
    case 'range':
      return number(numbers.length ? Math.max(...numbers) - Math.min(...numbers) : null);
    case 'checked':
      return number(checked);
    case 'unchecked':
      return number(values.length - checked);
    case 'percent_checked':
      return number(share(checked));
    case 'percent_unchecked':
      return number(share(values.length - checked));
    case 'earliest_date':
    case 'latest_date': {
      const start = fn === 'earliest_date' ? dates[0] : dates[dates.length - 1];
      return { type: 'date', date: start ? { start, end: null, time_zone: null } : null, function: fn };
    }
    case 'date_range':
      return {
        type: 'date',
        date: dates.length ? { start: dates[0], end: dates[dates.length - 1], time_zone: null } : null,
        function: fn,
      };
    case 'show_original':
    case 'show_unique': {
      const items = rolled
        ? related.map((r) => ({
            type: rolled.type,
            [rolled.type]: propertyInnerValue(store, target, r, rolled, depth + 1),
          }))
        : [];
      const unique =
        fn === 'show_unique'
          ? items.filter((x, i) => items.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i)
          : items;
      return { type: 'array', array: unique, function: fn };
    }
    default:
      return { type: 'unsupported', unsupported: {}, function: fn };
  }
}

// ---------------------------------------------------------------------------------------------------
// Seeding convenience

/** Splits long text into ≤2000-character runs, as a well-behaved client would. */
function textItems(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < text.length; i += MAX_TEXT_CONTENT)
    out.push({ text: { content: text.slice(i, i + MAX_TEXT_CONTENT) } });
  return out;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
}

/**
 * A convenient value for seeding → the request form pages.create takes:
 * string for title/rich_text/select/status/url/email/phone_number/date, string[] for
 * multi_select/people/relation/files (urls), number, boolean, {start,end} for date, null to clear.
 * A value already in request form ({[type]: …}) passes through.
 */
export function simpleToRequest(prop: PropertySchema, value: unknown): unknown {
  if (isObject(value) && prop.type in value) return value;
  if (COMPUTED_TYPES.includes(prop.type)) throw new Error(`${prop.name} is a ${prop.type} property and cannot be set`);
  const wrap = (v: unknown): Record<string, unknown> => ({ [prop.type]: v });
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return wrap(typeof value === 'string' ? textItems(value) : (value ?? []));
    case 'select':
    case 'status':
      return wrap(typeof value === 'string' ? { name: value } : value);
    case 'multi_select':
      return wrap(asList(value).map((v) => (typeof v === 'string' ? { name: v } : v)));
    case 'people':
    case 'relation':
      return wrap(asList(value).map((v) => (typeof v === 'string' ? { id: v } : v)));
    case 'files':
      return wrap(
        asList(value).map((v) =>
          typeof v === 'string' ? { name: v.split('/').pop() || 'file', external: { url: v } } : v,
        ),
      );
    case 'date':
      return wrap(typeof value === 'string' ? { start: value } : value);
    default:
      return wrap(value);
  }
}
