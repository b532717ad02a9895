// Requests a person can stop before they answer (Preview, counting a run's rows): each runs with its
// own abort signal, found again by the id the screen gave it, so that its Cancel cuts the model call
// and the Notion reads in flight. Runs have their own Cancel (jobs/runner.ts); these are not runs.
import { InklingError, type Problem } from '../shared/problem';

const going = new Map<string, AbortController>();

/** What a stopped request answers: said quietly by the screen, since the person asked for it. */
export const STOPPED_PROBLEM: Problem = {
  source: 'inkling',
  kind: 'stopped',
  message: 'Stopped. Nothing was written.',
  retryable: false,
};

/**
 * Runs `action` with a signal that `stopRequest(requestId)` aborts; once aborted, whatever the action
 * threw on the way out becomes the `stopped` problem. Without an id the request cannot be stopped.
 */
export async function stoppable<T>(
  requestId: string | undefined,
  action: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  if (requestId) going.set(requestId, controller);
  try {
    const value = await action(controller.signal);
    if (controller.signal.aborted) throw new InklingError(STOPPED_PROBLEM);
    return value;
  } catch (error) {
    if (controller.signal.aborted) throw new InklingError(STOPPED_PROBLEM, { cause: error });
    throw error;
  } finally {
    if (requestId) going.delete(requestId);
  }
}

/** Stops the request with this id, if it is still going (a late Cancel does nothing). */
export function stopRequest(requestId: string): void {
  going.get(requestId)?.abort();
}
