import { RequestTimeoutError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { isIdempotent, NotionPacer } from './pacer';

type Call = { url: string; method: string; at: number };

/** A fake fetch that answers from a script, recording when each request started. */
function scriptedFetch(answers: Array<(call: Call) => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), method: init?.method ?? 'GET', at: Date.now() };
    calls.push(call);
    const answer = answers.shift() ?? (() => new Response('{}', { status: 200 }));
    return answer(call);
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

const drop = () => Promise.reject(new TypeError('Failed to fetch'));
const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new Response('{}', { status: code, headers });

describe('NotionPacer', () => {
  it('knows which requests are safe to repeat', () => {
    expect(isIdempotent('GET', 'https://api.notion.com/v1/pages/x')).toBe(true);
    expect(isIdempotent('DELETE', 'https://api.notion.com/v1/blocks/x')).toBe(true);
    expect(isIdempotent('POST', 'https://api.notion.com/v1/data_sources/abc/query')).toBe(true);
    expect(isIdempotent('POST', 'https://api.notion.com/v1/search')).toBe(true);
    expect(isIdempotent('POST', 'https://api.notion.com/v1/pages')).toBe(false);
    expect(isIdempotent('PATCH', 'https://api.notion.com/v1/pages/x')).toBe(false);
  });

  it('waits out a 429 for every request of the credential, then repeats the limited one', async () => {
    const { calls, fetch } = scriptedFetch([status(429, { 'retry-after': '1' })]);
    const pacer = new NotionPacer({ fetch, requestsPerSecond: 100 });
    const first = pacer.fetch('https://api.notion.com/v1/pages/a', { method: 'PATCH' });
    // Let the 429 arrive before the second request is queued.
    await new Promise((r) => setTimeout(r, 20));
    expect(pacer.pausedForMs).toBeGreaterThan(0);
    const second = pacer.fetch('https://api.notion.com/v1/pages/b', { method: 'GET' });
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(calls.map((c) => c.url.slice(-1))).toEqual(['a', 'a', 'b']);
    // Nothing was sent during the pause: the retried request and the new one both waited ≥ ~1 s.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(calls[2]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('repeats a read after a server error, but hands a write’s server error back (it may have landed)', async () => {
    const { calls, fetch } = scriptedFetch([status(503), status(500)]);
    const pacer = new NotionPacer({ fetch, transientBaseDelayMs: 1 });
    const read = await pacer.fetch('https://api.notion.com/v1/blocks/x/children', { method: 'GET' });
    expect(read.status).toBe(200);
    expect(calls).toHaveLength(3);
    const { calls: writeCalls, fetch: fetch2 } = scriptedFetch([status(502)]);
    const writes = new NotionPacer({ fetch: fetch2, transientBaseDelayMs: 1 });
    expect((await writes.fetch('https://api.notion.com/v1/pages/x', { method: 'PATCH' })).status).toBe(502);
    expect(writeCalls).toHaveLength(1);
  });

  it('repeats a write that Notion says conflicted (409 means it did not save)', async () => {
    const { calls, fetch } = scriptedFetch([status(409)]);
    const pacer = new NotionPacer({ fetch, transientBaseDelayMs: 1 });
    expect((await pacer.fetch('https://api.notion.com/v1/pages/x', { method: 'PATCH' })).status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('repeats a read whose connection dropped, and rethrows a write’s', async () => {
    const reads = scriptedFetch([drop]);
    const pacer = new NotionPacer({ fetch: reads.fetch, transientBaseDelayMs: 1 });
    expect((await pacer.fetch('https://api.notion.com/v1/users/me')).status).toBe(200);
    const writes = scriptedFetch([drop]);
    const writer = new NotionPacer({ fetch: writes.fetch, transientBaseDelayMs: 1 });
    await expect(writer.fetch('https://api.notion.com/v1/pages', { method: 'POST' })).rejects.toThrow(
      'Failed to fetch',
    );
    expect(writes.calls).toHaveLength(1);
  });

  it('gives up on a read after a bounded number of attempts', async () => {
    const { calls, fetch } = scriptedFetch(Array.from({ length: 10 }, () => status(500)));
    const pacer = new NotionPacer({ fetch, transientBaseDelayMs: 1 });
    expect((await pacer.fetch('https://api.notion.com/v1/users/me')).status).toBe(500);
    expect(calls).toHaveLength(4);
  });

  it('starts no more requests per second than the rate allows', async () => {
    const { calls, fetch } = scriptedFetch([]);
    const pacer = new NotionPacer({ fetch, requestsPerSecond: 3 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => pacer.fetch(`https://api.notion.com/v1/pages/${i}`)));
    // A burst of two, then one every third of a second: 7 requests need 5/3 s after the first.
    expect(calls[6]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1_600);
    for (let i = 2; i < calls.length; i++) expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(300);
  });

  it('never sends faster than a bucket like Notion’s (3 a second, burst 3) accepts, even after a pause', async () => {
    const { calls, fetch } = scriptedFetch([]);
    const pacer = new NotionPacer({ fetch, requestsPerSecond: 3 });
    const send = (n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => pacer.fetch(`https://api.notion.com/v1/pages/${i}`)));
    await send(1);
    // Requests that come late in a second must not add to the next second's: fixed windows send 6 at once here.
    await new Promise((r) => setTimeout(r, 800));
    await send(8);
    // Notion's side: a full bucket of 3 that refills at 3 a second; a request finding less than one token gets a 429.
    // It is judged 150 ms late for every request (the network's worst), so the pacer needs a margin.
    let tokens = 3;
    let last = calls[0]!.at;
    for (const [i, call] of calls.entries()) {
      const arrives = call.at + (i % 2 === 0 ? 0 : -150);
      tokens = Math.min(3, tokens + ((arrives - last) / 1000) * 3);
      last = arrives;
      expect(tokens, `request ${i} at ${call.at - calls[0]!.at} ms`).toBeGreaterThanOrEqual(1);
      tokens -= 1;
    }
    // And no slower than the rate: 8 requests after the pause take about 2 s (the bucket's first ones go at once).
    expect(calls.at(-1)!.at - calls[1]!.at).toBeLessThan(2_500);
  });

  it('takes a request out of the queue when its caller aborts: it is never sent', async () => {
    const { calls, fetch } = scriptedFetch([status(429, { 'retry-after': '1' })]);
    const pacer = new NotionPacer({ fetch, requestsPerSecond: 100 });
    const first = pacer.fetch('https://api.notion.com/v1/pages/a', { method: 'PATCH' });
    await new Promise((r) => setTimeout(r, 20));
    const controller = new AbortController();
    const queued = pacer.fetch('https://api.notion.com/v1/pages/b', { method: 'PATCH', signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    await first;
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.map((c) => c.url.slice(-1))).toEqual(['a', 'a']);
  });

  it('cuts a request in flight when its caller aborts', async () => {
    let sawAbort = false;
    const fetch = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          sawAbort = true;
          reject(init.signal!.reason);
        });
      })) as typeof globalThis.fetch;
    const pacer = new NotionPacer({ fetch });
    const controller = new AbortController();
    const request = pacer.fetch('https://api.notion.com/v1/pages/a', { method: 'PATCH', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(request).rejects.toMatchObject({ name: 'AbortError' });
    expect(sawAbort).toBe(true);
  });

  it('gives each attempt its own time limit, counted from when it leaves the queue, and aborts it when it passes', async () => {
    const started: number[] = [];
    const fetch = ((_input: RequestInfo | URL, init?: RequestInit) => {
      started.push(Date.now());
      return new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
      );
    }) as typeof globalThis.fetch;
    const pacer = new NotionPacer({ fetch, attemptTimeoutMs: 200, transientBaseDelayMs: 1 });
    // A write is not repeated: the timeout comes back, as a timeout.
    const write = pacer.fetch('https://api.notion.com/v1/pages/a', { method: 'PATCH' });
    await expect(write).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(started).toHaveLength(1);
  });

  it('does not count time spent waiting out a 429 against a request’s time limit', async () => {
    const { calls, fetch } = scriptedFetch([status(429, { 'retry-after': '1' })]);
    const pacer = new NotionPacer({ fetch, requestsPerSecond: 100, attemptTimeoutMs: 300 });
    const limited = pacer.fetch('https://api.notion.com/v1/pages/a', { method: 'PATCH' });
    await new Promise((r) => setTimeout(r, 20));
    // Queued behind the 1 s pause, much longer than its 300 ms limit: it still goes, and succeeds.
    const waiting = pacer.fetch('https://api.notion.com/v1/pages/b', { method: 'PATCH' });
    expect((await waiting).status).toBe(200);
    expect((await limited).status).toBe(200);
    expect(calls).toHaveLength(3);
  });

  it('tells the caller the moment a request leaves for Notion, each time it is sent', async () => {
    const { calls, fetch } = scriptedFetch([status(429, { 'retry-after': '0' })]);
    const pacer = new NotionPacer({ fetch });
    const dispatched: number[] = [];
    await pacer.fetch('https://api.notion.com/v1/pages/a', {
      method: 'PATCH',
      onDispatch: async () => void dispatched.push(calls.length),
    });
    // Before the first send (no call yet) and before the repeat (one call so far).
    expect(dispatched).toEqual([0, 1]);
  });
});
