import { describe, expect, it } from 'vitest';
import { InklingError } from '../shared/problem';
import { stoppable, stopRequest, STOPPED_PROBLEM } from './stoppable';

const stoppedError = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof InklingError ? error.problem : error),
  );

describe('stoppable requests', () => {
  it('stops the request with its id, and answers `stopped` whatever the action threw on the way out', async () => {
    const id = crypto.randomUUID();
    const going = stoppable(
      id,
      (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new TypeError('terminated')))),
    );
    stopRequest(id);
    expect(await stoppedError(going)).toEqual(STOPPED_PROBLEM);
  });

  it('answers `stopped` even when the action ignores the signal and finishes', async () => {
    const id = crypto.randomUUID();
    const { promise, resolve } = Promise.withResolvers<string>();
    const going = stoppable(id, () => promise);
    stopRequest(id);
    resolve('late answer');
    expect(await stoppedError(going)).toEqual(STOPPED_PROBLEM);
  });

  it('leaves other requests, finished ones and requests without an id alone', async () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    const other = stoppable(b, async () => 'b');
    stopRequest(a);
    expect(await other).toBe('b');
    // Stopping a finished request does nothing (its id is forgotten).
    stopRequest(b);
    expect(await stoppable(undefined, async (signal) => signal.aborted)).toBe(false);
    // A failure that is not a stop stays what it was.
    const boom = new Error('boom');
    expect(await stoppedError(stoppable(a, async () => Promise.reject(boom)))).toBe(boom);
  });
});
