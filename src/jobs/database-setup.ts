// From the panel's choices to a checked run: the output columns (writable ones only, with their
// options), the checkbox that picks rows, the template — all checked against the database's
// current schema before anything is paid for. Also the estimate shown before a run; Preview is
// database-preview.ts.
import type { Client, PageObjectResponse } from '@notionhq/client';
import { InklingError, type Problem } from '../shared/problem';
import { estimateCallCost } from '../llm/prices';
import type { EngineConfig } from '../llm/factory';
import type { DatabaseRunSetup } from '../shared/intents';
import { isEmptyValue, propertyText, type PropertyValue } from '../notion/properties';
import {
  isWritableOutput,
  type OutputSpec,
  FIRST_ROWS,
  type ColumnRef,
  type RowsPosition,
  type DatabaseTarget,
  type DatabaseView,
} from '../shared/notion-shapes';
import { sourcesColumn, viewOf } from './setup-options';
import { readRowsAt, rowFilter, type RowsRead } from '../notion/rows';
import { retrieveDatabase } from '../notion/target';
import { buildRowPrompt } from '../prompt/row-prompt';
import { packRowTokens } from '../prompt/pack-prompt';
import type { EngineLimits } from '../shared/limit-presets';
import { CHARS_PER_TOKEN } from '../llm/types';
import { rowsPerCallFor } from './run-pace';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { budgetState, checkBudget } from '../usage/budget';
import { type RunEstimate, type RunStep } from '../shared/job';
import { planSteps, stepOutputs, stepsOf } from './run-steps';

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
}

const problem = (kind: string, message: string): Problem => ({ source: 'inkling', kind, message, retryable: false });

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
  return {
    target,
    // One call a row: its prompt is the run's template (the Prompt, or the one output's own).
    template: steps.length === 1 ? steps[0]!.template : setup.template.trim(),
    ...(steps.length > 1 ? { steps } : {}),
    outputs,
    titleColumn: { id: title.id, name: title.name, type: title.type },
    ...(checkbox ? { checkbox } : {}),
    propertyNames,
    webSearch: setup.webSearch === true,
    ...(sources ? { sources } : {}),
    ...(view ? { view } : {}),
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

/** A guess at each output's answer length in tokens, for the estimate before a run. */
const EXPECTED_OUTPUT_TOKENS: Record<string, number> = {
  title: 20,
  rich_text: 150,
  select: 4,
  status: 4,
  multi_select: 12,
  number: 4,
  checkbox: 2,
  date: 8,
  url: 20,
  email: 10,
  phone_number: 8,
};

/** A row's answer length guess, in tokens: the outputs' guesses, and some for the JSON around several. */
export function expectedAnswerTokens(outputs: readonly OutputSpec[]): number {
  return outputs.reduce((sum, o) => sum + (EXPECTED_OUTPUT_TOKENS[o.type] ?? 20), outputs.length > 1 ? 10 : 0);
}

/** A page's content is unknown until it is read: the estimate counts a modest page. */
export const PAGE_GUESS_CHARS = 2_000;

/**
 * Before a run: counts the chosen rows (page by page) and prices them — input from each row's own
 * prompt, output from a per-type guess.
 */
export async function estimateRun(
  notion: Client,
  checked: CheckedSetup,
  setup: DatabaseRunSetup,
  engine: EngineConfig,
  limits: EngineLimits,
): Promise<RunEstimate> {
  const perCall = rowsPerCallFor({ ...setup, ...checked }, limits);
  const filter = setupFilter(checked, setup.selection);
  const perRowOutput = expectedAnswerTokens(checked.outputs);
  const steps = stepsOf(checked);
  const base = { template: checked.template, propertyNames: checked.propertyNames, outputs: checked.outputs };
  const usesPage = (template: string) =>
    checkTemplate(template, checked.propertyNames).references.includes(PAGE_PLACEHOLDER);
  let rows = 0;
  let skipped = 0;
  let promptChars = 0;
  // Past Notion's 10,000-results cap a reading goes on in windows whose first rows come again: count each once.
  const seen = new Set<string>();
  let at: RowsPosition | null = FIRST_ROWS;
  while (at) {
    const read: RowsRead = await readRowsAt(notion, checked.target.dataSourceId, filter, at);
    for (const row of read.rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      // As the run decides: a row with any column it writes already filled is skipped (Sources too).
      const filled = writtenColumns(checked).some(
        (o) => !isEmptyValue(Object.values(row.properties).find((v) => v.id === o.id) as PropertyValue | undefined),
      );
      if (filled && !setup.overwrite) {
        skipped++;
        continue;
      }
      rows++;
      const promptRow = { title: titleOf(row), values: rowValues(row) };
      if (perCall > 1) {
        // A packed row costs its own part of the prompt, and its share of the instruction and schema.
        const prompt = buildRowPrompt({ ...base, row: promptRow, exclude: exclusions(checked) });
        promptChars +=
          packRowTokens({ ...base, exclude: exclusions(checked) }, promptRow) * CHARS_PER_TOKEN +
          (usesPage(checked.template) ? PAGE_GUESS_CHARS : 0) +
          (prompt.system.length + checked.template.length + JSON.stringify(prompt.schema ?? '').length) / perCall;
        continue;
      }
      for (const [i, step] of steps.entries()) {
        const outputs = stepOutputs(checked.outputs, step);
        const prompt = buildRowPrompt({
          template: step.template,
          propertyNames: checked.propertyNames,
          row: promptRow,
          outputs,
          exclude: exclusions(checked),
        });
        // A later step's prompt also carries the earlier answers it names, by the same guess.
        const earlier = steps.slice(0, i).flatMap((s) => stepOutputs(checked.outputs, s));
        const named = checkTemplate(step.template, checked.propertyNames).references;
        promptChars +=
          prompt.system.length +
          prompt.prompt.length +
          JSON.stringify(prompt.schema ?? '').length +
          (usesPage(step.template) ? PAGE_GUESS_CHARS : 0) +
          expectedAnswerTokens(earlier.filter((o) => named.includes(o.name))) * CHARS_PER_TOKEN;
      }
    }
    at = read.next;
  }
  // With web search each of a row's calls searches (at least) once.
  const searches = checked.webSearch ? rows * steps.length : 0;
  const cost = estimateCallCost(
    engine.engine,
    engine.model,
    promptChars,
    rows * perRowOutput,
    engine.baseUrl,
    searches,
  );
  const budget = checkBudget(await budgetState(), cost.usd, false);
  if (budget?.kind === 'budget') throw new InklingError(budget);
  return {
    rows,
    skipped,
    inputTokens: cost.inputTokens,
    outputTokens: cost.outputTokens,
    costUsd: cost.usd,
    free: cost.free,
    rowsPerCall: perCall,
    ...(checked.webSearch ? { searches } : {}),
    ...(budget ? { budgetWarning: budget.message } : {}),
  };
}
