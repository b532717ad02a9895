import { describe, expect, it } from 'vitest';
import type { OutputSpec } from '../shared/notion-shapes';
import { buildPackPrompt, interpretPack, packRowTokens, type PackPromptInput } from './pack-prompt';
import { buildRowPrompt } from './row-prompt';

const output: OutputSpec = { id: 'out', name: 'Output', type: 'rich_text' };
const category: OutputSpec = { id: 'cat', name: 'Category', type: 'select', options: ['Red', 'Green'] };
const score: OutputSpec = { id: 'score', name: 'Score', type: 'number' };

function input(overrides: Partial<PackPromptInput> = {}): PackPromptInput {
  return {
    template: 'Translate {{Topic}} to Japanese',
    propertyNames: ['Topic', 'Notes', 'Output'],
    rows: [
      { title: 'Tea', values: { Topic: 'Tea', Notes: 'hot', Output: '' } },
      { title: 'Rain', values: { Topic: 'Rain', Notes: 'wet', Output: '' } },
    ],
    outputs: [output],
    exclude: ['Output'],
    ...overrides,
  };
}

describe('buildPackPrompt', () => {
  it('gives the instruction once, with its placeholders, and each row its token and the values it uses', () => {
    const pack = buildPackPrompt(input());
    expect(pack.tokens).toEqual(['r1', 'r2']);
    expect(pack.prompt).toBe(
      [
        'Do this for each row below, where {{Name}} stands for the row’s value of “Name”:',
        '<instruction>\nTranslate {{Topic}} to Japanese\n</instruction>',
        '',
        '<row id="r1">\nTopic: Tea\n</row>',
        '',
        '<row id="r2">\nTopic: Rain\n</row>',
      ].join('\n'),
    );
    expect(pack.prompt).not.toContain('hot');
    expect(pack.system).toContain('one key per row id');
    expect(pack.system).toContain('“Output” column of that row only');
    expect(pack.schema).toEqual({
      type: 'object',
      properties: { r1: { type: 'string' }, r2: { type: 'string' } },
      required: ['r1', 'r2'],
      additionalProperties: false,
    });
    expect(pack.keys).toBeUndefined();
  });

  it('sends a row’s own context when the template names no column, as the single-row prompt does', () => {
    const pack = buildPackPrompt(input({ template: 'Summarise this row' }));
    expect(pack.prompt).toContain('Do this for each row below:\n<instruction>\nSummarise this row\n</instruction>');
    expect(pack.prompt).toContain('<row id="r1">\nTopic: Tea\nNotes: hot\n</row>');
  });

  it('puts each row’s page content in its own block', () => {
    const rows = [{ title: 'Tea', values: { Topic: 'Tea' }, pageMarkdown: '# Tea\n\nGreen.' }];
    const pack = buildPackPrompt(input({ template: 'Summarise {{page}}', rows }));
    expect(pack.prompt).toContain('<row id="r1">\n<page>\n# Tea\n\nGreen.\n</page>\n</row>');
  });

  it('asks for one object per row, with the single-row schema, for typed outputs', () => {
    const outputs = [category, score];
    const pack = buildPackPrompt(input({ outputs }));
    const single = buildRowPrompt({ ...input({ outputs }), row: input().rows[0]! });
    expect(pack.schema.properties).toEqual({ r1: single.schema, r2: single.schema });
    expect(pack.system).toContain('"category"');
    expect(pack.keys).toEqual(single.keys);
  });

  it('costs far fewer prompt characters per row than one call a row', () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({ title: `T${i}`, values: { Topic: `Topic ${i}` } }));
    const pack = buildPackPrompt(input({ rows }));
    const perRowPacked = (pack.system.length + pack.prompt.length) / rows.length;
    const one = buildRowPrompt({ ...input(), row: rows[0]! });
    expect(perRowPacked).toBeLessThan((one.system.length + one.prompt.length) * 0.6);
    expect(packRowTokens(input(), rows[0]!)).toBeLessThan(20);
  });
});

describe('interpretPack', () => {
  it('gives each row its own typed, validated value', () => {
    const pack = buildPackPrompt(input({ outputs: [category, score] }));
    const results = interpretPack(pack, [category, score], {
      text: '',
      json: { r1: { category: 'Red', score: 3 }, r2: { category: 'Blue', score: 4 } },
    });
    expect(results[0]!.map((r) => r.result)).toEqual([
      { ok: true, request: { select: { name: 'Red' } } },
      { ok: true, request: { number: 3 } },
    ]);
    // An answer for the row that its column refuses fails that row, as a single call would.
    expect(results[1]![0]!.result.ok).toBe(false);
    expect(results[1]![1]!.result).toEqual({ ok: true, request: { number: 4 } });
  });

  it('reads plain-text rows, a fenced JSON answer, and leaves out rows the answer missed (asked again alone)', () => {
    const pack = buildPackPrompt(input({ rows: [...input().rows, { title: 'Sun', values: { Topic: 'Sun' } }] }));
    const results = interpretPack(pack, [output], { text: '```json\n{"r1": "お茶", "r3": "  "}\n```' });
    expect(results[0]![0]!.result).toMatchObject({ ok: true, request: { rich_text: [{ text: { content: 'お茶' } }] } });
    expect(results[1]).toBeUndefined();
    expect(results[2]).toBeUndefined();
  });

  it('leaves out every row when the answer is not the JSON asked for', () => {
    const pack = buildPackPrompt(input({ outputs: [category] }));
    expect(interpretPack(pack, [category], { text: 'Sure! Red and Green.' })).toEqual([undefined, undefined]);
    expect(interpretPack(pack, [category], { text: '', json: { r1: 'Red' } })).toEqual([undefined, undefined]);
  });
});
