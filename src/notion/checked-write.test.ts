import { APIErrorCode, APIResponseError, RequestTimeoutError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { WRITE_MAX_SENDS, writeOnce, type CheckedWrite, type WriteCheck } from './checked-write';

const serverError = () =>
  new APIResponseError({
    code: APIErrorCode.InternalServerError,
    status: 500,
    message: 'Unexpected error.',
    headers: new Headers(),
    rawBodyText: '{}',
    additional_data: undefined,
    request_id: undefined,
  });

/** A write to a fake Notion: `landsAt` says after how many ms a sent request is applied (never: undefined). */
function fakeWrite(
  script: Array<{ fail?: () => unknown; landsAfterMs?: number }>,
  extra: Partial<CheckedWrite<string>> = {},
) {
  const state = { applied: 0, sends: 0, checks: 0, intents: [] as number[], cleared: 0 };
  const write: CheckedWrite<string> = {
    send: async (dispatched) => {
      const step = script[state.sends++] ?? {};
      await dispatched();
      if (step.landsAfterMs !== undefined) setTimeout(() => state.applied++, step.landsAfterMs);
      if (step.fail) throw step.fail();
      return 'sent';
    },
    check: async (): Promise<WriteCheck<string>> => {
      state.checks++;
      return state.applied > 0 ? { state: 'landed', value: 'found' } : { state: 'absent' };
    },
    sent: async (at) => void state.intents.push(at),
    notLanded: async () => void state.cleared++,
    landingWindowMs: 300,
    ...extra,
  };
  return { write, state };
}

describe('writeOnce', () => {
  it('sends once when Notion answers', async () => {
    const { write, state } = fakeWrite([{ landsAfterMs: 0 }]);
    expect(await writeOnce(write)).toEqual({ ok: true, value: 'sent' });
    expect(state).toMatchObject({ sends: 1, checks: 0 });
    expect(state.intents).toHaveLength(1);
  });

  it('takes a write whose answer was lost as done when it is found in Notion', async () => {
    const { write, state } = fakeWrite([{ landsAfterMs: 0, fail: () => new TypeError('Failed to fetch') }]);
    expect(await writeOnce(write)).toEqual({ ok: true, value: 'found' });
    expect(state.sends).toBe(1);
  });

  it('keeps looking while a request without an answer may still land, and does not send it again', async () => {
    const { write, state } = fakeWrite([{ landsAfterMs: 150, fail: () => new RequestTimeoutError() }]);
    expect(await writeOnce(write)).toEqual({ ok: true, value: 'found' });
    expect(state.sends).toBe(1);
    expect(state.checks).toBeGreaterThan(1);
  });

  it('sends again only once the landing window has closed with the write still absent', async () => {
    const { write, state } = fakeWrite([{ fail: () => new TypeError('Failed to fetch') }, { landsAfterMs: 0 }]);
    const started = Date.now();
    expect(await writeOnce(write)).toEqual({ ok: true, value: 'sent' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(state.sends).toBe(2);
    expect(state.cleared).toBe(1);
  });

  it('decides with one look when Notion answered (a 500): it did not land, so it is sent again at once', async () => {
    const { write, state } = fakeWrite([{ fail: serverError }, { landsAfterMs: 0 }]);
    const started = Date.now();
    expect(await writeOnce(write)).toEqual({ ok: true, value: 'sent' });
    expect(Date.now() - started).toBeLessThan(200);
    expect(state).toMatchObject({ sends: 2, checks: 1 });
  });

  it('gives up after a bounded number of sends that provably did not land', async () => {
    const { write, state } = fakeWrite(Array.from({ length: 10 }, () => ({ fail: serverError })));
    await expect(writeOnce(write)).rejects.toMatchObject({ status: 500 });
    expect(state.sends).toBe(WRITE_MAX_SENDS);
  });

  it('reports a change by someone else instead of writing over it', async () => {
    const { write, state } = fakeWrite([{ fail: () => new TypeError('Failed to fetch') }], {
      check: async () => ({ state: 'changed', reason: 'Filled in Notion since the run started.' }),
    });
    expect(await writeOnce(write)).toEqual({ ok: false, reason: 'Filled in Notion since the run started.' });
    expect(state.sends).toBe(1);
  });

  it('looks first for a write a stopped worker had sent, and sends it only when it is provably absent', async () => {
    const found = fakeWrite([]);
    found.state.applied = 1;
    expect(await writeOnce({ ...found.write, sentAt: Date.now() })).toEqual({ ok: true, value: 'found' });
    expect(found.state.sends).toBe(0);

    const absent = fakeWrite([{ landsAfterMs: 0 }]);
    expect(await writeOnce({ ...absent.write, sentAt: Date.now() - 1_000 })).toEqual({ ok: true, value: 'sent' });
    expect(absent.state).toMatchObject({ sends: 1, checks: 1 });
  });

  it('never looks for a request that failed before it left (nothing was sent)', async () => {
    const controller = new AbortController();
    const { write, state } = fakeWrite([], {
      send: async () => {
        controller.abort();
        throw new DOMException('Aborted', 'AbortError');
      },
      signal: controller.signal,
    });
    await expect(writeOnce(write)).rejects.toMatchObject({ name: 'AbortError' });
    expect(state.checks).toBe(0);
    expect(state.intents).toHaveLength(0);
  });

  it('a Cancel while a write is in flight leaves its intent for when the run carries on', async () => {
    const controller = new AbortController();
    const { write, state } = fakeWrite([], {
      send: async (dispatched) => {
        await dispatched();
        controller.abort();
        throw new DOMException('Aborted', 'AbortError');
      },
      signal: controller.signal,
    });
    await expect(writeOnce(write)).rejects.toMatchObject({ name: 'AbortError' });
    expect(state.intents).toHaveLength(1);
    expect(state.cleared).toBe(0);
  });
});
