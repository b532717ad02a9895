import { ApiError } from '@google/genai';
import { APIConnectionError, AuthenticationError, PermissionDeniedError, RateLimitError } from 'openai';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InklingError } from '../shared/problem';
import { toModelProblem } from './errors';

beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => undefined));

const headers = (h: Record<string, string>) => new Headers(h);

describe('toModelProblem', () => {
  it('tells an Ollama user exactly what to set when the server answers 403', () => {
    const error = new PermissionDeniedError(403, undefined, '', headers({}));
    const problem = toModelProblem(error, { engine: 'compatible', baseUrl: 'http://localhost:11434/v1' });
    expect(problem.kind).toBe('ollama_origin');
    expect(problem.message).toContain('OLLAMA_ORIGINS=chrome-extension://*');
    expect(problem.message).toContain('http://localhost:11434/v1');
  });

  it('reads the wait from retry-after-ms or retry-after', () => {
    const ms = new RateLimitError(
      429,
      { code: 'rate_limit_exceeded' },
      'slow down',
      headers({ 'retry-after-ms': '1500' }),
    );
    expect(toModelProblem(ms, { engine: 'openai' }).retryAfterMs).toBe(1500);
    const s = new RateLimitError(429, { code: 'rate_limit_exceeded' }, 'slow down', headers({ 'retry-after': '7' }));
    expect(toModelProblem(s, { engine: 'openai' })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 7000,
      retryable: true,
    });
  });

  it('tells quota from rate limit on both providers', () => {
    const openaiQuota = new RateLimitError(429, { code: 'insufficient_quota' }, 'quota', headers({}));
    expect(toModelProblem(openaiQuota, { engine: 'openai' })).toMatchObject({ kind: 'quota', retryable: false });
    const geminiDay = new ApiError({
      status: 429,
      message:
        '{"error":{"message":"Quota exceeded … GenerateRequestsPerDayPerProjectPerModel-FreeTier","details":[{"retryDelay":"30s"}]}}',
    });
    expect(toModelProblem(geminiDay, { engine: 'gemini' })).toMatchObject({ kind: 'quota', retryAfterMs: 30_000 });
    const geminiMinute = new ApiError({
      status: 429,
      message:
        '{"error":{"message":"Quota exceeded … GenerateRequestsPerMinutePerProjectPerModel-FreeTier","details":[{"retryDelay":"7s"}]}}',
    });
    expect(toModelProblem(geminiMinute, { engine: 'gemini' })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 7_000,
    });
  });

  it('never repeats the key in its message', () => {
    const error = new AuthenticationError(
      401,
      { message: 'Incorrect API key provided: sk-proj-abcdef123456' },
      'Incorrect API key provided: sk-proj-abcdef123456',
      headers({}),
    );
    const problem = toModelProblem(error, { engine: 'openai' });
    expect(problem.kind).toBe('bad_key');
    expect(problem.message).not.toContain('abcdef');
  });

  it('names an unreachable server and how to check it', () => {
    const problem = toModelProblem(new APIConnectionError({ message: 'Connection error.' }), {
      engine: 'compatible',
      baseUrl: 'http://localhost:1234/v1',
    });
    expect(problem).toMatchObject({ kind: 'network', retryable: true });
    expect(problem.message).toContain('http://localhost:1234/v1');
  });

  it('passes an InklingError’s problem through unchanged', () => {
    const problem = { source: 'model' as const, kind: 'safety', message: 'blocked', retryable: false };
    expect(toModelProblem(new InklingError(problem), { engine: 'gemini' })).toBe(problem);
  });
});
