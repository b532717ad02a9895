// The workspace's state: pages, databases, data sources, blocks and users, the tree they form, and
// who can see what. No request validation and no API shapes here (see content.ts, properties.ts,
// render.ts); this is the model those work on.
//
// The tree: every record has a parent. A page's or block's content is its ordered `children`, which may
// hold block ids, child page ids (shown as child_page blocks) and database ids (child_database blocks).
// A data source's parent is its database; a row is a page whose parent is a data source.
// Access and trash both inherit down that tree.

export type RichText = Record<string, unknown>;

export type ParentRef =
  | { type: 'workspace' }
  | { type: 'page_id'; id: string }
  | { type: 'block_id'; id: string }
  | { type: 'database_id'; id: string }
  | { type: 'data_source_id'; id: string };

export interface UserRecord {
  id: string;
  type: 'person' | 'bot';
  name: string;
  email?: string;
  avatarUrl: string | null;
}

export interface Stamps {
  createdTime: number;
  lastEditedTime: number;
  createdBy: string;
  lastEditedBy: string;
  /** Creation order; breaks ties between equal (minute-rounded) timestamps. */
  seq: number;
}

export interface SelectOption {
  id: string;
  name: string;
  color: string;
  description: string | null;
}

export interface StatusGroup {
  id: string;
  name: string;
  color: string;
  option_ids: string[];
}

export type PropertyType =
  | 'title'
  | 'rich_text'
  | 'number'
  | 'select'
  | 'multi_select'
  | 'status'
  | 'date'
  | 'people'
  | 'files'
  | 'checkbox'
  | 'url'
  | 'email'
  | 'phone_number'
  | 'formula'
  | 'relation'
  | 'rollup'
  | 'created_time'
  | 'created_by'
  | 'last_edited_time'
  | 'last_edited_by'
  | 'unique_id';

export interface PropertySchema {
  id: string;
  name: string;
  description: string | null;
  type: PropertyType;
  /**
   * The type's configuration: {format} for number, {options} for select/multi_select, {options, groups}
   * for status, {expression} for formula, {data_source_id, database_id, type, single_property|dual_property}
   * for relation, {function, relation_property_id, rollup_property_id} for rollup, {prefix} for unique_id.
   */
  config: Record<string, unknown>;
}

export interface PageRecord extends Stamps {
  kind: 'page';
  id: string;
  parent: ParentRef;
  /** Stored property values by property id ("title" for a plain page's title). */
  values: Map<string, unknown>;
  icon: unknown;
  cover: unknown;
  inTrash: boolean;
  isLocked: boolean;
  children: string[];
  /** unique_id numbers given at creation, by property id. */
  uniqueIds: Map<string, number>;
}

export interface DatabaseRecord extends Stamps {
  kind: 'database';
  id: string;
  parent: ParentRef;
  title: RichText[];
  description: RichText[];
  isInline: boolean;
  inTrash: boolean;
  isLocked: boolean;
  icon: unknown;
  cover: unknown;
  dataSourceIds: string[];
}

export interface DataSourceRecord extends Stamps {
  kind: 'data_source';
  id: string;
  databaseId: string;
  title: RichText[];
  description: RichText[];
  properties: PropertySchema[];
  inTrash: boolean;
  icon: unknown;
  /** Rows in creation order, trashed ones included. */
  rowIds: string[];
  /** Next number per unique_id property id. */
  uniqueIdCounters: Map<string, number>;
}

export interface BlockRecord extends Stamps {
  kind: 'block';
  id: string;
  type: string;
  /** The type's payload as the API returns it, e.g. {rich_text, color} for a paragraph. */
  data: Record<string, unknown>;
  parent: ParentRef;
  children: string[];
  inTrash: boolean;
}

export type AnyRecord = PageRecord | DatabaseRecord | DataSourceRecord | BlockRecord;
export type RecordKind = AnyRecord['kind'];

/** Notion serves created/last-edited times rounded down to the minute. */
export function notionTime(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

export function plainText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return items.map((i) => (i && typeof i === 'object' ? String((i as RichText).plain_text ?? '') : '')).join('');
}

/** A plain text run in the response shape. */
export function textRun(content: string, link: string | null = null): RichText {
  return {
    type: 'text',
    text: { content, link: link ? { url: link } : null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: 'default',
    },
    plain_text: content,
    href: link,
  };
}

/** The layouts a view can have (the seeding helpers make these; Notion has a few more). */
export const VIEW_TYPES = ['table', 'board', 'list', 'calendar', 'gallery', 'timeline'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

/**
 * A database view: which rows of one of its data sources it shows (filter) and in what order (sorts),
 * both in the form a data source query takes and served back as they were given.
 */
export interface ViewRecord extends Stamps {
  id: string;
  databaseId: string;
  dataSourceId: string;
  name: string;
  type: ViewType;
  /** null: the view shows every row. */
  filter: Record<string, unknown> | null;
  /** null: rows in creation order. */
  sorts: Array<Record<string, unknown>> | null;
}

/** A view query's cached result (POST /v1/views/:id/queries), paged through until it expires. */
export interface ViewQueryRecord {
  id: string;
  viewId: string;
  rowIds: string[];
  /** The query matched more rows than one query returns (the 10,000-row cap). */
  incomplete: boolean;
  expiresAt: number;
}

export class Store {
  readonly records = new Map<string, AnyRecord>();
  /** Views by id; a database's first view is its default view. */
  readonly views = new Map<string, ViewRecord>();
  readonly viewQueries = new Map<string, ViewQueryRecord>();
  readonly users = new Map<string, UserRecord>();
  /** Explicit connection grants; the nearest ancestor with a flag decides (see isShared). */
  readonly shareFlags = new Map<string, boolean>();
  /** The bot user every API write is attributed to. */
  botUserId = '';
  workspaceName = '';
  workspaceId = '';
  /** Where the clock is read; fixtures pin it so seeded timestamps are constant. */
  clock: () => number = () => Date.now();
  private seq = 0;

  clear(): void {
    this.records.clear();
    this.views.clear();
    this.viewQueries.clear();
    this.users.clear();
    this.shareFlags.clear();
    this.seq = 0;
  }

  stamps(by: string): Stamps {
    const now = this.clock();
    return { createdTime: now, lastEditedTime: now, createdBy: by, lastEditedBy: by, seq: ++this.seq };
  }

  touch(record: AnyRecord, by: string = this.botUserId): void {
    record.lastEditedTime = Math.max(this.clock(), record.lastEditedTime);
    record.lastEditedBy = by;
  }

  get(id: string): AnyRecord | undefined {
    return this.records.get(id);
  }

  page(id: string): PageRecord | undefined {
    const r = this.records.get(id);
    return r?.kind === 'page' ? r : undefined;
  }

  database(id: string): DatabaseRecord | undefined {
    const r = this.records.get(id);
    return r?.kind === 'database' ? r : undefined;
  }

  dataSource(id: string): DataSourceRecord | undefined {
    const r = this.records.get(id);
    return r?.kind === 'data_source' ? r : undefined;
  }

  block(id: string): BlockRecord | undefined {
    const r = this.records.get(id);
    return r?.kind === 'block' ? r : undefined;
  }

  add<T extends AnyRecord>(record: T): T {
    this.records.set(record.id, record);
    return record;
  }

  /** The id of the record above this one (undefined at the workspace root). */
  parentId(record: AnyRecord): string | undefined {
    if (record.kind === 'data_source') return record.databaseId;
    return record.parent.type === 'workspace' ? undefined : record.parent.id;
  }

  /** This record and everything above it, nearest first. */
  *ancestry(id: string): Generator<AnyRecord> {
    const seen = new Set<string>();
    let current = this.records.get(id);
    while (current && !seen.has(current.id)) {
      seen.add(current.id);
      yield current;
      const up = this.parentId(current);
      current = up ? this.records.get(up) : undefined;
    }
  }

  /** Whether the integration can see this id: the nearest explicit share flag on it or above it. */
  isShared(id: string): boolean {
    for (const record of this.ancestry(id)) {
      const flag = this.shareFlags.get(record.id);
      if (flag !== undefined) return flag;
    }
    return false;
  }

  /** In the trash itself, or below something that is. */
  isTrashed(id: string): boolean {
    for (const record of this.ancestry(id)) if (record.inTrash) return true;
    return false;
  }

  /** Content list of a page or block (the container an append writes into). */
  childList(id: string): string[] | undefined {
    const r = this.records.get(id);
    return r && (r.kind === 'page' || r.kind === 'block') ? r.children : undefined;
  }

  /** Visible (non-trashed) children of a page or block, as records. */
  liveChildren(id: string): AnyRecord[] {
    const list = this.childList(id) ?? [];
    const out: AnyRecord[] = [];
    for (const childId of list) {
      const child = this.records.get(childId);
      if (child && !child.inTrash) out.push(child);
    }
    return out;
  }

  insertChild(containerId: string, childId: string, index?: number): void {
    const list = this.childList(containerId);
    if (!list) throw new Error(`${containerId} cannot hold children`);
    if (index === undefined || index >= list.length) list.push(childId);
    else list.splice(Math.max(0, index), 0, childId);
  }

  /** Title of a page (its title property), a database or a data source, as plain text. */
  titleOf(id: string): string {
    const r = this.records.get(id);
    if (!r) return '';
    if (r.kind === 'page') return plainText(r.values.get('title'));
    if (r.kind === 'database' || r.kind === 'data_source') return plainText(r.title);
    return '';
  }

  /** A database's views in tab order: the default view first, then the others as they were made. */
  viewsOf(databaseId: string): ViewRecord[] {
    return [...this.views.values()].filter((v) => v.databaseId === databaseId).toSorted((a, b) => a.seq - b.seq);
  }

  /** The data source a row page lives in. */
  rowSource(page: PageRecord): DataSourceRecord | undefined {
    return page.parent.type === 'data_source_id' ? this.dataSource(page.parent.id) : undefined;
  }

  /** Ids of every record below this one (content, child pages, databases, rows), for bulk trashing. */
  descendants(id: string): string[] {
    const out: string[] = [];
    const visit = (rid: string): void => {
      const r = this.records.get(rid);
      if (!r) return;
      const below =
        r.kind === 'page' || r.kind === 'block' ? r.children : r.kind === 'database' ? r.dataSourceIds : r.rowIds;
      for (const c of below) {
        out.push(c);
        visit(c);
      }
    };
    visit(id);
    return out;
  }
}
