// Learn from corrections: rows whose answer a person edited after Inkling wrote it, given to the model
// as examples of what is wanted — a few, each cut short, after the instructions and before the row.
import type { OutputSpec } from '../shared/notion-shapes';

import type { CorrectionExample } from '../shared/job';

export type { CorrectionExample };

/** At most this many examples go with each prompt, each at most this long: they must not crowd out the row. */
export const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_CHARS = 800;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The examples for the outputs a prompt answers (a chained step answers some of them). */
function exampleBlocks(examples: readonly CorrectionExample[], outputs: readonly OutputSpec[]): string[] {
  return examples.flatMap((example) => {
    const answered = outputs.filter((o) => (example.outputs[o.name] ?? '') !== '');
    if (answered.length === 0) return [];
    const lines = [
      ...Object.entries(example.inputs).map(([name, value]) => `${name}: ${value}`),
      ...answered.map((o) => `→ ${o.name}: ${example.outputs[o.name]}`),
    ];
    return [`<example>\n${cut(lines.join('\n'), MAX_EXAMPLE_CHARS)}\n</example>`];
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
