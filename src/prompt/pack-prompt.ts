// Several rows in one model call, for engines whose requests a minute, not Notion, bound a run. The
// instruction goes once, with its placeholders; each row follows with its own values under a token
// Inkling gives ("r1", "r2", …); the answer is one JSON object with a key per token, each holding what
// that row's own call would have answered. A row missing from the answer is asked for alone.
import type { Coerced } from '../notion/property-answers';
import type { OutputSpec } from '../shared/notion-shapes';
import { checkTemplate, PAGE_PLACEHOLDER } from '../shared/template';
import { CHARS_PER_TOKEN } from '../llm/types';
import { parseFencedJson } from '../llm/json';
import { CONTEXT_MAX_TOKENS, fitToBudget } from './budget';
import {
  answerSchema,
  contextLines,
  interpretAnswer,
  isPlainTextAnswer,
  isRecord,
  keyHint,
  outputKeys,
  SYSTEM_INTRO,
  type RowPromptInput,
} from './row-prompt';

export type PackRow = RowPromptInput['row'];

export interface PackPromptInput extends Omit<RowPromptInput, 'row'> {
  rows: PackRow[];
}

export interface PackPrompt {
  system: string;
  prompt: string;
  schema: Record<string, unknown>;
  /** The rows' tokens, in the order of the rows given. */
  tokens: string[];
  /** JSON key → output inside each row's object; absent when each row's answer is the one text column's text. */
  keys?: Record<string, OutputSpec>;
}

export type RowResults = Array<{ spec: OutputSpec; result: Coerced }>;

const tokenOf = (index: number) => `r${index + 1}`;

/** The part of the prompt one row adds: its token and the values the instruction uses. */
function rowBlock(input: Omit<PackPromptInput, 'rows'>, row: PackRow, token: string): string {
  const { references } = checkTemplate(input.template, input.propertyNames);
  const named = references.filter((name) => name !== PAGE_PLACEHOLDER);
  // As in the single-row prompt: the values the template names, or (naming none) the row's own context.
  const lines =
    references.length > 0
      ? named.map((name) => `${name}: ${(row.values[name] ?? '').trim()}`)
      : contextLines({ ...input, row });
  if (row.pageMarkdown !== undefined) {
    const page = fitToBudget(row.pageMarkdown.trim(), CONTEXT_MAX_TOKENS);
    lines.push(`<page>\n${page.text || '(The page is empty.)'}\n</page>`);
  }
  return `<row id="${token}">\n${lines.join('\n')}\n</row>`;
}

/** About how many prompt tokens one row adds to a pack (for sizing packs before they are built). */
export function packRowTokens(input: Omit<PackPromptInput, 'rows'>, row: PackRow): number {
  return Math.ceil(rowBlock(input, row, 'r00').length / CHARS_PER_TOKEN) + 8;
}

export function buildPackPrompt(input: PackPromptInput): PackPrompt {
  const tokens = input.rows.map((_, i) => tokenOf(i));
  const { references } = checkTemplate(input.template, input.propertyNames);
  const placeholders = references.length > 0;
  const single = input.outputs[0];
  const plain = single !== undefined && isPlainTextAnswer(input.outputs);
  const keys = plain ? undefined : outputKeys(input.outputs);
  const each = plain
    ? `the text for the “${single.name}” column of that row only, as plain text without Markdown: the column shows text exactly as written.`
    : [
        'a JSON object with exactly these keys, one per column to fill in:',
        ...Object.entries(keys!).map(([key, spec]) => `- "${key}": ${keyHint(spec)}`),
        'Text values are plain text without Markdown: Notion shows them exactly as written.',
      ].join('\n');
  const system = [
    `${SYSTEM_INTRO.replace('one row', 'several rows')} Each row comes with its id and its own values; answer each row on its own, from its values only, exactly as if it were the only row.`,
    `Answer with a JSON object with one key per row id, each holding ${each}`,
  ].join('\n');
  const instruction = placeholders
    ? 'Do this for each row below, where {{Name}} stands for the row’s value of “Name”:'
    : 'Do this for each row below:';
  const prompt = [
    `${instruction}\n<instruction>\n${input.template.trim()}\n</instruction>`,
    ...input.rows.map((row, i) => rowBlock(input, row, tokens[i]!)),
  ].join('\n\n');
  const rowSchema = keys ? answerSchema(keys) : { type: 'string' };
  const schema = {
    type: 'object',
    properties: Object.fromEntries(tokens.map((token) => [token, rowSchema])),
    required: tokens,
    additionalProperties: false,
  };
  return { system, prompt, schema, tokens, ...(keys ? { keys } : {}) };
}

/**
 * Each row's results from a packed answer, in the order of the rows; undefined for a row the answer
 * left out (or gave no usable answer for), which is then asked for alone.
 */
export function interpretPack(
  pack: PackPrompt,
  outputs: OutputSpec[],
  answer: { text: string; json?: unknown },
): Array<RowResults | undefined> {
  const json = answer.json !== undefined ? answer.json : parseFencedJson(answer.text);
  return pack.tokens.map((token) => {
    const value = isRecord(json) ? json[token] : undefined;
    if (pack.keys === undefined) {
      if (typeof value !== 'string' || value.trim() === '') return undefined;
      return interpretAnswer({ system: '', prompt: '' }, outputs, { text: value });
    }
    if (!isRecord(value)) return undefined;
    return interpretAnswer({ system: '', prompt: '', keys: pack.keys }, outputs, { text: '', json: value });
  });
}
