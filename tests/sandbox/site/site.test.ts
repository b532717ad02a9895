// The notion.so look-alike's database page: the view a link names (`?v=`) picks and orders the rows shown,
// as in Notion; a link naming no view of the database opens on its first view.
import { beforeEach, describe, expect, it } from 'vitest';
import { compactId, FIXTURES, NotionApi } from '../notion/index.ts';
import { databaseHref, NotionSite, peekHref } from './index.ts';

const api = new NotionApi();
const site = new NotionSite(api);

beforeEach(() => api.reset());

/** The database page at a site path, as the rows and view tabs a person sees. */
function open(path: string) {
  const { html } = site.renderMain(new URL(path, 'https://www.notion.so'));
  return {
    html,
    rowIds: [...html.matchAll(/<tr data-row-id="([^"]+)"/g)].map((m) => m[1]),
    tabs: [...html.matchAll(/class="view-tab"[^>]*>([^<]*)</g)].map((m) => m[1]),
    current: /aria-current="page">([^<]*)</.exec(html)?.[1],
  };
}

describe('a database page on a view', () => {
  it('shows the rows the view’s filter picks, in its order, under the view’s tab', () => {
    const db = api.createDatabase({
      title: 'Leads',
      properties: { Company: 'title', Score: 'number' },
      rows: [
        { Company: 'Acme', Score: 42 },
        { Company: 'Globex', Score: 5 },
        { Company: 'Initech', Score: 15 },
      ],
    });
    const viewId = api.createView({
      databaseId: db.databaseId,
      name: 'Big, smallest first',
      filter: { property: 'Score', number: { greater_than: 10 } },
      sorts: [{ property: 'Score', direction: 'ascending' }],
    });
    const [acme, , initech] = db.rowIds;
    const href = databaseHref(db.databaseId, viewId);
    expect(href).toBe(`/inkling-sandbox/${compactId(db.databaseId)}?v=${compactId(viewId)}`);
    const page = open(href);
    expect(page).toMatchObject({
      rowIds: [initech, acme],
      tabs: ['Default view', 'Big, smallest first'],
      current: 'Big, smallest first',
    });
    // A row opened from the view keeps the view in the link, as Notion's side peek does.
    expect(page.html).toContain(`href="${peekHref(db.databaseId, acme!, viewId).replaceAll('&', '&#38;')}"`);

    expect(open(databaseHref(db.databaseId))).toMatchObject({ rowIds: db.rowIds, current: 'Default view' });
    api.deleteView(viewId);
    expect(open(href)).toMatchObject({ rowIds: db.rowIds, tabs: ['Default view'], current: 'Default view' });
  });

  it('opens the fixtures’ Topics on its default view, and on “To generate” with the ticked rows', () => {
    expect(open(databaseHref(FIXTURES.topicsDatabaseId))).toMatchObject({
      rowIds: FIXTURES.topicsRowIds,
      tabs: ['Default view', 'To generate'],
      current: 'Default view',
    });
    expect(open(databaseHref(FIXTURES.topicsDatabaseId, FIXTURES.topicsToGenerateViewId))).toMatchObject({
      rowIds: FIXTURES.topicsRowIds.slice(0, 2),
      current: 'To generate',
    });
  });

  it('says what is wrong with a view whose filter names a column deleted since, and shows no rows', () => {
    const db = api.createDatabase({ title: 'Tasks', properties: { Name: 'title', Done: 'checkbox' }, rows: [{}] });
    const viewId = api.createView({
      databaseId: db.databaseId,
      name: 'Done',
      filter: { property: 'Done', checkbox: { equals: true } },
    });
    api.editColumn(db.dataSourceId, 'Done', null);
    const page = open(databaseHref(db.databaseId, viewId));
    expect(page.rowIds).toEqual([]);
    expect(page.html).toContain('<p class="view-problem">Could not find property with name or id: Done</p>');
  });
});
