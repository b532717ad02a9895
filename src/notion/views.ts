// A database's views (Notion's Views API): the one a link names (`?v=`), read for its name and its
// filter, so a run can cover exactly the rows a person is looking at. The view's sorts are not used:
// a run reads rows oldest first (which is how it reads past Notion's 10,000-results cap).
import { APIErrorCode, APIResponseError, type Client } from '@notionhq/client';
import type { DatabaseView } from '../shared/notion-shapes';
import { InklingError } from '../shared/problem';
import { notionProblem } from './errors';

export const VIEW_MISSING_PROBLEM = notionProblem(
  'view_missing',
  'The view in this link is gone, or Inkling cannot see it (deleted, or its database is not shared with the integration). Choose other rows under Rows, or open the view again from Notion.',
);

/** The view with this id, or the `view_missing` problem when Notion has none Inkling can see. */
export async function retrieveView(client: Client, viewId: string): Promise<DatabaseView> {
  let view;
  try {
    view = await client.views.retrieve({ view_id: viewId });
  } catch (error) {
    if (APIResponseError.isAPIResponseError(error) && error.code === APIErrorCode.ObjectNotFound)
      throw new InklingError(VIEW_MISSING_PROBLEM, { cause: error });
    throw error;
  }
  if (!('name' in view) || !view.data_source_id) throw new InklingError(VIEW_MISSING_PROBLEM);
  return {
    id: view.id,
    name: view.name || 'Untitled view',
    dataSourceId: view.data_source_id,
    filter: (view.filter ?? null) as DatabaseView['filter'],
  };
}
