// From the panel's choices to a checked run: the output columns (writable ones only, with their
// options), the checkbox that picks rows, the prompts in their order, the files they send — all
// checked against the database's current schema before anything is paid for. The estimate is
// run-estimate.ts; Preview is database-preview.ts.
import type { Client, PageObjectResponse } from '@notionhq/client';
import { InklingError, setupProblem } from '../shared/problem';
import type { DatabaseRunSetup } from '../shared/intents';
import { propertyText, type PropertyValue } from '../notion/properties';
import {
  isWritableOutput,
  type OutputSpec,
  type ColumnRef,
  type DatabaseTarget,
  type DatabaseView,
} from '../shared/notion-shapes';
import { sourcesColumn, viewOf } from './setup-options';
import { rowFilter } from '../notion/rows';
import { retrieveDatabase } from '../notion/target';
import type { RunStep } from '../shared/job';
import { inputColumnsOf } from './row-marks';
import { planSteps } from './run-steps';
import { fileColumnsOf } from './row-inputs';

export interface CheckedSetup {
  target: DatabaseTarget;
  template: string;
  outputs: OutputSpec[];
  titleColumn: ColumnRef;
  checkbox?: ColumnRef;
  propertyNames: string[];
  /** The model searches the web for each row. */
  webSearch: boolean;
  /** The text column that gets each row's sources. */
  sources?: OutputSpec;
  /** The view a "view" run covers, read now (its filter as it is). */
  view?: DatabaseView;
  /** A chained run's calls for each row, in order (absent: one call, `template`). */
  steps?: RunStep[];
  /** The files columns the prompts name: each row's uploaded files there go to the model. */
  fileColumns?: string[];
  /** The columns each answer is made from ('page': the row's page), for refreshing what changed. */
  inputColumns: string[];
}

const problem = setupProblem;

/** Column types whose values Notion works out itself: nobody, Inkling included, can write them. */
const NOTION_COMPUTED_TYPES: readonly string[] = [
  'formula',
  'rollup',
  'created_time',
  'created_by',
  'last_edited_time',
  'last_edited_by',
  'unique_id',
  'button',
  'verification',
];

export async function checkSetup(notion: Client, setup: DatabaseRunSetup): Promise<CheckedSetup> {
  const target = await retrieveDatabase(notion, setup.databaseId);
  const byId = new Map(target.properties.map((p) => [p.id, p]));
  const title = target.properties.find((p) => p.type === 'title');
  if (!title) throw new InklingError(problem('no_title', 'This database has no title column.'));
  if (setup.outputs.length === 0) throw new InklingError(problem('no_output', 'Choose at least one Output property.'));
  const outputs: OutputSpec[] = setup.outputs.map(({ id, allowNewOptions }) => {
    const property = byId.get(id);
    if (!property)
      throw new InklingError(
        problem(
          'output_missing',
          'An output column no longer exists in this database (renamed or deleted?). Choose it again under Output property.',
        ),
      );
    if (!isWritableOutput(property)) {
      const type = property.type.replaceAll('_', ' ');
      throw new InklingError(
        problem(
          'wrong_type',
          NOTION_COMPUTED_TYPES.includes(property.type)
            ? `“${property.name}” is a ${type} column, which Notion computes: it cannot be an output.`
            : `“${property.name}” is a ${type} column. Inkling does not write ${type} columns: choose a text, select, number, date, checkbox, URL, email or phone column.`,
        ),
      );
    }
    return {
      id: property.id,
      name: property.name,
      type: property.type,
      ...(property.options ? { options: property.options.map((o) => o.name) } : {}),
      ...(property.numberFormat ? { numberFormat: property.numberFormat } : {}),
      ...(allowNewOptions && (property.type === 'select' || property.type === 'multi_select')
        ? { allowNewOptions: true }
        : {}),
    };
  });
  let checkbox: ColumnRef | undefined;
  if (setup.checkboxId) {
    const property = byId.get(setup.checkboxId);
    if (!property || property.type !== 'checkbox')
      throw new InklingError(problem('no_checkbox', 'The checkbox column that picks rows is gone. Choose it again.'));
    checkbox = { id: property.id, name: property.name, type: property.type };
  }
  if (setup.selection === 'ticked' && !checkbox) {
    throw new InklingError(
      problem(
        'no_checkbox',
        'To run the ticked rows, this database needs a checkbox column (like the seed’s “Generate”).',
      ),
    );
  }
  const view = setup.selection === 'view' ? await viewOf(notion, setup, target) : undefined;
  const sources = sourcesColumn(setup, byId, [...outputs.map((o) => o.id), ...(checkbox ? [checkbox.id] : [])]);
  const propertyNames = target.properties.map((p) => p.name);
  const prompts = new Map(setup.outputs.flatMap((o) => (o.prompt === undefined ? [] : [[o.id, o.prompt]])));
  const steps = planSteps(setup.template.trim(), outputs, prompts, propertyNames);
  const fileColumns = fileColumnsOf(steps, target.properties);
  return {
    target,
    // One call a row: its prompt is the run's template (the Prompt, or the one output's own).
    template: steps.length === 1 ? steps[0]!.template : setup.template.trim(),
    ...(steps.length > 1 ? { steps } : {}),
    ...(fileColumns.length > 0 ? { fileColumns } : {}),
    outputs,
    titleColumn: { id: title.id, name: title.name, type: title.type },
    ...(checkbox ? { checkbox } : {}),
    propertyNames,
    webSearch: setup.webSearch === true,
    ...(sources ? { sources } : {}),
    ...(view ? { view } : {}),
    inputColumns: inputColumnsOf(
      { template: setup.template, outputs, ...(sources ? { sources } : {}), ...(checkbox ? { checkbox } : {}) },
      steps,
      target.properties,
    ),
  };
}

/** The query that picks a checked setup's rows. */
export function setupFilter(checked: CheckedSetup, selection: DatabaseRunSetup['selection']) {
  return rowFilter({
    selection,
    checkbox: checked.checkbox,
    outputs: checked.outputs,
    viewFilter: checked.view?.filter,
  });
}

/** The columns a run writes besides the checkbox: its outputs and, with web search, its Sources column. */
export function writtenColumns(job: { outputs: readonly OutputSpec[]; sources?: OutputSpec }): OutputSpec[] {
  return [...job.outputs, ...(job.sources ? [job.sources] : [])];
}

/** Columns each row's prompt leaves out: the ones the run writes, and the checkbox. */
export function exclusions(checked: {
  outputs: readonly OutputSpec[];
  sources?: OutputSpec;
  checkbox?: ColumnRef;
}): string[] {
  return [...writtenColumns(checked).map((o) => o.name), ...(checked.checkbox ? [checked.checkbox.name] : [])];
}

export function rowValues(page: PageObjectResponse): Record<string, string> {
  return Object.fromEntries(
    Object.entries(page.properties).map(([name, value]) => [name, propertyText(value as PropertyValue)]),
  );
}

export function titleOf(page: PageObjectResponse): string {
  const title = Object.values(page.properties).find((v) => v.type === 'title') as PropertyValue | undefined;
  return propertyText(title) || 'Untitled';
}
