import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('reads seconds, milliseconds and an HTTP date, from Headers or a plain record', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }), now)).toBe(7_000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1_500);
    expect(retryAfterMs({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Tue, 01 Dec 2026 12:00:30 GMT' }), now)).toBe(30_000);
  });
  it('names no wait for missing, empty, negative-looking dates in the past as zero, and nonsense', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'Tue, 01 Dec 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '-3' }, now)).toBe(0);
  });
});
