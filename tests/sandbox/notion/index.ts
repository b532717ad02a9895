// Public interface of the Notion API emulator: a stateful, in-memory https://api.notion.com
// (2025-09-03 data-source model) that @notionhq/client works against unchanged, plus helpers for tests
// and for the notion.so look-alike site to seed and read the same state.
import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from '../http-util.ts';
import { isObject } from './content.ts';
import type { FileDownload, FileHost, FileUpload } from './file-host.ts';
import { appendImageFile, attachFile, type AttachedFile } from './file-seeding.ts';
import { fileHostOf } from './file-values.ts';
import { FIXTURES, seedFixtures } from './fixtures.ts';
import { defaultViewIdFor, normalizeId } from './ids.ts';
import * as ops from './operations.ts';
import type { OpContext } from './operations.ts';
import { simpleToRequest } from './properties.ts';
import { matchRows } from './query.ts';
import { TokenBuckets } from './rate-limit.ts';
import { blockObject, dataSourceObject, databaseObject, pageObject, viewObject } from './render.ts';
import { handleRequest, type RequestLogEntry } from './routes.ts';
import { plainText, Store } from './store.ts';

export { FIXTURES };
export { compactId, defaultViewIdFor, normalizeId, objectUrl, pageUrl, titleSlug } from './ids.ts';
export type { RequestLogEntry };

import type {
  BlockTreeNode,
  DatabaseObject,
  DataSourceObject,
  NotionApiOptions,
  PageObject,
  RowsQuery,
  SeedDatabaseOptions,
  SeededDatabase,
  SeedPageOptions,
  SeedRow,
  SeedViewOptions,
  ViewObject,
} from './types.ts';

export type {
  NotionApiOptions,
  PageObject,
  DatabaseObject,
  DataSourceObject,
  BlockTreeNode,
  SeedValue,
  SeedRow,
  SeedPageOptions,
  SeedDatabaseOptions,
  SeededDatabase,
  RowsQuery,
  SeedViewOptions,
  ViewObject,
} from './types.ts';
export type { FileDownload, FileUpload } from './file-host.ts';
export type { AttachedFile } from './file-seeding.ts';

export class NotionApi {
  /** The fixture constants (the same object as the FIXTURES export). */
  readonly fixtures = FIXTURES;
  /** Every request answered: method, path, `${METHOD} ${route pattern}`, token, status, parsed body, time. */
  readonly requestLog: RequestLogEntry[] = [];
  readonly #store = new Store();
  readonly #limiter = new TokenBuckets();
  readonly #files: FileHost = fileHostOf(this.#store);
  readonly #tokens: ReadonlySet<string> = new Set([FIXTURES.token, FIXTURES.personalAccessToken, FIXTURES.legacyToken]);
  #rate: [number, number | undefined];
  readonly #initialRate: [number, number | undefined];

  constructor(opts: NotionApiOptions = {}) {
    this.#initialRate = [opts.rateLimitPerSecond ?? 0, opts.rateLimitBurst];
    this.#rate = this.#initialRate;
    this.#limiter.configure(...this.#rate);
    seedFixtures(this.#store);
  }

  /** Answers one request to https://api.notion.com (req.url.pathname starts with /v1/). */
  handle(req: SandboxRequest, res: ServerResponse): Promise<void> {
    return handleRequest(
      { store: this.#store, limiter: this.#limiter, log: this.requestLog, tokens: this.#tokens },
      req,
      res,
    );
  }

  /** Answers one request to the bucket of Notion-hosted files, https://prod-files-secure.s3.us-west-2.amazonaws.com. */
  handleFileHost(req: SandboxRequest, res: ServerResponse): void {
    this.#files.handle(req, res);
  }

  /**
   * Back to the seeded fixtures (same constant ids; views made since are gone, the fixtures' views are
   * back) and the rate limit the sandbox started with; rate-limit buckets refill. Uploaded files, their
   * URLs and the download log are gone too. The request log is kept.
   */
  reset(): void {
    seedFixtures(this.#store);
    this.#files.clear();
    this.#rate = this.#initialRate;
    this.#limiter.configure(...this.#rate);
  }

  setRateLimit(perSecond: number, burst?: number): void {
    this.#rate = [perSecond, burst];
    this.#limiter.configure(perSecond, burst);
  }

  clearRequestLog(): void {
    this.requestLog.length = 0;
  }

  /** Requests so far per `${METHOD} ${route pattern}`, e.g. {"PATCH /v1/blocks/:id/children": 3}. */
  get requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.requestLog) counts[entry.route] = (counts[entry.route] ?? 0) + 1;
    return counts;
  }

  // ----- reading state (ignores sharing: this is the workspace owner's view) -----

  getPage(id: string): PageObject | undefined {
    const page = this.#store.page(normalizeId(id) ?? '');
    return page ? (pageObject(this.#store, page) as PageObject) : undefined;
  }

  /**
   * Content of a page or block, recursively, without trashed blocks. Child pages and databases appear
   * as child_page / child_database nodes; their own content is not inlined.
   */
  getBlockTree(id: string): BlockTreeNode[] {
    const build = (parentId: string): BlockTreeNode[] =>
      this.#store.liveChildren(parentId).map((record) => {
        const block = blockObject(this.#store, record);
        const type = String(block.type);
        return {
          id: record.id,
          type,
          [type]: block[type],
          children: record.kind === 'block' ? build(record.id) : [],
        };
      });
    return build(normalizeId(id) ?? '');
  }

  getDatabase(id: string): DatabaseObject | undefined {
    const db = this.#store.database(normalizeId(id) ?? '');
    return db ? (databaseObject(this.#store, db) as DatabaseObject) : undefined;
  }

  getDataSource(id: string): DataSourceObject | undefined {
    const ds = this.#store.dataSource(normalizeId(id) ?? '');
    return ds ? (dataSourceObject(this.#store, ds) as DataSourceObject) : undefined;
  }

  /**
   * Rows not in the trash as page objects: all of them in creation order, or those a view's `filter`
   * picks in the order of its `sorts` (the data source query's code, without its 10,000-row cap).
   */
  queryRows(dataSourceId: string, view: RowsQuery = {}): PageObject[] {
    const ds = this.#store.dataSource(normalizeId(dataSourceId) ?? '');
    if (!ds) return [];
    return matchRows(this.#store, ds, { filter: view.filter ?? undefined, sorts: view.sorts ?? undefined }).matched.map(
      (p) => pageObject(this.#store, p) as PageObject,
    );
  }

  /** A view as GET /v1/views/:id returns it. */
  getView(viewId: string): ViewObject | undefined {
    const view = this.#store.views.get(normalizeId(viewId) ?? '');
    return view ? (structuredClone(viewObject(view)) as ViewObject) : undefined;
  }

  /** A database's views in tab order, the default view first. */
  listViews(databaseId: string): ViewObject[] {
    return this.#store
      .viewsOf(normalizeId(databaseId) ?? '')
      .map((view) => structuredClone(viewObject(view)) as ViewObject);
  }

  /** Title of a page or database for the look-alike site (any id form). */
  resolveTitle(id: string): { kind: 'page' | 'database'; title: string } | undefined {
    const record = this.#store.get(normalizeId(id) ?? '');
    if (record?.kind === 'page') return { kind: 'page', title: this.#store.titleOf(record.id) };
    if (record?.kind === 'database') return { kind: 'database', title: plainText(record.title) };
    return undefined;
  }

  /**
   * Pages and databases for a sidebar, as the workspace owner sees it: workspace-level pages first, then
   * what is inside them (breadth-first, in content order). Rows and trashed objects are left out.
   */
  sidebarIds(): string[] {
    const store = this.#store;
    const roots = [...store.records.values()]
      .filter((r) => (r.kind === 'page' || r.kind === 'database') && r.parent.type === 'workspace' && !r.inTrash)
      .toSorted((a, b) => a.seq - b.seq)
      .map((r) => r.id);
    const out: string[] = [];
    const queue = [...roots];
    while (queue.length) {
      const id = queue.shift() as string;
      out.push(id);
      for (const child of store.liveChildren(id))
        if (child.kind === 'page' || child.kind === 'database') queue.push(child.id);
    }
    return out;
  }

  /** Toggles whether the integration can see an object; access inherits to descendants. */
  share(objectId: string, shared: boolean): void {
    const id = normalizeId(objectId);
    if (!id || !this.#store.get(id)) throw new Error(`No object with id ${objectId}`);
    this.#store.shareFlags.set(id, shared);
  }

  // ----- seeding (goes through the same validation as API writes, minus sharing and size limits) -----

  #seedContext(): OpContext {
    return { store: this.#store, version: '2026-03-11', seeding: true, actor: FIXTURES.personUserId };
  }

  /** Creates a plain page; returns its id. */
  createPage(opts: SeedPageOptions): string {
    const page = ops.createPage(
      this.#seedContext(),
      {
        parent: { page_id: opts.parentId ?? FIXTURES.playgroundPageId },
        properties: { title: { title: [{ text: { content: opts.title } }] } },
        ...(opts.icon ? { icon: { emoji: opts.icon } } : {}),
        ...(opts.children ? { children: opts.children } : {}),
      },
      undefined,
      opts.id,
    );
    const id = String(page.id);
    if (opts.shared !== undefined) this.share(id, opts.shared);
    return id;
  }

  /** Creates a database with one data source (and optionally rows). */
  createDatabase(opts: SeedDatabaseOptions): SeededDatabase {
    const properties: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(opts.properties))
      properties[name] = typeof spec === 'string' ? { [spec]: {} } : spec;
    const db = ops.createDatabase(
      this.#seedContext(),
      {
        parent: { type: 'page_id', page_id: opts.parentId ?? FIXTURES.playgroundPageId },
        title: [{ text: { content: opts.title } }],
        is_inline: opts.isInline ?? false,
        initial_data_source: { properties },
      },
      { databaseId: opts.databaseId, dataSourceId: opts.dataSourceId },
    );
    const databaseId = String(db.id);
    const dataSourceId = String((db.data_sources as Array<{ id: string }>)[0]?.id);
    if (opts.shared !== undefined) this.share(databaseId, opts.shared);
    return {
      databaseId,
      dataSourceId,
      rowIds: this.addRows(dataSourceId, opts.rows ?? [], opts.rowsCreatedAt),
      defaultViewId: defaultViewIdFor(databaseId),
    };
  }

  /**
   * Adds a view to a database, after its default view (which every database has). `filter` and `sorts`
   * are checked as a data source query checks them (an Error for a property that does not exist) and
   * served back as given. Returns the view's id.
   */
  createView(opts: SeedViewOptions): string {
    const view = ops.addView(this.#seedContext(), {
      databaseId: normalizeId(opts.databaseId) ?? opts.databaseId,
      name: opts.name,
      type: opts.type,
      filter: opts.filter,
      sorts: opts.sorts,
      id: opts.viewId === undefined ? undefined : (normalizeId(opts.viewId) ?? opts.viewId),
    });
    return view.id;
  }

  /** Deletes a view, the default one too; the API then answers object_not_found for it. */
  deleteView(viewId: string): void {
    const id = normalizeId(viewId) ?? viewId;
    if (!this.#store.views.delete(id)) throw new Error(`No view with id ${viewId}`);
  }

  /** Adds rows to a data source; returns their ids in order. Values as in SeedRow; `createdAt` dates each row. */
  addRows(dataSourceId: string, rows: SeedRow[], createdAt?: (index: number) => number): string[] {
    const ds = this.#store.dataSource(normalizeId(dataSourceId) ?? '');
    if (!ds) throw new Error(`No data source with id ${dataSourceId}`);
    const clock = this.#store.clock;
    try {
      return rows.map((row, index) => {
        const properties: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(row)) {
          const prop = ds.properties.find((p) => p.name === key || p.id === key);
          if (!prop) throw new Error(`${key} is not a property of ${plainText(ds.title)}`);
          properties[key] = simpleToRequest(prop, value);
        }
        if (createdAt) this.#store.clock = () => createdAt(index);
        const page = ops.createPage(this.#seedContext(), { parent: { data_source_id: ds.id }, properties });
        return String(page.id);
      });
    } finally {
      this.#store.clock = clock;
    }
  }

  /** Edits a row as a person in Notion would (values as in SeedRow). */
  updateRow(pageId: string, values: SeedRow): void {
    const page = this.#store.page(normalizeId(pageId) ?? '');
    const ds = page?.parent.type === 'data_source_id' ? this.#store.dataSource(page.parent.id) : undefined;
    if (!page || !ds) throw new Error(`No row with id ${pageId}`);
    const properties: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const prop = ds.properties.find((p) => p.name === key || p.id === key);
      if (!prop) throw new Error(`${key} is not a property of ${plainText(ds.title)}`);
      properties[key] = simpleToRequest(prop, value);
    }
    ops.updatePage(this.#seedContext(), String(page.id), { properties });
  }

  /** Renames or deletes (name null) a column, as a person editing the database would. */
  editColumn(dataSourceId: string, name: string, change: { name: string } | null): void {
    ops.updateDataSource(this.#seedContext(), normalizeId(dataSourceId) ?? dataSourceId, {
      properties: { [name]: change },
    });
  }

  /**
   * Uploads a file into a row's files property, after the files already there, as a person would in Notion
   * (an Error when the property is not a files property). Reads then serve it as a Notion-hosted file.
   */
  attachFile(pageId: string, propertyName: string, file: FileUpload): AttachedFile {
    return attachFile(this.#seedContext(), pageId, propertyName, file);
  }

  /** Appends an image block of type `file` (a Notion-hosted image) to a page or block. */
  appendImageFile(parentId: string, file: FileUpload): AttachedFile & { blockId: string } {
    return appendImageFile(this.#seedContext(), parentId, file);
  }

  /** Every signed file URL issued so far stops working, as if the hour had passed; reads from now on sign valid ones. */
  expireFileUrls(): void {
    this.#files.expireAll();
  }

  /** Every GET and HEAD on the file bucket, in order: the object key asked for and the status answered. */
  get fileDownloads(): FileDownload[] {
    return this.#files.downloads;
  }

  /** Appends blocks (request form) to a page or block; returns the new top-level block ids. */
  appendBlocks(parentId: string, blocks: unknown[]): string[] {
    const result = ops.appendBlockChildren(this.#seedContext(), normalizeId(parentId) ?? parentId, {
      children: blocks,
    });
    return (result.results as unknown[]).map((b) => String(isObject(b) ? b.id : ''));
  }
}
