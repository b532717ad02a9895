// Chained outputs: the order of a row's calls, and the circles and gaps refused before anything is paid for.
import { describe, expect, it } from 'vitest';
import { InklingError } from '../shared/problem';
import type { OutputSpec } from '../shared/notion-shapes';
import { isChained, planSteps, stepReferences, stepsOf } from './run-steps';

const output = (id: string, name: string): OutputSpec => ({ id, name, type: 'rich_text' });
const SUMMARY = output('s', 'Summary');
const CATEGORY = output('c', 'Category');
const TONE = output('t', 'Tone');
const NAMES = ['Topic', 'Notes', 'Summary', 'Category', 'Tone'];

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InklingError) return error.problem.message;
    throw error;
  }
  throw new Error('not refused');
}

describe('planSteps', () => {
  it('is one call for every output when none has a prompt of its own', () => {
    expect(planSteps('Summarise {{Notes}}', [SUMMARY, CATEGORY], new Map(), NAMES)).toEqual([
      { template: 'Summarise {{Notes}}', outputIds: ['s', 'c'] },
    ]);
  });

  it('puts a prompt that names another output after the call that answers it, whatever the order chosen', () => {
    const prompts = new Map([['c', 'Classify: {{Summary}}']]);
    // Category is chosen first, but it needs Summary's answer.
    expect(planSteps('Summarise {{Notes}}', [CATEGORY, SUMMARY], prompts, NAMES)).toEqual([
      { template: 'Summarise {{Notes}}', outputIds: ['s'] },
      { template: 'Classify: {{Summary}}', outputIds: ['c'] },
    ]);
  });

  it('orders a longer chain, and keeps the order chosen between calls that need nothing of each other', () => {
    const prompts = new Map([
      ['t', 'Tone of {{Category}}'],
      ['c', 'Classify {{Summary}}'],
      ['s', 'Summarise {{Notes}}'],
    ]);
    expect(planSteps('', [TONE, CATEGORY, SUMMARY], prompts, NAMES).map((s) => s.outputIds)).toEqual([
      ['s'],
      ['c'],
      ['t'],
    ]);
    const independent = new Map([
      ['t', 'Tone of {{Notes}}'],
      ['s', 'Summarise {{Notes}}'],
    ]);
    expect(planSteps('', [TONE, SUMMARY], independent, NAMES).map((s) => s.outputIds)).toEqual([['t'], ['s']]);
  });

  it('lets the main Prompt wait for an output with its own prompt', () => {
    const prompts = new Map([['c', 'Classify {{Notes}}']]);
    expect(planSteps('Summarise {{Notes}} as a {{Category}}', [SUMMARY, CATEGORY], prompts, NAMES)).toEqual([
      { template: 'Classify {{Notes}}', outputIds: ['c'] },
      { template: 'Summarise {{Notes}} as a {{Category}}', outputIds: ['s'] },
    ]);
  });

  it('takes a prompt naming its own output as the cell’s current value, not as a circle', () => {
    const prompts = new Map([['c', 'Improve {{Category}} using {{Summary}}']]);
    expect(planSteps('Summarise {{Notes}}', [SUMMARY, CATEGORY], prompts, NAMES)).toHaveLength(2);
  });

  it('refuses two prompts that each need the other’s answer, naming both', () => {
    const prompts = new Map([['c', 'Classify {{Summary}}']]);
    expect(refusal(() => planSteps('Summarise {{Category}}', [SUMMARY, CATEGORY], prompts, NAMES))).toBe(
      'These prompts need each other’s answers first, so none of them can go first: the Prompt uses {{Category}}, the prompt for “Category” uses {{Summary}}. Take one of those out.',
    );
  });

  it('refuses a longer circle, naming each link of it and only those', () => {
    const prompts = new Map([
      ['s', 'Summarise {{Tone}}'],
      ['c', 'Classify {{Summary}}'],
      ['t', 'Tone of {{Category}}'],
    ]);
    const message = refusal(() => planSteps('', [SUMMARY, CATEGORY, TONE], prompts, NAMES));
    expect(message).toContain('the prompt for “Summary” uses {{Tone}}');
    expect(message).toContain('the prompt for “Tone” uses {{Category}}');
    expect(message).toContain('the prompt for “Category” uses {{Summary}}');
  });

  it('asks for a prompt that is missing: the main one while an output uses it, an output’s own when ticked', () => {
    expect(refusal(() => planSteps('', [SUMMARY], new Map(), NAMES))).toBe('Write a prompt first.');
    expect(refusal(() => planSteps('Go', [SUMMARY, CATEGORY], new Map([['c', '  ']]), NAMES))).toBe(
      'Write the prompt for “Category”, or untick its “Own prompt”.',
    );
    // Every output with its own prompt: the main one may stay empty.
    expect(planSteps('', [SUMMARY], new Map([['s', 'Summarise {{Notes}}']]), NAMES)).toEqual([
      { template: 'Summarise {{Notes}}', outputIds: ['s'] },
    ]);
  });

  it('says which prompt names a column that does not exist', () => {
    expect(
      refusal(() => planSteps('Go {{Notes}}', [SUMMARY, CATEGORY], new Map([['c', '{{Sumary}}']]), NAMES)),
    ).toMatch(/^In the prompt for “Category”: .*Sumary/);
  });
});

describe('a run’s steps', () => {
  it('are the one call of a run without chained outputs', () => {
    const run = { template: 'Go', outputs: [SUMMARY, CATEGORY] };
    expect(stepsOf(run)).toEqual([{ template: 'Go', outputIds: ['s', 'c'] }]);
    expect(isChained(run)).toBe(false);
    const chained = { ...run, steps: [...stepsOf(run), { template: '{{Summary}}', outputIds: ['t'] }] };
    expect(isChained(chained)).toBe(true);
    expect(stepReferences(stepsOf(chained), NAMES)).toEqual(['Summary']);
  });
});
