// Records → the objects the 2025-09-03 API serves (apis.md §1.5; the SDK's *ObjectResponse types).
import { compactId, objectUrl, pageUrl } from './ids.ts';
import { findProperty, renderSchema, renderValue } from './properties.ts';
import {
  notionTime,
  plainText,
  type AnyRecord,
  type DatabaseRecord,
  type DataSourceRecord,
  type PageRecord,
  type ParentRef,
  type Stamps,
  type Store,
  type UserRecord,
  type ViewRecord,
} from './store.ts';

export type ApiObject = Record<string, unknown>;

export function renderParent(store: Store, parent: ParentRef): ApiObject {
  switch (parent.type) {
    case 'workspace':
      return { type: 'workspace', workspace: true };
    case 'data_source_id':
      return {
        type: 'data_source_id',
        data_source_id: parent.id,
        database_id: store.dataSource(parent.id)?.databaseId ?? null,
      };
    default:
      return { type: parent.type, [parent.type]: parent.id };
  }
}

function stamps(r: Stamps): ApiObject {
  return {
    created_time: notionTime(r.createdTime),
    last_edited_time: notionTime(r.lastEditedTime),
    created_by: { object: 'user', id: r.createdBy },
    last_edited_by: { object: 'user', id: r.lastEditedBy },
  };
}

/**
 * A page object. `filterProperties` (names or ids, as the filter_properties query parameter) limits
 * which properties are included.
 */
export function pageObject(store: Store, page: PageRecord, filterProperties?: string[]): ApiObject {
  const ds = store.rowSource(page);
  const properties: ApiObject = {};
  if (ds) {
    const wanted = filterProperties?.map((key) => findProperty(ds.properties, key)?.id);
    for (const prop of ds.properties) {
      if (wanted && !wanted.includes(prop.id)) continue;
      properties[prop.name] = renderValue(store, ds, page, prop);
    }
  } else if (!filterProperties || filterProperties.includes('title')) {
    properties.title = { id: 'title', type: 'title', title: page.values.get('title') ?? [] };
  }
  const trashed = store.isTrashed(page.id);
  return {
    object: 'page',
    id: page.id,
    ...stamps(page),
    cover: page.cover ?? null,
    icon: page.icon ?? null,
    parent: renderParent(store, page.parent),
    archived: trashed,
    in_trash: trashed,
    is_archived: false,
    is_locked: page.isLocked,
    properties,
    url: pageUrl(store.titleOf(page.id), page.id),
    public_url: null,
  };
}

export function databaseObject(store: Store, db: DatabaseRecord): ApiObject {
  const trashed = store.isTrashed(db.id);
  return {
    object: 'database',
    id: db.id,
    title: db.title,
    description: db.description,
    parent: renderParent(store, db.parent),
    is_inline: db.isInline,
    in_trash: trashed,
    archived: trashed,
    is_locked: db.isLocked,
    created_time: notionTime(db.createdTime),
    last_edited_time: notionTime(db.lastEditedTime),
    data_sources: db.dataSourceIds.map((id) => ({ id, name: store.titleOf(id) })),
    icon: db.icon ?? null,
    cover: db.cover ?? null,
    url: objectUrl(db.id),
    public_url: null,
  };
}

export function dataSourceObject(store: Store, ds: DataSourceRecord): ApiObject {
  const db = store.database(ds.databaseId);
  const trashed = store.isTrashed(ds.id);
  const properties: ApiObject = {};
  for (const prop of ds.properties) properties[prop.name] = renderSchema(store, ds, prop);
  return {
    object: 'data_source',
    id: ds.id,
    title: ds.title,
    description: ds.description,
    parent: { type: 'database_id', database_id: ds.databaseId },
    database_parent: db ? renderParent(store, db.parent) : { type: 'workspace', workspace: true },
    is_inline: db?.isInline ?? false,
    in_trash: trashed,
    archived: trashed,
    ...stamps(ds),
    properties,
    icon: ds.icon ?? db?.icon ?? null,
    cover: db?.cover ?? null,
    url: objectUrl(ds.id),
    public_url: null,
  };
}

/** A view object as GET /v1/views/:id serves it; its link is the database's with `?v=`, as in Notion. */
export function viewObject(view: ViewRecord): ApiObject {
  return {
    object: 'view',
    id: view.id,
    parent: { type: 'database_id', database_id: view.databaseId },
    name: view.name,
    type: view.type,
    ...stamps(view),
    url: `${objectUrl(view.databaseId)}?v=${compactId(view.id)}`,
    data_source_id: view.dataSourceId,
    filter: view.filter,
    sorts: view.sorts,
    quick_filters: null,
    configuration: null,
  };
}

/** Whether a page or block has visible content below it. */
function hasChildren(store: Store, id: string): boolean {
  return store.liveChildren(id).length > 0;
}

/**
 * Any id seen as a block: content blocks as they are, pages as child_page, databases as
 * child_database (that is how they appear in their parent's content).
 */
export function blockObject(store: Store, record: AnyRecord): ApiObject {
  let type: string;
  let data: ApiObject;
  let parent: ParentRef;
  if (record.kind === 'block') {
    type = record.type;
    data = record.data;
    parent = record.parent;
  } else if (record.kind === 'page') {
    type = 'child_page';
    data = { title: store.titleOf(record.id) };
    parent = record.parent;
  } else if (record.kind === 'database') {
    type = 'child_database';
    data = { title: plainText(record.title) };
    parent = record.parent;
  } else {
    throw new Error('A data source is not a block');
  }
  const trashed = store.isTrashed(record.id);
  return {
    object: 'block',
    id: record.id,
    parent: renderParent(store, parent),
    ...stamps(record),
    has_children: record.kind === 'database' ? false : hasChildren(store, record.id),
    archived: trashed,
    in_trash: trashed,
    type,
    [type]: data,
  };
}

export function userObject(store: Store, user: UserRecord): ApiObject {
  const base: ApiObject = { object: 'user', id: user.id, name: user.name, avatar_url: user.avatarUrl, type: user.type };
  if (user.type === 'person') return { ...base, person: user.email ? { email: user.email } : {} };
  return {
    ...base,
    bot: {
      owner: { type: 'workspace', workspace: true },
      workspace_name: store.workspaceName,
      workspace_id: store.workspaceId,
      workspace_limits: { max_file_upload_size_in_bytes: 5_368_709_120 },
    },
  };
}

/** {object:"list", results, next_cursor, has_more, type, [type]: {}} — every paginated answer. */
export function listObject(
  type: string,
  results: unknown[],
  nextCursor: string | null,
  extra: ApiObject = {},
): ApiObject {
  return {
    object: 'list',
    results,
    next_cursor: nextCursor,
    has_more: nextCursor !== null,
    type,
    [type]: {},
    ...extra,
  };
}
