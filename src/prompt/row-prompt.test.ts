import { describe, expect, it } from 'vitest';
import type { OutputSpec } from '../shared/notion-shapes';
import { buildRowPrompt, interpretAnswer, type RowPromptInput } from './row-prompt';

const output: OutputSpec = { id: 'out', name: 'Output', type: 'rich_text' };
const category: OutputSpec = { id: 'cat', name: 'Category', type: 'select', options: ['Red', 'Green'] };
const due: OutputSpec = { id: 'due', name: 'Due date', type: 'date' };

/** The seed app's example database: Topic (title), Output (text), Done (checkbox), Notes. */
function seedInput(overrides: Partial<RowPromptInput> = {}): RowPromptInput {
  return {
    template: 'Translate the topic to Japanese',
    propertyNames: ['Topic', 'Output', 'Done', 'Notes'],
    row: {
      title: 'Learning is fun',
      values: { Topic: 'Learning is fun', Output: 'old answer', Done: 'Yes', Notes: '' },
    },
    outputs: [output],
    exclude: ['Output', 'Done'],
    ...overrides,
  };
}

describe('buildRowPrompt: the prompt', () => {
  it('adds the row’s values to a template with no placeholder (the seed example)', () => {
    const { prompt } = buildRowPrompt(seedInput());
    expect(prompt).toBe('Translate the topic to Japanese\n\nThis row of the database:\nTopic: Learning is fun');
    expect(prompt).not.toContain('old answer');
    expect(prompt).not.toContain('Done');
    expect(prompt).not.toContain('Notes');
  });

  it('lists context in the database’s column order and leaves out outputs even when not excluded', () => {
    const { prompt } = buildRowPrompt(
      seedInput({ row: { title: 'T', values: { Notes: 'Keep it short', Output: 'x', Topic: 'T' } }, exclude: [] }),
    );
    expect(prompt).toBe('Translate the topic to Japanese\n\nThis row of the database:\nTopic: T\nNotes: Keep it short');
  });

  it('renders placeholders and adds nothing else', () => {
    const { prompt } = buildRowPrompt(seedInput({ template: 'Translate “{{topic}}” to Japanese.' }));
    expect(prompt).toBe('Translate “Learning is fun” to Japanese.');
  });

  it('puts the page content where {{page}} is', () => {
    const input = seedInput({ template: 'Summarise {{Topic}}:\n{{ page }}' });
    const { prompt } = buildRowPrompt({ ...input, row: { ...input.row, pageMarkdown: '# Heading\n\nBody text.\n' } });
    expect(prompt).toBe('Summarise Learning is fun:\n# Heading\n\nBody text.');
  });

  it('adds page content read without a {{page}} as marked context', () => {
    const input = seedInput({ template: 'Summarise {{Topic}}' });
    const { prompt, contextNote } = buildRowPrompt({ ...input, row: { ...input.row, pageMarkdown: 'Body.' } });
    expect(prompt).toBe(
      "Summarise Learning is fun\n\nThe row's page “Learning is fun” contains:\n<page>\nBody.\n</page>",
    );
    expect(contextNote).toBeUndefined();
  });

  it('says when the page was cut to fit', () => {
    const input = seedInput({ template: '{{page}}' });
    const { prompt, contextNote } = buildRowPrompt({
      ...input,
      row: { ...input.row, pageMarkdown: 'word '.repeat(20_000) },
    });
    expect(prompt.length).toBeLessThan(30_000);
    expect(contextNote).toMatch(/^Only the first ~[\d,]+ of ~25,000 tokens of the page were sent as context\.$/);
  });
});

describe('buildRowPrompt: one text output', () => {
  it('asks for the plain text of that column, with no schema', () => {
    const built = buildRowPrompt(seedInput());
    expect(built.schema).toBeUndefined();
    expect(built.keys).toBeUndefined();
    expect(built.system).toContain('one row of a Notion database');
    expect(built.system).toContain('no preamble');
    expect(built.system).toContain('Answer with the text for the “Output” column only');
  });

  it('treats a single title output the same way', () => {
    const built = buildRowPrompt(seedInput({ outputs: [{ id: 'title', name: 'Topic', type: 'title' }] }));
    expect(built.schema).toBeUndefined();
    expect(built.system).toContain('“Topic” column only');
  });

  it('uses a schema for a single non-text output', () => {
    const built = buildRowPrompt(seedInput({ outputs: [category] }));
    expect(built.keys).toEqual({ category });
    expect(built.schema).toMatchObject({ required: ['category'] });
  });
});

describe('buildRowPrompt: structured outputs', () => {
  const tags: OutputSpec = { id: 'tags', name: 'Tags', type: 'multi_select', options: ['News', 'Tech'] };
  const score: OutputSpec = { id: 'score', name: 'Score', type: 'number' };
  const done: OutputSpec = { id: 'done', name: 'Done?', type: 'checkbox' };

  it('builds a strict schema: every key required, no others', () => {
    const built = buildRowPrompt(seedInput({ outputs: [output, category, due, tags, score, done] }));
    expect(built.schema).toEqual({
      type: 'object',
      properties: {
        output: { type: 'string', description: 'The “Output” column (rich text).' },
        category: { type: 'string', description: 'The “Category” column (select).', enum: ['Red', 'Green'] },
        due_date: { type: 'string', format: 'date', description: 'The “Due date” column (date, YYYY-MM-DD).' },
        tags: {
          type: 'array',
          description: 'The “Tags” column (multi-select).',
          items: { type: 'string', enum: ['News', 'Tech'] },
        },
        score: { type: 'number', description: 'The “Score” column (number).' },
        done: { type: 'boolean', description: 'The “Done?” column (checkbox).' },
      },
      required: ['output', 'category', 'due_date', 'tags', 'score', 'done'],
      additionalProperties: false,
    });
    expect(built.keys).toEqual({ output, category, due_date: due, tags, score, done });
  });

  it('explains each key in the system prompt', () => {
    const { system } = buildRowPrompt(seedInput({ outputs: [category, due, tags, score, done] }));
    expect(system).toContain('JSON object');
    expect(system).toContain('- "category": the “Category” column (select); exactly one of: Red, Green.');
    expect(system).toContain('- "due_date": the “Due date” column; a date as YYYY-MM-DD');
    expect(system).toContain('- "tags": the “Tags” column (multi-select); a list of any of: News, Tech.');
    expect(system).toContain('- "score": the “Score” column; a number.');
    expect(system).toContain('- "done": the “Done?” column (checkbox); true or false.');
  });

  it('asks a percent column for a fraction, which is what Notion stores (12 % is 0.12)', () => {
    const share: OutputSpec = { id: 'share', name: 'Share', type: 'number', numberFormat: 'percent' };
    const built = buildRowPrompt(seedInput({ outputs: [share, score] }));
    expect(built.system).toContain('- "share": the “Share” column; a percentage as a fraction (0.12 for 12%).');
    const properties = (built.schema as { properties: Record<string, unknown> }).properties;
    expect(properties.share).toEqual({
      type: 'number',
      description: 'The “Share” column (percentage as a fraction: 0.12 for 12%).',
    });
  });

  it('drops the enum when new options are allowed, listing the existing ones instead', () => {
    const open = { ...category, allowNewOptions: true };
    const built = buildRowPrompt(seedInput({ outputs: [open, { ...tags, allowNewOptions: true }] }));
    const properties = (built.schema as { properties: Record<string, Record<string, unknown>> }).properties;
    expect(properties.category).toEqual({
      type: 'string',
      description: 'The “Category” column (select); existing options: Red, Green.',
    });
    expect(properties.tags).toEqual({
      type: 'array',
      description: 'The “Tags” column (multi-select); existing options: News, Tech.',
      items: { type: 'string' },
    });
    expect(built.system).toContain('one of: Red, Green; or a new short name without commas.');
  });

  it('keeps the enum for status even when new options are asked for', () => {
    const stage: OutputSpec = {
      id: 'st',
      name: 'Stage',
      type: 'status',
      options: ['To do', 'Done'],
      allowNewOptions: true,
    };
    const built = buildRowPrompt(seedInput({ outputs: [stage] }));
    expect((built.schema as { properties: Record<string, unknown> }).properties.stage).toEqual({
      type: 'string',
      description: 'The “Stage” column (status).',
      enum: ['To do', 'Done'],
    });
  });

  it('derives safe, unique keys from column names', () => {
    const outputs: OutputSpec[] = [
      { id: '1', name: 'Due date', type: 'date' },
      { id: '2', name: 'Due-Date', type: 'date' },
      { id: '3', name: 'Café crème', type: 'rich_text' },
      { id: '4', name: '要約 📝', type: 'rich_text' },
      { id: '5', name: '🌍', type: 'rich_text' },
      { id: '6', name: '2024 score', type: 'number' },
      { id: '7', name: '  Summary (short)!  ', type: 'rich_text' },
    ];
    const built = buildRowPrompt(seedInput({ outputs }));
    expect(Object.keys(built.keys ?? {})).toEqual([
      'due_date',
      'due_date_2',
      'cafe_creme',
      'field',
      'field_2',
      'field_2024_score',
      'summary_short',
    ]);
    for (const key of Object.keys(built.keys ?? {})) expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});

describe('interpretAnswer', () => {
  it('takes the whole trimmed text for a single text output', () => {
    const built = buildRowPrompt(seedInput());
    expect(interpretAnswer(built, [output], { text: '\n  学ぶことは楽しい \n' })).toEqual([
      {
        spec: output,
        result: { ok: true, request: { rich_text: [{ type: 'text', text: { content: '学ぶことは楽しい' } }] } },
      },
    ]);
  });

  it('fails an empty single text answer instead of clearing the cell', () => {
    const built = buildRowPrompt(seedInput());
    expect(interpretAnswer(built, [output], { text: '   ' })[0]?.result).toEqual({
      ok: false,
      reason: 'The model gave no value for “Output”.',
    });
  });

  it('reads each key of valid JSON into its column', () => {
    const outputs = [output, category, due];
    const built = buildRowPrompt(seedInput({ outputs }));
    const results = interpretAnswer(built, outputs, {
      text: '',
      json: { output: 'Bonjour', category: 'green', due_date: '2026-03-01' },
    });
    expect(results).toEqual([
      { spec: output, result: { ok: true, request: { rich_text: [{ type: 'text', text: { content: 'Bonjour' } }] } } },
      { spec: category, result: { ok: true, request: { select: { name: 'Green' } } } },
      { spec: due, result: { ok: true, request: { date: { start: '2026-03-01', end: null, time_zone: null } } } },
    ]);
  });

  it('parses the text when the engine gave no parsed JSON, even inside a code fence', () => {
    const outputs = [category, due];
    const built = buildRowPrompt(seedInput({ outputs }));
    const text = '```json\n{"category":"Red","due_date":"2026-03-01"}\n```';
    expect(interpretAnswer(built, outputs, { text }).map((r) => r.result.ok)).toEqual([true, true]);
  });

  it('gives a reason for a missing key and for a select value that is not an option', () => {
    const outputs = [category, due];
    const built = buildRowPrompt(seedInput({ outputs }));
    const results = interpretAnswer(built, outputs, { text: '', json: { category: 'Purple' } });
    expect(results.map((r) => r.result)).toEqual([
      {
        ok: false,
        reason: 'The model answered “Purple” for “Category”, which is not one of its options (Red, Green).',
      },
      { ok: false, reason: 'The model gave no value for “Due date”.' },
    ]);
  });

  it('fails every output when the answer is not a JSON object', () => {
    const outputs = [category, due];
    const built = buildRowPrompt(seedInput({ outputs }));
    const results = interpretAnswer(built, outputs, { text: 'Sure! The category is Red.' });
    expect(results.map((r) => r.result.ok)).toEqual([false, false]);
    expect(results[0]?.result).toEqual({
      ok: false,
      reason: 'The model’s answer was not the JSON object Inkling asked for, so “Category” has no value.',
    });
    expect(interpretAnswer(built, outputs, { text: '', json: ['Red'] }).every((r) => !r.result.ok)).toBe(true);
  });

  it('finds outputs by id even when the keys were numbered for a clash', () => {
    const a: OutputSpec = { id: 'a', name: 'Note', type: 'rich_text' };
    const b: OutputSpec = { id: 'b', name: 'note', type: 'rich_text' };
    const built = buildRowPrompt(seedInput({ outputs: [a, b] }));
    const results = interpretAnswer(built, [b, a], { text: '', json: { note: 'first', note_2: 'second' } });
    expect(results.map((r) => [r.spec.id, r.result.ok && r.result.request])).toEqual([
      ['b', { rich_text: [{ type: 'text', text: { content: 'second' } }] }],
      ['a', { rich_text: [{ type: 'text', text: { content: 'first' } }] }],
    ]);
  });
});
