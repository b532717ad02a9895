// Learn from corrections: the rows of a connection whose answer a person edited after Inkling wrote
// it (their cells no longer hold what Inkling's mark says it wrote), most recently edited first — a
// few of them, read in one query, as examples for the run's prompts (prompt/examples.ts).
import type { Client, PageObjectResponse } from '@notionhq/client';
import { isFullPage } from '@notionhq/client';
import { isEmptyValue, propertyText, type PropertyValue } from '../notion/properties';
import type { OutputSpec } from '../shared/notion-shapes';
import type { RowMarks } from '../shared/row-marks';
import { PAGE_PLACEHOLDER } from '../shared/template';
import { exampleOf, MAX_EXAMPLES, type CorrectionExample } from '../prompt/examples';
import { answerEdited, markKey, marksFor } from './row-marks';
import type { CheckedSetup } from './database-setup';
import type { DatabaseRunSetup } from '../shared/intents';

/** Rows read to find corrections: the most recently edited ones, where a person's corrections are. */
const RECENT_ROWS = 100;

const valueOf = (page: PageObjectResponse, id: string) =>
  Object.values(page.properties).find((v) => v.id === id) as PropertyValue | undefined;

/** The corrected rows to learn from, newest first (none when Inkling wrote nothing here yet). */
export async function findCorrections(
  notion: Client,
  run: {
    dataSourceId: string;
    inputColumns?: readonly string[];
    outputs: readonly OutputSpec[];
    sources?: OutputSpec;
    titleColumn: { id: string };
  },
  marks: RowMarks,
): Promise<CorrectionExample[]> {
  if (Object.keys(marks).length === 0) return [];
  const response = await notion.dataSources.query({
    data_source_id: run.dataSourceId,
    sorts: [{ timestamp: 'last_edited_time', direction: 'descending' }],
    page_size: RECENT_ROWS,
  });
  const examples: CorrectionExample[] = [];
  for (const page of response.results.filter(isFullPage)) {
    const mark = marks[markKey(page.id)];
    if (!mark || !answerEdited(run, page, mark)) continue;
    const outputs = run.outputs.filter((o) => !isEmptyValue(valueOf(page, o.id)));
    if (outputs.length === 0) continue;
    const inputs = (run.inputColumns ?? []).filter((name) => name !== PAGE_PLACEHOLDER);
    examples.push(
      exampleOf({
        title: propertyText(valueOf(page, run.titleColumn.id)) || 'Untitled',
        inputs: Object.fromEntries(
          inputs.map((name) => [name, propertyText(page.properties[name] as PropertyValue | undefined)]),
        ),
        outputs: Object.fromEntries(outputs.map((o) => [o.name, propertyText(valueOf(page, o.id))])),
      }),
    );
    if (examples.length === MAX_EXAMPLES) break;
  }
  return examples;
}

/** With Learn from corrections on: the examples for a run set up this way (Preview, the estimate, Start). */
export async function examplesFor(
  notion: Client,
  checked: CheckedSetup,
  setup: DatabaseRunSetup,
): Promise<CorrectionExample[] | undefined> {
  if (!setup.learn) return undefined;
  return findCorrections(
    notion,
    { ...checked, dataSourceId: checked.target.dataSourceId },
    await marksFor(setup, checked),
  );
}
