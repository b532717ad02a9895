// What a Notion link points at, as the API sees it: a page (or a database row) or a database with
// its data source and schema. Resolved in the background, shown by the panel and the Create tab.
import {
  isFullDataSource,
  isFullDatabase,
  isFullPage,
  type Client,
  type DataSourceObjectResponse,
  type PageObjectResponse,
} from '@notionhq/client';
import { InklingError } from '../shared/problem';
import { notionProblem, toNotionProblem } from './errors';
import { retrieveView } from './views';
import type { NotionLink } from '../shared/notion-url';
import { type PropertyInfo, type PageTarget, type DatabaseTarget, type Target } from '../shared/notion-shapes';

type RichText = Array<{ plain_text: string }>;
const plain = (rt: RichText | undefined): string => (rt ?? []).map((t) => t.plain_text).join('');

export function pageTitle(page: PageObjectResponse): string {
  for (const prop of Object.values(page.properties)) {
    if (prop.type === 'title') return plain(prop.title) || 'Untitled';
  }
  return 'Untitled';
}

export function schemaOf(dataSource: DataSourceObjectResponse): PropertyInfo[] {
  return Object.values(dataSource.properties).map((p) => {
    const info: PropertyInfo = { id: p.id, name: p.name, type: p.type };
    if (p.type === 'select') info.options = p.select.options.map(({ name, color }) => ({ name, color }));
    if (p.type === 'multi_select') info.options = p.multi_select.options.map(({ name, color }) => ({ name, color }));
    if (p.type === 'status') info.options = p.status.options.map(({ name, color }) => ({ name, color }));
    if (p.type === 'number') info.numberFormat = p.number.format;
    return info;
  });
}

async function retrievePage(client: Client, id: string): Promise<PageTarget> {
  const page = await client.pages.retrieve({ page_id: id });
  if (!isFullPage(page)) throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this page.'));
  const target: PageTarget = { kind: 'page', id: page.id, title: pageTitle(page), url: page.url };
  if (page.parent.type === 'data_source_id') target.dataSourceId = page.parent.data_source_id;
  return target;
}

export async function retrieveDatabase(client: Client, id: string): Promise<DatabaseTarget> {
  const database = await client.databases.retrieve({ database_id: id });
  if (!isFullDatabase(database))
    throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this database.'));
  const first = database.data_sources[0];
  if (!first)
    throw new InklingError(notionProblem('validation', 'This database has no data source Inkling can write to.'));
  const dataSource = await client.dataSources.retrieve({ data_source_id: first.id });
  if (!isFullDataSource(dataSource))
    throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this database.'));
  return {
    kind: 'database',
    id: database.id,
    title: plain(database.title) || 'Untitled',
    url: database.url,
    dataSourceId: dataSource.id,
    properties: schemaOf(dataSource),
  };
}

/**
 * Asks Notion what the link is. A `?v=` link is a database; otherwise a page is tried first. Notion
 * answers the wrong kind of id with a 400 ("is a database, not a page"), and then the other is tried.
 */
export async function resolveTarget(client: Client, link: NotionLink): Promise<Target> {
  const target = await resolveObject(client, link);
  return target.kind === 'database' && link.viewId ? withView(client, target, link.viewId) : target;
}

/**
 * A database with the view its link names, when that view is one of its own that Inkling can see; else
 * marked `viewMissing` (the panel says so, and offers the other choices of rows).
 */
async function withView(client: Client, target: DatabaseTarget, viewId: string): Promise<DatabaseTarget> {
  try {
    const view = await retrieveView(client, viewId);
    if (view.dataSourceId === target.dataSourceId) return { ...target, view: { id: view.id, name: view.name } };
  } catch (error) {
    // Only a view Notion says it has not is missing; anything else (an outage, say) is said as itself.
    if (!(error instanceof InklingError && error.problem.kind === 'view_missing')) throw error;
  }
  return { ...target, viewMissing: true };
}

async function resolveObject(client: Client, link: NotionLink): Promise<Target> {
  const attempts = link.viewId ? [retrieveDatabase, retrievePage] : [retrievePage, retrieveDatabase];
  try {
    return await attempts[0]!(client, link.id);
  } catch (error) {
    const problem = toNotionProblem(error, link.viewId ? 'database' : 'page');
    if (problem.kind !== 'wrong_kind') throw new InklingError(problem, { cause: error });
  }
  try {
    return await attempts[1]!(client, link.id);
  } catch (error) {
    throw new InklingError(toNotionProblem(error, link.viewId ? 'page' : 'database'), { cause: error });
  }
}
