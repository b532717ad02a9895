// One function per API operation: checks the request, changes the store, returns the API object.
// The HTTP layer (routes.ts) and the programmatic seeding helpers (index.ts) both call these, so a
// seeded row goes through exactly the validation a real write does.
import {
  acceptsChildren,
  expectBoolean,
  expectId,
  expectObject,
  expectString,
  isObject,
  onlyKeys,
  parseBlockUpdate,
  parseChildren,
  parseCover,
  parseIcon,
  parseRichText,
  type ContentContext,
  type NewBlock,
} from './content.ts';
import {
  archivedError,
  failed,
  fixOne,
  NotionError,
  notFound,
  oneOf,
  validation,
  type NotFoundNoun,
} from './errors.ts';
import { defaultViewIdFor, newId as randomId, normalizeId } from './ids.ts';
import { QUERY_RESULT_CAP, VERSION_WITHOUT_ARCHIVED } from './limits.ts';
import { pageMarkdown } from './markdown.ts';
import {
  applySchemaChanges,
  commitPendingOptions,
  findProperty,
  parseValue,
  propertyInnerValue,
  syncDualRelation,
  type PendingOptions,
} from './properties.ts';
import { compileQuery, matchRows, paginate, paginateByQuery, parseCursor, parsePageSize, runQuery } from './query.ts';
import {
  blockObject,
  databaseObject,
  dataSourceObject,
  listObject,
  pageObject,
  userObject,
  viewObject,
  type ApiObject,
} from './render.ts';
import {
  VIEW_TYPES,
  type AnyRecord,
  type BlockRecord,
  type DatabaseRecord,
  type DataSourceRecord,
  type PageRecord,
  type ParentRef,
  type RichText,
  type Stamps,
  type Store,
  type UserRecord,
  type ViewQueryRecord,
  type ViewRecord,
  type ViewType,
} from './store.ts';

export interface OpContext {
  store: Store;
  /** Notion-Version of the request; 2026-03-11 refuses `archived` and `after`. */
  version: string;
  /** Test/fixture seeding: sees unshared objects and skips per-request size limits. */
  seeding?: boolean;
  /** Who the write is attributed to (default: the integration's bot). */
  actor?: string;
  /** Id source for new records (fixtures use a deterministic one). */
  newId?: () => string;
}

type Expected = 'page' | 'database' | 'data_source' | 'block';

const NOUN: Record<Expected, NotFoundNoun> = {
  page: 'page',
  database: 'database',
  data_source: 'data source',
  block: 'block',
};

function contentCtx(ctx: OpContext): ContentContext {
  return { store: ctx.store, seeding: ctx.seeding, version: ctx.version };
}

function actor(ctx: OpContext): string {
  return ctx.actor ?? ctx.store.botUserId;
}

function freshId(ctx: OpContext): string {
  return ctx.newId ? ctx.newId() : randomId();
}

function legacyArchived(ctx: OpContext): string[] {
  return ctx.version >= VERSION_WITHOUT_ARCHIVED ? [] : ['archived'];
}

/** The request body as an object ({} when none was sent). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isObject(body)) throw failed('body', 'an object', body);
  return body;
}

/** An id from the URL path, or Notion's "path failed validation" refusal. */
export function pathId(raw: string, param: string): string {
  const id = normalizeId(raw);
  if (!id) throw failed(`path.${param}`, 'a valid uuid', raw);
  return id;
}

function wrongKind(id: string, actual: Exclude<Expected, 'block'>, expected: Exclude<Expected, 'block'>): NotionError {
  const noun = { page: 'page', database: 'database', data_source: 'data source' };
  const advice = {
    page: 'Use the retrieve page API instead',
    database: 'Use the retrieve database API instead',
    data_source: 'Use the retrieve data source API instead',
  };
  const tail = expected === 'page' ? '.' : `, or pass the ID of a ${noun[expected]}.`;
  return validation(`Provided ID ${id} is a ${noun[actual]}, not a ${noun[expected]}. ${advice[actual]}${tail}`);
}

/**
 * The record an endpoint works on. Missing and unshared are the same 404; a page id given to the
 * databases endpoint (and similar) is a 400 naming the right API.
 */
function lookup(ctx: OpContext, id: string, expected: Expected): AnyRecord {
  const record = ctx.store.get(id);
  if (!record || !(ctx.seeding || ctx.store.isShared(id))) throw notFound(NOUN[expected], id);
  if (expected === 'block') {
    if (record.kind === 'data_source') throw notFound('block', id);
    return record;
  }
  if (record.kind === expected) return record;
  if (record.kind === 'block') throw notFound(NOUN[expected], id);
  throw wrongKind(id, record.kind, expected);
}

function filterProperties(query: URLSearchParams | undefined): string[] | undefined {
  const list = query?.getAll('filter_properties') ?? [];
  return list.length ? list : undefined;
}

function trashFlag(ctx: OpContext, body: Record<string, unknown>): boolean | undefined {
  if (body.in_trash !== undefined) return expectBoolean(body.in_trash, 'body.in_trash');
  if (body.archived !== undefined && ctx.version < VERSION_WITHOUT_ARCHIVED)
    return expectBoolean(body.archived, 'body.archived');
  return undefined;
}

/**
 * Edits of something in the trash are refused unless the same request restores it (and nothing above
 * it is in the trash).
 */
function assertEditable(ctx: OpContext, record: AnyRecord, trash: boolean | undefined, hasEdits: boolean): void {
  if (!hasEdits || !ctx.store.isTrashed(record.id)) return;
  const above = ctx.store.parentId(record);
  const ancestorTrashed = above ? ctx.store.isTrashed(above) : false;
  if (trash === false && !ancestorTrashed) return;
  throw archivedError();
}

function nearestPage(store: Store, id: string): PageRecord | undefined {
  for (const r of store.ancestry(id)) if (r.kind === 'page') return r;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Users

export function getSelf(ctx: OpContext): ApiObject {
  const bot = ctx.store.users.get(ctx.store.botUserId);
  if (!bot) throw new Error('The workspace has no bot user');
  return userObject(ctx.store, bot);
}

export function listUsers(ctx: OpContext, query: URLSearchParams): ApiObject {
  const ids = [...ctx.store.users.keys()];
  const { slice, nextCursor } = paginateByQuery(ids, query);
  const users = slice.map((uid) => ctx.store.users.get(uid)).filter((u): u is UserRecord => u !== undefined);
  return listObject(
    'user',
    users.map((u) => userObject(ctx.store, u)),
    nextCursor,
  );
}

export function getUser(ctx: OpContext, id: string): ApiObject {
  const user = ctx.store.users.get(id);
  if (!user) throw notFound('user', id);
  return userObject(ctx.store, user);
}

// ---------------------------------------------------------------------------------------------------
// Blocks

/** Stores new blocks (and their children) in a page or block, at `index` (end when undefined). */
function insertBlocks(ctx: OpContext, containerId: string, blocks: NewBlock[], index?: number): BlockRecord[] {
  const { store } = ctx;
  const container = store.get(containerId);
  const parent: ParentRef =
    container?.kind === 'page' ? { type: 'page_id', id: containerId } : { type: 'block_id', id: containerId };
  return blocks.map((b, i) => {
    const record: BlockRecord = store.add({
      kind: 'block',
      id: freshId(ctx),
      type: b.type,
      data: b.data,
      parent,
      children: [],
      inTrash: false,
      ...store.stamps(actor(ctx)),
    });
    store.insertChild(containerId, record.id, index === undefined ? undefined : index + i);
    insertBlocks(ctx, record.id, b.children);
    return record;
  });
}

export function getBlock(ctx: OpContext, id: string): ApiObject {
  return blockObject(ctx.store, lookup(ctx, id, 'block'));
}

export function listBlockChildren(ctx: OpContext, id: string, query: URLSearchParams): ApiObject {
  const record = lookup(ctx, id, 'block');
  const live = ctx.store.liveChildren(record.id).map((r) => r.id);
  const { slice, nextCursor } = paginateByQuery(live, query, ctx.store.childList(record.id) ?? []);
  return listObject(
    'block',
    slice.map((cid) => blockObject(ctx.store, ctx.store.get(cid) as AnyRecord)),
    nextCursor,
  );
}

/** Where appended blocks go: `position` (end | start | after_block) or the deprecated `after`. */
function insertionIndex(ctx: OpContext, body: Record<string, unknown>, container: string[]): number | undefined {
  let afterId: string | undefined;
  if (body.position !== undefined) {
    const position = expectObject(body.position, 'body.position');
    const type = position.type;
    if (type === 'end') return undefined;
    if (type === 'start') return 0;
    if (type !== 'after_block') throw failed('body.position.type', oneOf(['after_block', 'start', 'end']), type);
    const after = expectObject(position.after_block, 'body.position.after_block');
    afterId = expectId(after.id, 'body.position.after_block.id');
  } else if (body.after !== undefined) {
    afterId = expectId(body.after, 'body.after');
  }
  if (afterId === undefined) return undefined;
  const at = container.indexOf(afterId);
  if (at < 0 || ctx.store.get(afterId)?.inTrash) {
    throw validation(`Block ${afterId} given as the position to append after is not a child of the parent block.`);
  }
  return at + 1;
}

export function appendBlockChildren(ctx: OpContext, id: string, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(body, ['children', 'position', ...(ctx.version >= VERSION_WITHOUT_ARCHIVED ? [] : ['after'])], 'body');
  if (body.position !== undefined && body.after !== undefined) throw failed('body.after', 'not present', body.after);
  const target = lookup(ctx, id, 'block');
  const containerType =
    target.kind === 'page' ? 'child_page' : target.kind === 'block' ? target.type : 'child_database';
  const containerData = target.kind === 'block' ? target.data : {};
  if (target.kind === 'database' || !acceptsChildren(containerType, containerData)) {
    throw validation(`Block type ${containerType} does not support children.`);
  }
  if (ctx.store.isTrashed(target.id)) throw archivedError();
  if (body.children === undefined) throw failed('body.children', 'defined');
  const blocks = parseChildren(body.children, 'body.children', contentCtx(ctx), {
    type: containerType,
    data: containerData,
  });
  const list = ctx.store.childList(target.id) ?? [];
  const index = insertionIndex(ctx, body, list);
  const created = insertBlocks(ctx, target.id, blocks, index);
  ctx.store.touch(target, actor(ctx));
  const page = nearestPage(ctx.store, target.id);
  if (page && page !== target) ctx.store.touch(page, actor(ctx));
  return listObject(
    'block',
    created.map((b) => blockObject(ctx.store, b)),
    null,
  );
}

export function updateBlock(ctx: OpContext, id: string, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  const record = lookup(ctx, id, 'block');
  const trash = trashFlag(ctx, body);
  const type = record.kind === 'block' ? record.type : record.kind === 'page' ? 'child_page' : 'child_database';
  onlyKeys(body, ['type', type, 'in_trash', ...legacyArchived(ctx)], 'body');
  if (body.type !== undefined && body.type !== type) throw validation(`Expected block type ${type} in request body`);
  const payload = body[type];
  assertEditable(ctx, record, trash, payload !== undefined);
  if (payload !== undefined) {
    if (record.kind === 'block') {
      record.data = parseBlockUpdate(
        type,
        record.data,
        expectObject(payload, `body.${type}`),
        `body.${type}`,
        contentCtx(ctx),
      );
    } else if (record.kind === 'page') {
      const given = expectObject(payload, `body.${type}`);
      onlyKeys(given, ['title'], `body.${type}`);
      record.values.set(
        'title',
        parseRichText(
          [{ text: { content: expectString(given.title, `body.${type}.title`) } }],
          'body',
          contentCtx(ctx),
        ),
      );
    } else if (record.kind === 'database') {
      const given = expectObject(payload, `body.${type}`);
      onlyKeys(given, ['title'], `body.${type}`);
      record.title = parseRichText(
        [{ text: { content: expectString(given.title, `body.${type}.title`) } }],
        'body',
        contentCtx(ctx),
      );
    }
  }
  if (trash !== undefined) record.inTrash = trash;
  ctx.store.touch(record, actor(ctx));
  return blockObject(ctx.store, record);
}

export function deleteBlock(ctx: OpContext, id: string): ApiObject {
  const record = lookup(ctx, id, 'block');
  if (ctx.store.isTrashed(record.id)) throw archivedError();
  record.inTrash = true;
  ctx.store.touch(record, actor(ctx));
  return blockObject(ctx.store, record);
}

// ---------------------------------------------------------------------------------------------------
// Pages

/** The property values of a create/update body, checked; nothing is stored yet. */
function parsePageProperties(
  ctx: OpContext,
  page: { parent: ParentRef },
  raw: unknown,
  pending: PendingOptions,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (raw === undefined) return values;
  const given = expectObject(raw, 'body.properties');
  const ds = page.parent.type === 'data_source_id' ? ctx.store.dataSource(page.parent.id) : undefined;
  for (const [key, value] of Object.entries(given)) {
    const path = `body.properties.${key}`;
    if (!ds) {
      // A plain page has exactly one property, its title.
      const isTitle = key === 'title' || (isObject(value) && 'title' in value) || Array.isArray(value);
      if (!isTitle) throw validation(`${key} is not a property that exists.`);
      const titleProp = { id: 'title', name: key, description: null, type: 'title' as const, config: {} };
      values.set('title', parseValue(contentCtx(ctx), undefined, titleProp, value, path, pending));
      continue;
    }
    const prop = findProperty(ds.properties, key);
    if (!prop) throw validation(`${key} is not a property that exists.`);
    values.set(prop.id, parseValue(contentCtx(ctx), ds, prop, value, path, pending));
  }
  return values;
}

/** Stores checked values on a page: new select options, dual relations, the values themselves. */
function applyPageValues(
  ctx: OpContext,
  page: PageRecord,
  values: Map<string, unknown>,
  pending: PendingOptions,
): void {
  const ds = ctx.store.rowSource(page);
  if (ds) commitPendingOptions(ds, pending);
  for (const [propId, value] of values) {
    const prop = ds?.properties.find((p) => p.id === propId);
    if (prop?.type === 'relation') {
      const before = (page.values.get(propId) as string[] | undefined) ?? [];
      syncDualRelation(ctx.store, prop, page, before, value as string[]);
    }
    page.values.set(propId, value);
  }
}

interface ResolvedParent {
  parent: ParentRef;
  /** The page the new page goes into (as a child_page block). */
  container?: PageRecord;
  ds?: DataSourceRecord;
}

function resolvePageParent(ctx: OpContext, raw: unknown): ResolvedParent {
  if (raw === undefined) throw failed('body.parent', 'defined');
  const parent = expectObject(raw, 'body.parent');
  const kind = parent.type ?? ['page_id', 'database_id', 'data_source_id', 'workspace'].find((k) => k in parent);
  if (kind === 'workspace') {
    if (!ctx.seeding) {
      throw validation(
        "Internal integrations aren't owned by a single user, so creating workspace-level private pages is not supported.",
      );
    }
    return { parent: { type: 'workspace' } };
  }
  if (kind === 'page_id') {
    const page = lookup(ctx, expectId(parent.page_id, 'body.parent.page_id'), 'page') as PageRecord;
    if (ctx.store.isTrashed(page.id)) throw archivedError();
    return { parent: { type: 'page_id', id: page.id }, container: page };
  }
  if (kind === 'database_id') {
    const db = lookup(ctx, expectId(parent.database_id, 'body.parent.database_id'), 'database') as DatabaseRecord;
    if (db.dataSourceIds.length !== 1) {
      throw validation(
        `Database ${db.id} has ${db.dataSourceIds.length} data sources; use a data_source_id parent to say which one.`,
      );
    }
    const ds = ctx.store.dataSource(db.dataSourceIds[0] as string) as DataSourceRecord;
    if (ctx.store.isTrashed(ds.id)) throw archivedError();
    return { parent: { type: 'data_source_id', id: ds.id }, ds };
  }
  if (kind === 'data_source_id') {
    const ds = lookup(
      ctx,
      expectId(parent.data_source_id, 'body.parent.data_source_id'),
      'data_source',
    ) as DataSourceRecord;
    if (ctx.store.isTrashed(ds.id)) throw archivedError();
    return { parent: { type: 'data_source_id', id: ds.id }, ds };
  }
  throw fixOne([
    'body.parent.page_id',
    'body.parent.database_id',
    'body.parent.data_source_id',
    'body.parent.workspace',
  ]);
}

/** Index for pages.create's `position` inside the parent page's content. */
function pagePosition(ctx: OpContext, raw: unknown, container: PageRecord | undefined): number | undefined {
  if (raw === undefined || !container) return undefined;
  const position = expectObject(raw, 'body.position');
  if (position.type === 'page_end') return undefined;
  if (position.type === 'page_start') return 0;
  if (position.type !== 'after_block')
    throw failed('body.position.type', oneOf(['after_block', 'page_start', 'page_end']), position.type);
  return insertionIndex(
    ctx,
    { position: { type: 'after_block', after_block: position.after_block } },
    container.children,
  );
}

export function createPage(ctx: OpContext, rawBody: unknown, query?: URLSearchParams, fixedId?: string): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(
    body,
    ['parent', 'properties', 'icon', 'cover', 'content', 'children', 'markdown', 'allow_async', 'template', 'position'],
    'body',
  );
  if (body.markdown !== undefined) {
    throw new NotionError(
      400,
      'invalid_request',
      'Unsupported request: markdown is not supported by this workspace; send children.',
    );
  }
  if (body.content !== undefined && body.children !== undefined)
    throw failed('body.content', 'not present', body.content);
  const { store } = ctx;
  const where = resolvePageParent(ctx, body.parent);
  const pending: PendingOptions = new Map();
  const values = parsePageProperties(ctx, where, body.properties, pending);
  const rawChildren = body.children ?? body.content;
  const childPath = body.children !== undefined ? 'body.children' : 'body.content';
  const blocks =
    rawChildren === undefined
      ? []
      : parseChildren(rawChildren, childPath, contentCtx(ctx), { type: 'child_page', data: {} });
  const icon = body.icon === undefined ? null : parseIcon(body.icon, 'body.icon');
  const cover = body.cover === undefined ? null : parseCover(body.cover, 'body.cover');
  const index = pagePosition(ctx, body.position, where.container);

  const page: PageRecord = store.add({
    kind: 'page',
    id: fixedId ?? freshId(ctx),
    parent: where.parent,
    values: new Map(),
    icon,
    cover,
    inTrash: false,
    isLocked: false,
    children: [],
    uniqueIds: new Map(),
    ...store.stamps(actor(ctx)),
  });
  if (!values.has('title') && !where.ds) values.set('title', []);
  applyPageValues(ctx, page, values, pending);
  if (where.ds) {
    for (const prop of where.ds.properties) {
      if (prop.type !== 'unique_id') continue;
      const next = where.ds.uniqueIdCounters.get(prop.id) ?? 1;
      page.uniqueIds.set(prop.id, next);
      where.ds.uniqueIdCounters.set(prop.id, next + 1);
    }
    where.ds.rowIds.push(page.id);
  }
  if (where.container) {
    store.insertChild(where.container.id, page.id, index);
    store.touch(where.container, actor(ctx));
  }
  insertBlocks(ctx, page.id, blocks);
  return pageObject(store, page, filterProperties(query));
}

export function getPage(ctx: OpContext, id: string, query?: URLSearchParams): ApiObject {
  return pageObject(ctx.store, lookup(ctx, id, 'page') as PageRecord, filterProperties(query));
}

/** GET /v1/pages/{id}/markdown: the whole page in one answer (markdown.ts). */
export function getPageMarkdown(ctx: OpContext, id: string): ApiObject {
  const page = lookup(ctx, id, 'page');
  return { object: 'page_markdown', id: page.id, ...pageMarkdown(ctx.store, page.id) };
}

export function updatePage(ctx: OpContext, id: string, rawBody: unknown, query?: URLSearchParams): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(
    body,
    [
      'properties',
      'icon',
      'cover',
      'is_locked',
      'template',
      'erase_content',
      'in_trash',
      'is_archived',
      ...legacyArchived(ctx),
    ],
    'body',
  );
  const { store } = ctx;
  const page = lookup(ctx, id, 'page') as PageRecord;
  const trash = trashFlag(ctx, body);
  const hasEdits = ['properties', 'icon', 'cover', 'erase_content', 'is_locked', 'template'].some(
    (k) => body[k] !== undefined,
  );
  assertEditable(ctx, page, trash, hasEdits);

  const pending: PendingOptions = new Map();
  const values = parsePageProperties(ctx, page, body.properties, pending);
  const icon = body.icon === undefined ? undefined : parseIcon(body.icon, 'body.icon');
  const cover = body.cover === undefined ? undefined : parseCover(body.cover, 'body.cover');
  const isLocked = body.is_locked === undefined ? undefined : expectBoolean(body.is_locked, 'body.is_locked');
  const erase = body.erase_content === undefined ? false : expectBoolean(body.erase_content, 'body.erase_content');

  if (trash === false) page.inTrash = false;
  applyPageValues(ctx, page, values, pending);
  if (icon !== undefined) page.icon = icon;
  if (cover !== undefined) page.cover = cover;
  if (isLocked !== undefined) page.isLocked = isLocked;
  if (erase) for (const child of store.liveChildren(page.id)) child.inTrash = true;
  if (trash === true) page.inTrash = true;
  store.touch(page, actor(ctx));
  return pageObject(store, page, filterProperties(query));
}

/** GET /v1/pages/:id/properties/:property_id — the full value, paginated for list-like types. */
export function getPageProperty(ctx: OpContext, id: string, propertyKey: string, query: URLSearchParams): ApiObject {
  const page = lookup(ctx, id, 'page') as PageRecord;
  const ds = ctx.store.rowSource(page);
  const prop = ds
    ? findProperty(ds.properties, propertyKey)
    : propertyKey === 'title'
      ? { id: 'title', name: 'title', description: null, type: 'title' as const, config: {} }
      : undefined;
  if (!prop) throw validation(`Could not find property with name or id: ${propertyKey}`);
  const inner = propertyInnerValue(ctx.store, ds, page, prop);
  if (!['title', 'rich_text', 'people', 'relation'].includes(prop.type)) {
    return { object: 'property_item', id: prop.id, type: prop.type, [prop.type]: inner };
  }
  // Cursors here are opaque offsets, not ids.
  const items = inner as unknown[];
  const pageSize = parsePageSize(query.get('page_size') ?? undefined, 'query.page_size');
  const rawCursor = query.get('start_cursor');
  const start = rawCursor ? Number(rawCursor) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation(`The start_cursor provided is invalid: ${rawCursor}`);
  const slice = items.slice(start, start + pageSize);
  const next = start + pageSize < items.length ? String(start + pageSize) : null;
  return listObject(
    'property_item',
    slice.map((item) => ({ object: 'property_item', id: prop.id, type: prop.type, [prop.type]: item })),
    next,
    { property_item: { id: prop.id, next_url: null, type: prop.type, [prop.type]: {} } },
  );
}

// ---------------------------------------------------------------------------------------------------
// Databases and data sources

function newDataSource(ctx: OpContext, databaseId: string, title: RichText[], fixedId?: string): DataSourceRecord {
  return ctx.store.add({
    kind: 'data_source',
    id: fixedId ?? freshId(ctx),
    databaseId,
    title,
    description: [],
    properties: [],
    inTrash: false,
    icon: null,
    rowIds: [],
    uniqueIdCounters: new Map(),
    ...ctx.store.stamps(actor(ctx)),
  });
}

export function getDatabase(ctx: OpContext, id: string): ApiObject {
  return databaseObject(ctx.store, lookup(ctx, id, 'database') as DatabaseRecord);
}

export function createDatabase(
  ctx: OpContext,
  rawBody: unknown,
  fixedIds: { databaseId?: string; dataSourceId?: string } = {},
): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(body, ['parent', 'title', 'description', 'is_inline', 'initial_data_source', 'icon', 'cover'], 'body');
  const { store } = ctx;
  if (body.parent === undefined) throw failed('body.parent', 'defined');
  const parentSpec = expectObject(body.parent, 'body.parent');
  const kind =
    parentSpec.type ??
    (parentSpec.page_id !== undefined ? 'page_id' : parentSpec.workspace !== undefined ? 'workspace' : undefined);
  let container: PageRecord | undefined;
  if (kind === 'page_id') {
    container = lookup(ctx, expectId(parentSpec.page_id, 'body.parent.page_id'), 'page') as PageRecord;
    if (store.isTrashed(container.id)) throw archivedError();
  } else if (kind === 'workspace') {
    if (!ctx.seeding) {
      throw validation(
        "Internal integrations aren't owned by a single user, so creating workspace-level private databases is not supported.",
      );
    }
  } else {
    throw fixOne(['body.parent.page_id', 'body.parent.workspace']);
  }
  const cc = contentCtx(ctx);
  const title = body.title === undefined ? [] : parseRichText(body.title, 'body.title', cc);
  const description = body.description === undefined ? [] : parseRichText(body.description, 'body.description', cc);
  const isInline = body.is_inline === undefined ? false : expectBoolean(body.is_inline, 'body.is_inline');
  const icon = body.icon === undefined ? null : parseIcon(body.icon, 'body.icon');
  const cover = body.cover === undefined ? null : parseCover(body.cover, 'body.cover');
  const initial =
    body.initial_data_source === undefined ? {} : expectObject(body.initial_data_source, 'body.initial_data_source');
  onlyKeys(initial, ['properties'], 'body.initial_data_source');

  const db: DatabaseRecord = store.add({
    kind: 'database',
    id: fixedIds.databaseId ?? freshId(ctx),
    parent: container ? { type: 'page_id', id: container.id } : { type: 'workspace' },
    title,
    description,
    isInline,
    inTrash: false,
    isLocked: false,
    icon,
    cover,
    dataSourceIds: [],
    ...store.stamps(actor(ctx)),
  });
  const ds = newDataSource(ctx, db.id, structuredClone(title), fixedIds.dataSourceId);
  db.dataSourceIds.push(ds.id);
  try {
    applySchemaChanges(cc, ds, initial.properties ?? {}, 'body.initial_data_source.properties', true);
  } catch (error) {
    store.records.delete(ds.id);
    store.records.delete(db.id);
    throw error;
  }
  // As in Notion, a new database opens on a view of its own, showing every row. It is made with the
  // database (same stamps), so it takes no tick of the fixtures' clock.
  addView(ctx, { databaseId: db.id, name: 'Default view', id: defaultViewIdFor(db.id) }, db);
  if (container) {
    // The new database shows up as a child_database block in its parent page.
    store.insertChild(container.id, db.id);
    store.touch(container, actor(ctx));
  }
  return databaseObject(store, db);
}

export function updateDatabase(ctx: OpContext, id: string, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(
    body,
    ['parent', 'title', 'description', 'is_inline', 'icon', 'cover', 'in_trash', 'is_locked', ...legacyArchived(ctx)],
    'body',
  );
  const { store } = ctx;
  const db = lookup(ctx, id, 'database') as DatabaseRecord;
  const trash = trashFlag(ctx, body);
  const edits = ['parent', 'title', 'description', 'is_inline', 'icon', 'cover', 'is_locked'].some(
    (k) => body[k] !== undefined,
  );
  assertEditable(ctx, db, trash, edits);
  const cc = contentCtx(ctx);
  const title = body.title === undefined ? undefined : parseRichText(body.title, 'body.title', cc);
  const description =
    body.description === undefined ? undefined : parseRichText(body.description, 'body.description', cc);
  let newParent: PageRecord | undefined;
  if (body.parent !== undefined) {
    const parentSpec = expectObject(body.parent, 'body.parent');
    newParent = lookup(ctx, expectId(parentSpec.page_id, 'body.parent.page_id'), 'page') as PageRecord;
    if (store.isTrashed(newParent.id)) throw archivedError();
  }
  if (title) db.title = title;
  if (description) db.description = description;
  if (body.is_inline !== undefined) db.isInline = expectBoolean(body.is_inline, 'body.is_inline');
  if (body.is_locked !== undefined) db.isLocked = expectBoolean(body.is_locked, 'body.is_locked');
  if (body.icon !== undefined) db.icon = parseIcon(body.icon, 'body.icon');
  if (body.cover !== undefined) db.cover = parseCover(body.cover, 'body.cover');
  if (newParent && !(db.parent.type === 'page_id' && db.parent.id === newParent.id)) {
    const oldList = db.parent.type === 'workspace' ? undefined : store.childList(db.parent.id);
    if (oldList?.includes(db.id)) oldList.splice(oldList.indexOf(db.id), 1);
    db.parent = { type: 'page_id', id: newParent.id };
    store.insertChild(newParent.id, db.id);
  }
  if (trash !== undefined) db.inTrash = trash;
  store.touch(db, actor(ctx));
  return databaseObject(store, db);
}

export function getDataSource(ctx: OpContext, id: string): ApiObject {
  return dataSourceObject(ctx.store, lookup(ctx, id, 'data_source') as DataSourceRecord);
}

export function createDataSource(ctx: OpContext, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(body, ['parent', 'properties', 'title', 'icon'], 'body');
  if (body.parent === undefined) throw failed('body.parent', 'defined');
  const parentSpec = expectObject(body.parent, 'body.parent');
  onlyKeys(parentSpec, ['type', 'database_id'], 'body.parent');
  const db = lookup(ctx, expectId(parentSpec.database_id, 'body.parent.database_id'), 'database') as DatabaseRecord;
  if (ctx.store.isTrashed(db.id)) throw archivedError();
  if (body.properties === undefined) throw failed('body.properties', 'defined');
  const cc = contentCtx(ctx);
  const title = body.title === undefined ? [] : parseRichText(body.title, 'body.title', cc);
  const ds = newDataSource(ctx, db.id, title);
  if (body.icon !== undefined) ds.icon = parseIcon(body.icon, 'body.icon');
  try {
    applySchemaChanges(cc, ds, body.properties, 'body.properties', true);
  } catch (error) {
    ctx.store.records.delete(ds.id);
    throw error;
  }
  db.dataSourceIds.push(ds.id);
  return dataSourceObject(ctx.store, ds);
}

export function updateDataSource(ctx: OpContext, id: string, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(body, ['title', 'icon', 'properties', 'in_trash', 'parent', ...legacyArchived(ctx)], 'body');
  const ds = lookup(ctx, id, 'data_source') as DataSourceRecord;
  const trash = trashFlag(ctx, body);
  assertEditable(
    ctx,
    ds,
    trash,
    ['title', 'icon', 'properties', 'parent'].some((k) => body[k] !== undefined),
  );
  const cc = contentCtx(ctx);
  const title = body.title === undefined ? undefined : parseRichText(body.title, 'body.title', cc);
  const icon = body.icon === undefined ? undefined : parseIcon(body.icon, 'body.icon');
  if (body.parent !== undefined) throw validation('Moving a data source to another database is not supported.');
  if (body.properties !== undefined) applySchemaChanges(cc, ds, body.properties, 'body.properties', false);
  if (title) ds.title = title;
  if (icon !== undefined) ds.icon = icon;
  if (trash !== undefined) ds.inTrash = trash;
  ctx.store.touch(ds, actor(ctx));
  return dataSourceObject(ctx.store, ds);
}

export function queryDataSource(ctx: OpContext, id: string, rawBody: unknown, query?: URLSearchParams): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(
    body,
    ['sorts', 'filter', 'start_cursor', 'page_size', 'in_trash', 'result_type', ...legacyArchived(ctx)],
    'body',
  );
  if (body.result_type !== undefined && body.result_type !== 'page' && body.result_type !== 'data_source') {
    throw failed('body.result_type', oneOf(['page', 'data_source']), body.result_type);
  }
  const ds = lookup(ctx, id, 'data_source') as DataSourceRecord;
  const { rows, nextCursor, incomplete } = runQuery(ctx.store, ds, body);
  const props = filterProperties(query);
  return listObject(
    'page_or_data_source',
    body.result_type === 'data_source' ? [] : rows.map((r) => pageObject(ctx.store, r, props)),
    nextCursor,
    { request_status: requestStatus(incomplete) },
  );
}

/** Whether a query's results were cut at the 10,000-row cap. */
function requestStatus(incomplete: boolean): ApiObject {
  return incomplete ? { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' } : { type: 'complete' };
}

export function listDataSourceTemplates(ctx: OpContext, id: string): ApiObject {
  lookup(ctx, id, 'data_source');
  return { templates: [], has_more: false, next_cursor: null };
}

// ---------------------------------------------------------------------------------------------------
// Search

export function search(ctx: OpContext, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(body, ['sort', 'query', 'start_cursor', 'page_size', 'filter'], 'body');
  const { store } = ctx;
  const text =
    body.query === undefined || body.query === null ? '' : expectString(body.query, 'body.query').trim().toLowerCase();
  let only: 'page' | 'data_source' | undefined;
  if (body.filter !== undefined) {
    const filter = expectObject(body.filter, 'body.filter');
    if (filter.value !== undefined || filter.property !== undefined) {
      if (filter.property !== 'object') throw failed('body.filter.property', oneOf(['object']), filter.property);
      if (filter.value !== 'page' && filter.value !== 'data_source') {
        throw failed('body.filter.value', oneOf(['page', 'data_source']), filter.value);
      }
      only = filter.value;
    }
  }
  let descending = true;
  if (body.sort !== undefined) {
    const sort = expectObject(body.sort, 'body.sort');
    if (sort.timestamp !== undefined) {
      if (sort.timestamp !== 'last_edited_time')
        throw failed('body.sort.timestamp', oneOf(['last_edited_time']), sort.timestamp);
      if (sort.direction !== 'ascending' && sort.direction !== 'descending') {
        throw failed('body.sort.direction', oneOf(['ascending', 'descending']), sort.direction);
      }
      descending = sort.direction === 'descending';
    }
  }
  const pageSize = parsePageSize(body.page_size, 'body.page_size');
  const cursor = parseCursor(body.start_cursor, 'body.start_cursor');

  const hits = [...store.records.values()].filter(
    (r): r is PageRecord | DataSourceRecord =>
      (r.kind === 'page' || r.kind === 'data_source') &&
      (!only || r.kind === only) &&
      store.isShared(r.id) &&
      !store.isTrashed(r.id) &&
      (text === '' || store.titleOf(r.id).toLowerCase().includes(text)),
  );
  hits.sort((a, b) => {
    const byTime = Math.floor(a.lastEditedTime / 60_000) - Math.floor(b.lastEditedTime / 60_000) || a.seq - b.seq;
    return descending ? -byTime : byTime;
  });
  const { slice, nextCursor } = paginate(
    hits.map((h) => h.id),
    cursor,
    pageSize,
  );
  return listObject(
    'page_or_data_source',
    slice.map((hid) => {
      const r = store.get(hid) as PageRecord | DataSourceRecord;
      return r.kind === 'page' ? pageObject(store, r) : dataSourceObject(store, r);
    }),
    nextCursor,
  );
}

// ---------------------------------------------------------------------------------------------------
// Views

/** How long a view query's results can be paged through (Notion: 15 minutes). */
const VIEW_QUERY_LIFETIME_MS = 15 * 60_000;

/** A view over a database's (first) data source. */
export interface NewView {
  databaseId: string;
  name: string;
  type?: ViewType;
  filter?: Record<string, unknown> | null;
  sorts?: Array<Record<string, unknown>> | null;
  id?: string;
}

/**
 * Adds a view to a database. Its filter and sorts are checked as a data source query checks them, so a
 * view names only properties that exist; they are kept as given and served back unchanged. `madeWith`:
 * the record whose creation this view is part of, whose stamps it shares.
 */
export function addView(ctx: OpContext, spec: NewView, madeWith?: Stamps): ViewRecord {
  const { store } = ctx;
  const db = lookup(ctx, spec.databaseId, 'database') as DatabaseRecord;
  const ds = store.dataSource(db.dataSourceIds[0] ?? '');
  if (!ds) throw new Error(`Database ${db.id} has no data source`);
  const type = spec.type ?? 'table';
  if (!VIEW_TYPES.includes(type)) throw failed('body.type', oneOf(VIEW_TYPES), type);
  const filter = spec.filter ? structuredClone(spec.filter) : null;
  const sorts = spec.sorts ? structuredClone(spec.sorts) : null;
  compileQuery(store, ds, { filter, sorts: sorts ?? undefined });
  const id = spec.id ?? freshId(ctx);
  if (store.views.has(id) || store.get(id)) throw new Error(`An object with id ${id} already exists`);
  const view: ViewRecord = {
    id,
    databaseId: db.id,
    dataSourceId: ds.id,
    name: spec.name,
    type,
    filter,
    sorts,
    ...(madeWith ? sameStamps(madeWith) : store.stamps(actor(ctx))),
  };
  store.views.set(id, view);
  return view;
}

function sameStamps({ createdTime, lastEditedTime, createdBy, lastEditedBy, seq }: Stamps): Stamps {
  return { createdTime, lastEditedTime, createdBy, lastEditedBy, seq };
}

/** A view the integration can see: its database is shared with it and not in the trash. */
function lookupView(ctx: OpContext, id: string): ViewRecord {
  const view = ctx.store.views.get(id);
  const visible = view && (ctx.seeding || ctx.store.isShared(view.databaseId)) && !ctx.store.isTrashed(view.databaseId);
  if (!view || !visible) throw notFound('view', id);
  return view;
}

export function getView(ctx: OpContext, id: string): ApiObject {
  return viewObject(lookupView(ctx, id));
}

/** GET /v1/views?database_id=… or ?data_source_id=… (exactly one): references to the views, in tab order. */
export function listViews(ctx: OpContext, query: URLSearchParams): ApiObject {
  const databaseParam = query.get('database_id');
  const dataSourceParam = query.get('data_source_id');
  if (databaseParam === null && dataSourceParam === null) throw fixOne(['query.database_id', 'query.data_source_id']);
  if (databaseParam !== null && dataSourceParam !== null)
    throw failed('query.data_source_id', '`undefined` when query.database_id is defined', dataSourceParam);
  let views: ViewRecord[];
  if (databaseParam !== null) {
    const db = lookup(ctx, expectId(databaseParam, 'query.database_id'), 'database');
    if (ctx.store.isTrashed(db.id)) throw notFound('database', db.id);
    views = ctx.store.viewsOf(db.id);
  } else {
    const ds = lookup(ctx, expectId(dataSourceParam, 'query.data_source_id'), 'data_source') as DataSourceRecord;
    if (ctx.store.isTrashed(ds.id)) throw notFound('data source', ds.id);
    views = ctx.store.viewsOf(ds.databaseId).filter((v) => v.dataSourceId === ds.id);
  }
  const { slice, nextCursor } = paginateByQuery(
    views.map((v) => v.id),
    query,
  );
  return listObject(
    'view',
    slice.map((viewId) => ({ object: 'view', id: viewId })),
    nextCursor,
  );
}

/** The rows a view shows, as the cached result set of a view query. */
export function createViewQuery(ctx: OpContext, viewId: string, rawBody: unknown): ApiObject {
  const body = bodyObject(rawBody);
  onlyKeys(body, ['page_size'], 'body');
  const pageSize = parsePageSize(body.page_size, 'body.page_size');
  const view = lookupView(ctx, viewId);
  const ds = ctx.store.dataSource(view.dataSourceId) as DataSourceRecord;
  const { matched } = matchRows(ctx.store, ds, { filter: view.filter, sorts: view.sorts ?? undefined });
  const cached: ViewQueryRecord = {
    id: freshId(ctx),
    viewId: view.id,
    rowIds: matched.slice(0, QUERY_RESULT_CAP).map((p) => p.id),
    incomplete: matched.length > QUERY_RESULT_CAP,
    expiresAt: ctx.store.clock() + VIEW_QUERY_LIFETIME_MS,
  };
  ctx.store.viewQueries.set(cached.id, cached);
  const { slice, nextCursor } = paginate(cached.rowIds, undefined, pageSize);
  return {
    object: 'view_query',
    id: cached.id,
    view_id: view.id,
    expires_at: new Date(cached.expiresAt).toISOString(),
    total_count: cached.rowIds.length,
    results: pageReferences(slice),
    next_cursor: nextCursor,
    has_more: nextCursor !== null,
    request_status: requestStatus(cached.incomplete),
  };
}

/** A further page of a view query's cached results; 404 once it has expired. */
export function getViewQueryResults(
  ctx: OpContext,
  viewId: string,
  queryId: string,
  query: URLSearchParams,
): ApiObject {
  lookupView(ctx, viewId);
  const cached = ctx.store.viewQueries.get(queryId);
  if (!cached || cached.viewId !== viewId || cached.expiresAt <= ctx.store.clock())
    throw notFound('view query', queryId);
  const { slice, nextCursor } = paginateByQuery(cached.rowIds, query);
  return listObject('page', pageReferences(slice), nextCursor, { request_status: requestStatus(cached.incomplete) });
}

/** Deleting a view query always succeeds, whether or not it still exists (as Notion's does). */
export function deleteViewQuery(ctx: OpContext, viewId: string, queryId: string): ApiObject {
  lookupView(ctx, viewId);
  ctx.store.viewQueries.delete(queryId);
  return { object: 'view_query', id: queryId, deleted: true };
}

/** A view query's results name their rows only. */
function pageReferences(rowIds: string[]): ApiObject[] {
  return rowIds.map((rowId) => ({ object: 'page', id: rowId }));
}
