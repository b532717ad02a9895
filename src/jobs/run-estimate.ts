// The estimate shown before a database run: the chosen rows counted (page by page, as the run will
// read them) and priced — input from each row's own prompts, output from a per-type guess.
import type { Client } from '@notionhq/client';
import { estimateCallCost } from '../llm/prices';
import type { EngineConfig } from '../llm/factory';
import type { DatabaseRunSetup } from '../shared/intents';
import { isEmptyValue, type PropertyValue } from '../notion/properties';
import { uploadedFiles } from '../notion/files';
import { FIRST_ROWS, type OutputSpec, type RowsPosition } from '../shared/notion-shapes';
import { readRowsAt, type RowsRead } from '../notion/rows';
import { buildRowPrompt } from '../prompt/row-prompt';
import { packRowTokens } from '../prompt/pack-prompt';
import type { EngineLimits } from '../shared/limit-presets';
import { ATTACHMENT_GUESS_TOKENS, CHARS_PER_TOKEN } from '../llm/types';
import { InklingError } from '../shared/problem';
import { rowsPerCallFor } from './run-pace';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { budgetState, checkBudget } from '../usage/budget';
import type { RunEstimate } from '../shared/run-preview';
import { stepOutputs, stepsOf } from './run-steps';
import { markKey, refreshBasis, refreshOf } from './row-marks';
import { examplesFor } from './corrections';
import { withExamples } from '../prompt/examples';
import { BATCH_MIN_ROWS, noBatchOffered } from './batch-run';
import { batchesAvailable } from '../shared/engines';
import { exclusions, rowValues, setupFilter, titleOf, writtenColumns, type CheckedSetup } from './database-setup';

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
  const refresh =
    setup.selection === 'changed'
      ? {
          ...(await refreshBasis(setup, checked)),
          counts: { new: 0, changed: 0, check: 0 },
        }
      : undefined;
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
      if (refresh) {
        // A refresh takes the new rows and those whose inputs changed (or whose page may have).
        const { state } = refreshOf(checked, row, refresh.marks[markKey(row.id)], refresh.since);
        if (state === 'unchanged' || state === 'kept') {
          skipped++;
          continue;
        }
        refresh.counts[state]++;
      } else {
        // As the run decides: a row with any column it writes already filled is skipped (Sources too).
        const filled = writtenColumns(checked).some(
          (o) => !isEmptyValue(Object.values(row.properties).find((v) => v.id === o.id) as PropertyValue | undefined),
        );
        if (filled && !setup.overwrite) {
          skipped++;
          continue;
        }
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
        // A later step's prompt also carries the earlier answers it names, by the same guess, and the
        // row's files in the files columns it names.
        const earlier = steps.slice(0, i).flatMap((s) => stepOutputs(checked.outputs, s));
        const named = checkTemplate(step.template, checked.propertyNames).references;
        const files = named.filter((n) => checked.fileColumns?.includes(n)).flatMap((n) => uploadedFiles(row, n));
        promptChars +=
          prompt.system.length +
          prompt.prompt.length +
          JSON.stringify(prompt.schema ?? '').length +
          (usesPage(step.template) ? PAGE_GUESS_CHARS : 0) +
          (expectedAnswerTokens(earlier.filter((o) => named.includes(o.name))) +
            files.length * ATTACHMENT_GUESS_TOKENS) *
            CHARS_PER_TOKEN;
      }
    }
    at = read.next;
  }
  // With Learn from corrections every call carries the examples.
  const examples = await examplesFor(notion, checked, setup);
  const calls = perCall > 1 ? Math.ceil(rows / perCall) : rows * steps.length;
  promptChars += withExamples({ system: '' }, examples, checked.outputs).system.length * calls;
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
  // "Slow and cheap (batch)", where the run could go as one batch; where only the engine stops it, why.
  const batchable = rows >= BATCH_MIN_ROWS && steps.length === 1 && !checked.webSearch && !checked.fileColumns;
  const batched =
    batchable && batchesAvailable(engine.engine)
      ? estimateCallCost(engine.engine, engine.model, promptChars, rows * perRowOutput, engine.baseUrl, 0, true)
      : undefined;
  const batchUnavailable = batchable && !batched ? noBatchOffered(engine.engine, cost.free) : undefined;
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
    ...(refresh ? { refresh: refresh.counts } : {}),
    ...(examples ? { examples: examples.map((e) => e.title) } : {}),
    ...(batched ? { batchCostUsd: batched.usd } : {}),
    ...(batchUnavailable ? { batchUnavailable } : {}),
    ...(budget ? { budgetWarning: budget.message } : {}),
  };
}
