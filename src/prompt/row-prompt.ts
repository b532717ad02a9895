// The prompt for one row of a database run, and the row's answer turned back into column values.
// One text column: the answer is plain text. Anything else: a JSON object, one key per column,
// with a schema strict enough for OpenAI's structured outputs and Gemini's responseJsonSchema.
import { coerceAnswer, type Coerced } from '../notion/property-answers';
import { type OutputSpec } from '../shared/notion-shapes';
import { CONTEXT_MAX_TOKENS, fitToBudget } from './budget';
import { checkTemplate, PAGE_PLACEHOLDER, renderTemplate } from '../shared/template';
import { parseFencedJson } from '../llm/json';

export interface RowPromptInput {
  template: string;
  propertyNames: readonly string[];
  row: {
    title: string;
    /** propertyText of every readable property, by name. */
    values: Record<string, string>;
    pageMarkdown?: string;
  };
  outputs: OutputSpec[];
  /** Excluded from automatic context: the outputs and the run's checkbox. */
  exclude: readonly string[];
}

export interface RowPrompt {
  system: string;
  prompt: string;
  /** JSON schema when the answer must be structured; absent when there is exactly one title/rich_text output (the answer is then the plain text). */
  schema?: Record<string, unknown>;
  /** JSON key → output, when structured. */
  keys?: Record<string, OutputSpec>;
  /** Shown to the user when the page content was cut to fit. */
  contextNote?: string;
}

const TEXT_TYPES = new Set(['title', 'rich_text']);

/** Longest JSON key made from a column name; long enough to stay recognisable. */
const KEY_MAX_CHARS = 40;

export const SYSTEM_INTRO = [
  'You fill in one row of a Notion database.',
  'Answer only with the value(s) asked for: no preamble such as "Sure, here is", no explanation, no closing remarks.',
].join(' ');

/** True when the single answer is the model's plain text, not JSON. */
export const isPlainTextAnswer = (outputs: readonly OutputSpec[]): boolean =>
  outputs.length === 1 && TEXT_TYPES.has(outputs[0]!.type);

export function buildRowPrompt(input: RowPromptInput): RowPrompt {
  const { prompt, contextNote } = userPrompt(input);
  const note = contextNote === undefined ? {} : { contextNote };
  const single = input.outputs[0];
  if (single && isPlainTextAnswer(input.outputs)) {
    const system = `${SYSTEM_INTRO} Answer with the text for the “${single.name}” column only, as plain text without Markdown: the column shows text exactly as written.`;
    return { system, prompt, ...note };
  }
  const keys = outputKeys(input.outputs);
  const lines = Object.entries(keys).map(([key, spec]) => `- "${key}": ${keyHint(spec)}`);
  const system = [
    `${SYSTEM_INTRO} Answer with a JSON object with exactly these keys, one per column to fill in:`,
    ...lines,
    'Text values are plain text without Markdown: Notion shows them exactly as written.',
  ].join('\n');
  return { system, prompt, schema: answerSchema(keys), keys, ...note };
}

// ---- The user prompt ----

function userPrompt({ template, propertyNames, row, outputs, exclude }: RowPromptInput): {
  prompt: string;
  contextNote?: string;
} {
  const { references } = checkTemplate(template, propertyNames);
  const page = row.pageMarkdown === undefined ? undefined : fitToBudget(row.pageMarkdown.trim(), CONTEXT_MAX_TOKENS);
  const pageText = page === undefined ? '' : page.text || '(The page is empty.)';
  // A column named exactly "page" wins over the page content, as in the template's resolution.
  const values = { [PAGE_PLACEHOLDER]: pageText, ...row.values };
  const parts = [renderTemplate(template, values, propertyNames).trim()];

  // A template with no placeholder would give every row the same prompt (and the same answer), so
  // the row's own values go along with it.
  if (references.length === 0) {
    const lines = contextLines({ propertyNames, row, outputs, exclude });
    if (lines.length > 0) parts.push(`This row of the database:\n${lines.join('\n')}`);
  }
  // Page content the caller read although the template does not place it: add it as context.
  if (page !== undefined && !references.includes(PAGE_PLACEHOLDER)) {
    parts.push(`The row's page “${row.title}” contains:\n<page>\n${pageText}\n</page>`);
  }
  const result: { prompt: string; contextNote?: string } = { prompt: parts.join('\n\n') };
  if (page?.cut) {
    result.contextNote = `Only the first ~${page.keptTokens.toLocaleString('en')} of ~${page.totalTokens.toLocaleString('en')} tokens of the page were sent as context.`;
  }
  return result;
}

/**
 * The row's own values as `Name: value` lines, in the database's column order (then any value the
 * caller added beyond the schema), leaving out the outputs, the excluded columns and empty values.
 */
export function contextLines({
  propertyNames,
  row,
  outputs,
  exclude,
}: Pick<RowPromptInput, 'propertyNames' | 'row' | 'outputs' | 'exclude'>): string[] {
  const skip = new Set([...exclude, ...outputs.map((o) => o.name)]);
  const names = [...new Set([...propertyNames.filter((name) => name in row.values), ...Object.keys(row.values)])];
  return names.flatMap((name) => {
    const value = (row.values[name] ?? '').trim();
    return skip.has(name) || value === '' ? [] : [`${name}: ${value}`];
  });
}

// ---- Keys, hints and schema for structured answers ----

/** A column name as a JSON key: lower-case ASCII letters, digits and underscores, starting with a letter. */
function baseKey(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const key = ascii === '' ? 'field' : /^[0-9]/.test(ascii) ? `field_${ascii}` : ascii;
  return key.slice(0, KEY_MAX_CHARS).replace(/_+$/, '');
}

/** Unique keys for the outputs, in order: "Category" → "category", a second "category" → "category_2". */
export function outputKeys(outputs: readonly OutputSpec[]): Record<string, OutputSpec> {
  const keys: Record<string, OutputSpec> = {};
  for (const spec of outputs) {
    const base = baseKey(spec.name);
    let key = base;
    for (let n = 2; key in keys; n++) key = `${base}_${n}`;
    keys[key] = spec;
  }
  return keys;
}

const listOptions = (options: readonly string[]): string =>
  options.length > 0 ? options.join(', ') : '(it has no options yet)';

/** What a key holds, for the system prompt: the column, its type, and what it accepts. */
export function keyHint(spec: OutputSpec): string {
  const column = `the “${spec.name}” column`;
  const options = spec.options ?? [];
  switch (spec.type) {
    case 'title':
      return `${column} (the row's title); text.`;
    case 'rich_text':
      return `${column}; text.`;
    case 'select':
    case 'status':
      if (canAddOptions(spec)) {
        return options.length > 0
          ? `${column} (${spec.type}); one of: ${listOptions(options)}; or a new short name without commas.`
          : `${column} (${spec.type}); a short name without commas.`;
      }
      return `${column} (${spec.type}); exactly one of: ${listOptions(options)}.`;
    case 'multi_select':
      if (canAddOptions(spec)) {
        return options.length > 0
          ? `${column} (multi-select); a list of any of: ${listOptions(options)}; or new short names without commas.`
          : `${column} (multi-select); a list of short names without commas.`;
      }
      return `${column} (multi-select); a list of any of: ${listOptions(options)}.`;
    case 'number':
      return spec.numberFormat === 'percent'
        ? `${column}; a percentage as a fraction (0.12 for 12%).`
        : `${column}; a number.`;
    case 'checkbox':
      return `${column} (checkbox); true or false.`;
    case 'date':
      return `${column}; a date as YYYY-MM-DD (or YYYY-MM-DDTHH:MM:SS+HH:MM with a time).`;
    case 'url':
      return `${column}; a full URL such as https://example.com.`;
    case 'email':
      return `${column}; an email address.`;
    case 'phone_number':
      return `${column}; a phone number.`;
    default:
      return `${column}; text.`;
  }
}

/** Status options can only be created in Notion; select and multi-select when the user allows it. */
const canAddOptions = (spec: OutputSpec): boolean => spec.type !== 'status' && spec.allowNewOptions === true;

/** A list of allowed names, or nothing when any name goes (or the column has none to offer). */
function optionEnum(spec: OutputSpec): { enum: string[] } | Record<string, never> {
  const options = spec.options ?? [];
  return canAddOptions(spec) || options.length === 0 ? {} : { enum: [...options] };
}

function keySchema(spec: OutputSpec): Record<string, unknown> {
  const description = `The “${spec.name}” column`;
  const options = spec.options ?? [];
  const existing = canAddOptions(spec) && options.length > 0 ? `; existing options: ${listOptions(options)}` : '';
  switch (spec.type) {
    case 'select':
    case 'status':
      return { type: 'string', description: `${description} (${spec.type})${existing}.`, ...optionEnum(spec) };
    case 'multi_select':
      return {
        type: 'array',
        description: `${description} (multi-select)${existing}.`,
        items: { type: 'string', ...optionEnum(spec) },
      };
    case 'number':
      return {
        type: 'number',
        description: `${description} (${spec.numberFormat === 'percent' ? 'percentage as a fraction: 0.12 for 12%' : 'number'}).`,
      };
    case 'checkbox':
      return { type: 'boolean', description: `${description} (checkbox).` };
    case 'date':
      // `format` is in the subset both OpenAI's strict mode and Gemini accept, and holds the model to it.
      return { type: 'string', format: 'date', description: `${description} (date, YYYY-MM-DD).` };
    case 'email':
      return { type: 'string', format: 'email', description: `${description} (email address).` };
    default:
      return { type: 'string', description: `${description} (${spec.type.replace('_', ' ')}).` };
  }
}

/** OpenAI strict mode needs every key required and no others allowed; Gemini accepts the same. */
export function answerSchema(keys: Record<string, OutputSpec>): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(keys).map(([key, spec]) => [key, keySchema(spec)])),
    required: Object.keys(keys),
    additionalProperties: false,
  };
}

// ---- Reading the answer ----

/** The answer as JSON, when the engine did not parse it: tolerates a Markdown fence around it. */
const parseJson = parseFencedJson;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses one row's answer (text, or parsed JSON) into per-output results via coerceAnswer. */
export function interpretAnswer(
  rowPrompt: RowPrompt,
  outputs: OutputSpec[],
  answer: { text: string; json?: unknown },
): Array<{ spec: OutputSpec; result: Coerced }> {
  if (rowPrompt.keys === undefined) {
    // The whole text is the one text column's value. An empty answer is a failure, not a reason
    // to clear the cell.
    const text = answer.text.trim();
    return outputs.map((spec) => ({ spec, result: coerceAnswer(spec, text === '' ? undefined : text) }));
  }
  const json = answer.json !== undefined ? answer.json : parseJson(answer.text);
  const entries = Object.entries(rowPrompt.keys);
  return outputs.map((spec) => {
    if (!isRecord(json)) {
      return {
        spec,
        result: {
          ok: false,
          reason: `The model’s answer was not the JSON object Inkling asked for, so “${spec.name}” has no value.`,
        },
      };
    }
    const key = entries.find(([, keyed]) => keyed.id === spec.id)?.[0];
    return { spec, result: coerceAnswer(spec, key === undefined ? undefined : json[key]) };
  });
}
