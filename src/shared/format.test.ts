import { describe, expect, it } from 'vitest';
import {
  count,
  engineAndModel,
  formatCost,
  formatDate,
  formatDateTime,
  formatDay,
  formatNumber,
  formatTime,
} from './format';

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

describe('formatting for the browser’s locale', () => {
  // 2 December 2026, 14:05, where the test runs.
  const at = new Date(2026, 11, 2, 14, 5).getTime();

  it('writes costs in US dollars the way the locale writes money', () => {
    expect(formatCost({ usd: 0.0123, free: false }, 'en-US')).toBe('$0.0123');
    expect(formatCost({ usd: 12.5, free: false }, 'en-US')).toBe('$12.50');
    expect(formatCost({ usd: 0.00001, free: false }, 'en-US')).toBe('< $0.0001');
    expect(formatCost({ usd: 0.0123, free: false }, 'de-DE')).toBe('0,0123\u00a0$');
    expect(formatCost({ usd: 1234.5, free: false }, 'de-DE')).toBe('1.234,50\u00a0$');
    expect(formatCost({ usd: 0.0123, free: false }, 'fr-FR')).toBe('0,0123\u00a0$');
    expect(formatCost({ usd: 3, free: true }, 'de-DE')).toBe('free');
    expect(formatCost({ usd: null, free: false }, 'de-DE')).toBe('unknown');
  });

  it('writes dates, times and usage days the way the locale does', () => {
    expect(formatDate(at, 'en-US')).toBe('December 2, 2026');
    expect(formatDate(at, 'de-DE')).toBe('2. Dezember 2026');
    expect(formatTime(at, 'en-US')).toMatch(/^2:05\s?PM$/);
    expect(formatTime(at, 'de-DE')).toBe('14:05');
    expect(formatDateTime(at, 'de-DE')).toBe('02.12.2026, 14:05');
    expect(formatDay('2026-12-02', 'en-US')).toBe('Dec 2, 2026');
    expect(formatDay('2026-12-02', 'de-DE')).toBe('02.12.2026');
    expect(formatDay('not a day', 'en-US')).toBe('not a day');
  });

  it('writes counts in the locale’s digits', () => {
    expect(formatNumber(1234567)).toBe((1234567).toLocaleString());
  });
});
