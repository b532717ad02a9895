// The one checked writer. Notion has no conditional or idempotent write, so a write whose outcome is
// unknown — a 5xx, a dropped connection, a timeout, a worker that died while it was in flight — is
// looked for in Notion before it is sent again: if it is there it is taken as done, and it is sent
// again only when it provably did not land. Block appends and row updates both go through here; each
// brings its own `check`, which reads Notion and compares what it finds with what the write meant.
import { APIResponseError } from '@notionhq/client';
import { InklingError } from '../shared/problem';
import { toNotionProblem } from './errors';
import { sleep } from '../shared/sleep';

/**
 * How long after a request was sent Notion may still apply it when no answer came back (the answer
 * was lost, the attempt was aborted, the worker died). Notion gives up on a request after about 60 s;
 * a write not found once this much time has passed since it was sent did not land.
 */
export const NOTION_LANDING_WINDOW_MS = 70_000;
/** While that window is open, a write not yet found is looked for again after these waits (then at the window's end). */
const LANDING_RECHECKS_MS = [1_000, 2_000, 4_000, 8_000, 16_000];
/** Sends of one write whose earlier sends provably did not land. */
export const WRITE_MAX_SENDS = 3;

/** What Notion holds, compared with what the write meant. */
export type WriteCheck<T> =
  /** The write is there: `value` is what sending it would have returned (ids, …). */
  | { state: 'landed'; value: T }
  /** Notion holds what was there before the write: it did not land (yet). */
  | { state: 'absent' }
  /** Notion holds something else: someone changed it. The caller decides what that means. */
  | { state: 'changed'; reason: string };

export type WriteOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface CheckedWrite<T> {
  /**
   * Sends the write. `dispatched` must be awaited the moment the request leaves for Notion (the
   * pacer's onDispatch): until then, a failure means it was never sent.
   */
  send(dispatched: () => Promise<void>): Promise<T>;
  check(): Promise<WriteCheck<T>>;
  /**
   * Told the time each send leaves for Notion, before it goes: the caller persists the intent, so that
   * a worker that dies while the request is in flight knows, when it wakes, to look before sending again.
   */
  sent?(at: number): Promise<void>;
  /** Called once a send is known not to have landed (Notion refused it, or it provably is not there): the intent can go. */
  notLanded?(): Promise<void>;
  /** A write picked up after a restart whose last send (at this time) has an unknown outcome. */
  sentAt?: number;
  signal?: AbortSignal;
  /** Tests shorten the landing window. */
  landingWindowMs?: number;
}

/** Failures after which the write may or may not have happened. */
export function isAmbiguous(error: unknown): boolean {
  const kind = toNotionProblem(error).kind;
  return kind === 'unavailable' || kind === 'network' || kind === 'timeout' || kind === 'aborted';
}

/**
 * Whether Notion's own answer settled the outcome: a 500 is Notion saying it failed the request. Any
 * other ambiguous failure — no answer (lost, aborted, timed out), or a gateway's (502, 503, 504) that
 * gave up waiting for Notion — leaves the request possibly still being applied, so it is looked for
 * until the landing window closes.
 */
function settledByAnswer(error: unknown): boolean {
  return APIResponseError.isAPIResponseError(error) && error.status === 500;
}

/**
 * Looks for a write sent at `sentAt`. With `settled`, one look decides; otherwise an absent write is
 * looked for again while Notion may still be applying it, and the look after the window decides.
 */
async function settle<T>(write: CheckedWrite<T>, sentAt: number, settled: boolean): Promise<WriteCheck<T>> {
  const windowMs = write.landingWindowMs ?? NOTION_LANDING_WINDOW_MS;
  let result = await write.check();
  if (settled || result.state !== 'absent') return result;
  for (const wait of [...LANDING_RECHECKS_MS, Number.POSITIVE_INFINITY]) {
    const closesIn = sentAt + windowMs - Date.now();
    if (closesIn <= 0) return result;
    await sleep(Math.min(wait, closesIn), write.signal);
    result = await write.check();
    if (result.state !== 'absent') return result;
  }
  return result;
}

/**
 * Looks for a write sent at `sentAt` whose outcome is unknown, without ever sending it again (Undo
 * after a Cancel or a worker that died): found, or provably absent once the landing window closed.
 */
export function lookForWrite<T>(
  write: Pick<CheckedWrite<T>, 'check' | 'signal' | 'landingWindowMs'>,
  sentAt: number,
): Promise<WriteCheck<T>> {
  return settle({ send: () => Promise.reject(new Error('not sent')), ...write }, sentAt, false);
}

/**
 * Sends a write exactly once as far as Notion is concerned. Resolves with the write's value (sent, or
 * found landed), or `{ok: false}` when Notion holds something else than before (someone changed it);
 * throws what a send threw when it was not ambiguous, or after WRITE_MAX_SENDS sends that provably did
 * not land, or when aborted.
 */
export async function writeOnce<T>(write: CheckedWrite<T>): Promise<WriteOutcome<T>> {
  if (write.sentAt !== undefined) {
    const found = await settle(write, write.sentAt, false);
    if (found.state === 'landed') return { ok: true, value: found.value };
    if (found.state === 'changed') return { ok: false, reason: found.reason };
    await write.notLanded?.();
  }
  for (let sends = 1; ; sends++) {
    write.signal?.throwIfAborted();
    let at: number | undefined;
    try {
      return {
        ok: true,
        value: await write.send(async () => {
          const when = Date.now();
          // An intent that could not be saved stops the send: it is not sent unrecorded.
          await write.sent?.(when);
          at = when;
        }),
      };
    } catch (error) {
      // Never sent (cancelled or failed while it waited its turn): nothing to look for.
      if (at === undefined) throw error;
      if (!isAmbiguous(error)) {
        await write.notLanded?.();
        throw error;
      }
      // Cancel while a write is in flight: what happened to it is found out when the run carries on.
      if (write.signal?.aborted) throw error;
      const found = await settle(write, at, settledByAnswer(error));
      if (found.state === 'landed') return { ok: true, value: found.value };
      if (found.state === 'changed') return { ok: false, reason: found.reason };
      await write.notLanded?.();
      if (sends >= WRITE_MAX_SENDS) throw error;
    }
  }
}

/** For callers that treat "someone changed it" as a stop: the outcome's value, or a conflict error. */
export function valueOrConflict<T>(outcome: WriteOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new InklingError({ source: 'notion', kind: 'conflict', message: outcome.reason, retryable: false });
}
