// The shapes the Notion emulator's public interface (index.ts) takes and gives: objects as the API serves
// them, and the options of the seeding helpers.
import type { ViewType } from './store.ts';

export interface NotionApiOptions {
  /** requests per second budget per token; 0 = unlimited */
  rateLimitPerSecond?: number;
  /** burst size */
  rateLimitBurst?: number;
}

/** A page object exactly as GET /v1/pages/:id returns it. */
export interface PageObject {
  object: 'page';
  id: string;
  url: string;
  properties: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** A database object exactly as GET /v1/databases/:id returns it. */
export interface DatabaseObject {
  object: 'database';
  id: string;
  title: Array<Record<string, unknown>>;
  data_sources: Array<{ id: string; name: string }>;
  [key: string]: unknown;
}

/** A data source object exactly as GET /v1/data_sources/:id returns it. */
export interface DataSourceObject {
  object: 'data_source';
  id: string;
  title: Array<Record<string, unknown>>;
  properties: Record<string, { id: string; name: string; type: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** One block of getBlockTree: {id, type, [type]: data, children}. */
export interface BlockTreeNode {
  id: string;
  type: string;
  children: BlockTreeNode[];
  [key: string]: unknown;
}

/**
 * A convenient property value for seeding (see simpleToRequest): a string for title, rich_text, select,
 * status, url, email, phone_number and date ("2026-01-31"); string[] for multi_select, people (user ids),
 * relation (page ids) and files (urls); a number; a boolean; or the request form itself ({select: {...}}).
 */
export type SeedValue = unknown;
/** One row: property name → value. */
export type SeedRow = Record<string, SeedValue>;

export interface SeedPageOptions {
  /** Parent page id (default: the Inkling Playground page). */
  parentId?: string;
  title: string;
  /** Content in request form, as blocks.children.append takes it; the per-request size limits do not apply. */
  children?: unknown[];
  /** An emoji. */
  icon?: string;
  /** Set an explicit share flag on the new page (default: inherit from the parent). */
  shared?: boolean;
  /** A fixed id (default: random). */
  id?: string;
}

export interface SeedDatabaseOptions {
  /** Parent page id (default: the Inkling Playground page). */
  parentId?: string;
  title: string;
  /**
   * The data source schema: property name → type name ("title", "checkbox", …) or the request form
   * ({select: {options: [{name: "A"}]}}, {relation: {data_source_id}}, {formula: {expression}}, …).
   * Without a title property one called "Name" is added.
   */
  properties: Record<string, string | Record<string, unknown>>;
  /** Rows to add, in order. */
  rows?: SeedRow[];
  /** When each row was created (ms), as in a database filled over time; default: now. */
  rowsCreatedAt?: (index: number) => number;
  isInline?: boolean;
  /** Set an explicit share flag on the new database (default: inherit from the parent). */
  shared?: boolean;
  databaseId?: string;
  dataSourceId?: string;
}

export interface SeededDatabase {
  databaseId: string;
  dataSourceId: string;
  rowIds: string[];
  /** The view the database opens on: "Default view", a table of every row. */
  defaultViewId: string;
}

/** A query filter and sorts, in the form POST /v1/data_sources/:id/query takes them. */
export interface RowsQuery {
  filter?: Record<string, unknown> | null;
  sorts?: Array<Record<string, unknown>> | null;
}

export interface SeedViewOptions extends RowsQuery {
  databaseId: string;
  /** The view's name, shown on its tab. */
  name: string;
  /** Default: table. */
  type?: ViewType;
  /** A fixed id (default: random). */
  viewId?: string;
}

/** A view object exactly as GET /v1/views/:id returns it. */
export interface ViewObject {
  object: 'view';
  id: string;
  parent: { type: 'database_id'; database_id: string };
  name: string;
  type: ViewType;
  url: string;
  data_source_id: string;
  filter: Record<string, unknown> | null;
  sorts: Array<Record<string, unknown>> | null;
  [key: string]: unknown;
}
