import { describe, expect, it } from 'vitest';
import { InklingError } from '../shared/problem';
import { modelProblem } from './errors';
import { EngineScheduler } from './scheduler';

/** A call that never answers: it ends only when its signal aborts. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<string>((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError'))),
  );

const fail = (kind: Parameters<typeof modelProblem>[0], retryAfterMs?: number) =>
  new InklingError(modelProblem(kind, kind, retryAfterMs));

describe('EngineScheduler', () => {
  it('keeps to the engine’s concurrency', async () => {
    const scheduler = new EngineScheduler({ concurrency: 2, requestsPerMinute: 0 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        scheduler.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it('pauses every call after a rate limit, for as long as the provider asked', async () => {
    const scheduler = new EngineScheduler({ concurrency: 4, requestsPerMinute: 0 });
    const starts: number[] = [];
    let first = true;
    const t0 = Date.now();
    const limited = scheduler.run(async () => {
      starts.push(Date.now() - t0);
      if (first) {
        first = false;
        throw fail('rate_limited', 300);
      }
      return 'ok';
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(scheduler.pausedForMs).toBeGreaterThan(0);
    const other = scheduler.run(async () => {
      starts.push(Date.now() - t0);
      return 'other';
    });
    expect(await Promise.all([limited, other])).toEqual(['ok', 'other']);
    expect(starts[0]).toBeLessThan(50);
    // Both the retry and the call that arrived during the pause waited it out.
    expect(Math.min(...starts.slice(1))).toBeGreaterThanOrEqual(280);
  });

  it('retries an outage a bounded number of times, telling the caller to reset', async () => {
    const scheduler = new EngineScheduler({ concurrency: 1, requestsPerMinute: 0 }, { transientBaseDelayMs: 1 });
    let attempts = 0;
    const resets: string[] = [];
    const result = await scheduler.run(
      async () => {
        if (++attempts < 3) throw fail('unavailable');
        return 'done';
      },
      { onRetry: (problem) => resets.push(problem.kind) },
    );
    expect(result).toBe('done');
    expect(resets).toEqual(['unavailable', 'unavailable']);
    let always = 0;
    await expect(
      scheduler.run(async () => {
        always++;
        throw fail('network');
      }),
    ).rejects.toThrow('network');
    expect(always).toBe(3);
  });

  it('does not retry what needs the user: a bad key, a quota, a safety block', async () => {
    const scheduler = new EngineScheduler({ concurrency: 1, requestsPerMinute: 0 }, { transientBaseDelayMs: 1 });
    for (const kind of ['bad_key', 'quota', 'safety'] as const) {
      let calls = 0;
      await expect(
        scheduler.run(async () => {
          calls++;
          throw fail(kind);
        }),
      ).rejects.toThrow(kind);
      expect(calls).toBe(1);
    }
  });

  it('stops waiting when aborted', async () => {
    const scheduler = new EngineScheduler({ concurrency: 1, requestsPerMinute: 0 });
    const controller = new AbortController();
    const run = scheduler.run(
      async () => {
        throw fail('rate_limited', 60_000);
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toMatchObject({ problem: { kind: 'aborted' } });
  });

  it('aborts a call that passes its time limit, and tries it again as a timeout', async () => {
    const scheduler = new EngineScheduler(
      { concurrency: 1, requestsPerMinute: 0 },
      { attemptTimeoutMs: 100, transientBaseDelayMs: 1 },
    );
    let attempts = 0;
    const result = await scheduler.run(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          attempts++;
          if (attempts > 1) return resolve('answered');
          signal.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
        }),
    );
    expect(result).toBe('answered');
    expect(attempts).toBe(2);
  });

  it('a call that keeps passing its limit fails as a timeout, not as the user’s Stop', async () => {
    const scheduler = new EngineScheduler(
      { concurrency: 1, requestsPerMinute: 0 },
      { attemptTimeoutMs: 50, transientBaseDelayMs: 1 },
    );
    await expect(scheduler.run(untilAborted)).rejects.toMatchObject({ problem: { kind: 'timeout' } });
  });
});
