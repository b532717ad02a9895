// handle(): the one gate every message passes — the sender first, then the data — and how what a
// handler throws or returns reaches the screen that asked.
import * as v from 'valibot';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureHandlers, SENDERS, type Ask } from '../../tests/sandbox/worker-world.ts';
import { InklingError, type Problem } from '../shared/problem';
import type { SenderInfo } from './senders';
import { handle, outcomeOf, outcomeValue, PANEL_OR_POPUP } from './handle';

const PROBLEM: Problem = {
  source: 'notion',
  kind: 'not_shared',
  message: 'Inkling can’t see this page.',
  retryable: false,
};

const seen: Array<{ data: unknown; sender: SenderInfo }> = [];
let behaviour: (data: { url: string }) => unknown = () => undefined;
let ask: Ask;

beforeAll(() => {
  ask = captureHandlers(() => {
    handle(
      'resolveTarget',
      PANEL_OR_POPUP,
      v.object({ url: v.pipe(v.string(), v.trim(), v.maxLength(20)) }),
      (data, sender) => {
        seen.push({ data, sender });
        return behaviour(data) as never;
      },
    );
    handle('diagnostics', ['extension-page'], v.optional(v.undefined()), () => 'summary');
  });
});

afterEach(() => {
  seen.length = 0;
  behaviour = () => undefined;
  vi.restoreAllMocks();
});

describe('handle', () => {
  it('runs the handler for an allowed sender with the parsed data and the sender', async () => {
    behaviour = ({ url }) => ({ ok: true, value: url });
    expect(await ask('resolveTarget', { url: '  https://x  ' }, SENDERS.panel)).toEqual({
      ok: true,
      value: 'https://x',
    });
    expect(await ask('resolveTarget', { url: 'a' }, SENDERS.popup)).toEqual({ ok: true, value: 'a' });
    expect(seen).toEqual([
      { data: { url: 'https://x' }, sender: SENDERS.panel },
      { data: { url: 'a' }, sender: SENDERS.popup },
    ]);
  });

  it('refuses a sender that is not allowed, before looking at the data, and says who in the log', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(ask('diagnostics', undefined, SENDERS.panel)).rejects.toThrow('Inkling refused this request.');
    for (const sender of [SENDERS.webPage, SENDERS.otherExtension, SENDERS.notionFrame, SENDERS.empty]) {
      await expect(ask('resolveTarget', { url: 'ok' }, sender)).rejects.toThrow('Inkling refused this request.');
      await expect(ask('resolveTarget', { url: 'x'.repeat(99) }, sender)).rejects.toThrow(
        'Inkling refused this request.',
      );
    }
    expect(seen).toEqual([]);
    expect(warn).toHaveBeenCalledWith('[inkling] refused "diagnostics" from', SENDERS.panel.url);
    expect(warn).toHaveBeenCalledWith('[inkling] refused "resolveTarget" from', SENDERS.webPage.url);
  });

  it('refuses a message that comes with no sender at all', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(ask('resolveTarget', { url: 'ok' }, undefined)).rejects.toThrow('Inkling refused this request.');
    expect(seen).toEqual([]);
  });

  it('refuses data its schema does not accept, naming the request', async () => {
    for (const data of [{ url: 'x'.repeat(21) }, { url: 3 }, {}, null, 'https://x', undefined]) {
      await expect(ask('resolveTarget', data, SENDERS.panel)).rejects.toThrow('Invalid request for resolveTarget.');
    }
    await expect(ask('diagnostics', { extra: true }, SENDERS.popup)).rejects.toThrow(
      'Invalid request for diagnostics.',
    );
    expect(seen).toEqual([]);
    expect(await ask('diagnostics', undefined, SENDERS.popup)).toBe('summary');
  });

  it('turns what a handler throws into the error the screen’s sendMessage throws', async () => {
    behaviour = () => {
      throw new Error('disk on fire');
    };
    await expect(ask('resolveTarget', { url: 'a' }, SENDERS.panel)).rejects.toThrow('disk on fire');
    behaviour = async () => {
      throw new InklingError(PROBLEM);
    };
    const error = await ask('resolveTarget', { url: 'a' }, SENDERS.panel).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(PROBLEM.message);
    expect((error as Error).name).toBe('InklingError');
  });
});

describe('outcomeOf', () => {
  it('answers ok for an action that completes, the problem of an InklingError, and rethrows anything else', async () => {
    expect(await outcomeOf(async () => undefined)).toEqual({ ok: true, value: null });
    expect(
      await outcomeOf(async () => {
        throw new InklingError(PROBLEM);
      }),
    ).toEqual({ ok: false, problem: PROBLEM });
    await expect(
      outcomeOf(async () => {
        throw new TypeError('a bug');
      }),
    ).rejects.toThrow('a bug');
  });
});

describe('outcomeValue', () => {
  it('answers the value, an InklingError’s problem, or the problem `toProblem` names for anything else', async () => {
    const toProblem = vi.fn((error: unknown): Problem => ({
      source: 'inkling',
      kind: 'odd',
      message: String(error),
      retryable: true,
    }));
    expect(await outcomeValue(async () => 42, toProblem)).toEqual({ ok: true, value: 42 });
    expect(
      await outcomeValue(async () => {
        throw new InklingError(PROBLEM);
      }, toProblem),
    ).toEqual({ ok: false, problem: PROBLEM });
    expect(toProblem).not.toHaveBeenCalled();
    expect(
      await outcomeValue(async () => {
        throw new Error('boom');
      }, toProblem),
    ).toEqual({ ok: false, problem: { source: 'inkling', kind: 'odd', message: 'Error: boom', retryable: true } });
  });
});
