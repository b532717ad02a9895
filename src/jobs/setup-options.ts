// The parts of a database run's setup that come with its options: the Sources column web search
// writes to, and the view a "Rows: this view" run covers — each checked against the database now.
import type { Client } from '@notionhq/client';
import { retrieveView, VIEW_MISSING_PROBLEM } from '../notion/views';
import type { DatabaseRunSetup } from '../shared/intents';
import type { DatabaseTarget, DatabaseView, OutputSpec } from '../shared/notion-shapes';
import { InklingError, setupProblem } from '../shared/problem';

const problem = setupProblem;

/** The Sources column: a text column of its own (not an output, not the checkbox), with web search only. */
export function sourcesColumn(
  setup: DatabaseRunSetup,
  byId: ReadonlyMap<string, DatabaseTarget['properties'][number]>,
  taken: readonly string[],
): OutputSpec | undefined {
  if (!setup.sourcesId || !setup.webSearch) return undefined;
  const property = byId.get(setup.sourcesId);
  if (!property)
    throw new InklingError(
      problem('output_missing', 'The Sources column no longer exists in this database. Choose it again under Sources.'),
    );
  if (property.type !== 'rich_text')
    throw new InklingError(
      problem('wrong_type', `“${property.name}” is not a text column: Sources are written as links in a text column.`),
    );
  if (taken.includes(property.id))
    throw new InklingError(
      problem('wrong_type', `“${property.name}” is already an output: choose another text column for Sources.`),
    );
  return { id: property.id, name: property.name, type: property.type };
}

/** The view a "view" run covers: the one named, of this database. */
export async function viewOf(notion: Client, setup: DatabaseRunSetup, target: DatabaseTarget): Promise<DatabaseView> {
  if (!setup.viewId) throw new InklingError(VIEW_MISSING_PROBLEM);
  const view = await retrieveView(notion, setup.viewId);
  if (view.dataSourceId !== target.dataSourceId)
    throw new InklingError(
      problem('view_missing', `The view “${view.name}” shows another database’s rows. Choose other rows under Rows.`),
    );
  return view;
}
