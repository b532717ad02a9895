import { describe, expect, it } from 'vitest';
import { count, engineAndModel } from './format';

describe('count', () => {
  it('puts the noun in its plural form for every count but one', () => {
    expect(count(1, 'request')).toBe('1 request');
    expect(count(0, 'request')).toBe('0 requests');
    expect(count(2, 'run')).toBe('2 runs');
    expect(count(1_234, 'row')).toBe(`${(1_234).toLocaleString()} rows`);
    expect(count(3, 'entry', 'entries')).toBe('3 entries');
  });
});

describe('engineAndModel', () => {
  it('names the engine as Settings does, then the model', () => {
    expect(engineAndModel('openai', 'gpt-5.5-mini')).toBe('GPT (OpenAI) · gpt-5.5-mini');
    expect(engineAndModel('gemini', 'gemini-3.8-flash')).toBe('Gemini · gemini-3.8-flash');
    expect(engineAndModel('chrome', '')).toBe('Chrome built-in AI');
  });
});
