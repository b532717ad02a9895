// Learn from corrections: rows whose answer a person edited after Inkling wrote it, given to the model
// as examples of what is wanted — a few, each cut short, after the instructions and before the row.
import type { OutputSpec } from '../shared/notion-shapes';

import type { CorrectionExample } from '../shared/row-marks';

export type { CorrectionExample };

/** At most this many examples go with each prompt: they must not crowd out the row. */
export const MAX_EXAMPLES = 3;
/** Each input value of an example, and each corrected answer, is cut to this many characters. */
const MAX_INPUT_CHARS = 200;
const MAX_OUTPUT_CHARS = 400;

/** Cut between characters (never inside one), with an ellipsis where something was left out. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** A value as an example carries it: one line's worth, and unable to close the example it is in. */
const asData = (text: string, max: number) => cut(text, max).replaceAll('</example>', '</ example>');

const cutAll = (values: Record<string, string>, max: number) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, asData(value, max)]));

/** A corrected row cut to what an example carries (each input short, every answer kept), as the job stores it. */
export function exampleOf(example: CorrectionExample): CorrectionExample {
  return {
    title: cut(example.title, MAX_INPUT_CHARS),
    inputs: cutAll(example.inputs, MAX_INPUT_CHARS),
    outputs: cutAll(example.outputs, MAX_OUTPUT_CHARS),
  };
}

/** The examples for the outputs a prompt answers (a chained step answers some of them). */
function exampleBlocks(examples: readonly CorrectionExample[], outputs: readonly OutputSpec[]): string[] {
  return examples.flatMap((raw) => {
    const example = exampleOf(raw);
    const answered = outputs.filter((o) => (example.outputs[o.name] ?? '') !== '');
    if (answered.length === 0) return [];
    const lines = [
      ...Object.entries(example.inputs).map(([name, value]) => `${name}: ${value}`),
      ...answered.map((o) => `→ ${o.name}: ${example.outputs[o.name]}`),
    ];
    return [`<example>\n${lines.join('\n')}\n</example>`];
  });
}

/** The prompt with the corrected rows as examples in its instructions; unchanged without any. */
export function withExamples<T extends { system: string }>(
  prompt: T,
  examples: readonly CorrectionExample[] | undefined,
  outputs: readonly OutputSpec[],
): T {
  const blocks = exampleBlocks(examples ?? [], outputs).slice(0, MAX_EXAMPLES);
  if (blocks.length === 0) return prompt;
  return {
    ...prompt,
    system: [
      prompt.system,
      'A person corrected these answers by hand in this database. Learn what they want from them (the values, wording and style they chose); do not copy them into rows they do not fit:',
      ...blocks,
    ].join('\n\n'),
  };
}
