// The requests a form sends to the background one at a time (Preview, the estimate, Start): which one
// is going, the problem it answered, and Cancel for those the background can stop (stopRequest).
import { useRef, useState } from 'preact/hooks';
import { sendMessage } from '../messaging';

type Answer<T> = { ok: true; value: T } | { ok: false; problem: { kind: string; message: string; jobId?: string } };

export function useRequests<Kind extends string>() {
  const [busy, setBusy] = useState<'' | Kind>('');
  const [error, setError] = useState('');
  // What a stopped request says: not an error, since the person asked for it.
  const [stopped, setStopped] = useState('');
  // The run a "busy" problem is about, which the screen offers to show.
  const [busyJob, setBusyJob] = useState<string | undefined>();
  // The request Cancel stops, while one that can be stopped is going.
  const requestId = useRef<string | undefined>(undefined);

  /** Sends one request: its value, or undefined with its problem (or its stop) shown. */
  async function run<T>(kind: Kind, action: () => Promise<Answer<T>>): Promise<T | undefined> {
    setError('');
    setStopped('');
    setBusyJob(undefined);
    setBusy(kind);
    try {
      const outcome = await action();
      if (outcome.ok) return outcome.value;
      if (outcome.problem.kind === 'stopped') setStopped(outcome.problem.message);
      else {
        setError(outcome.problem.message);
        setBusyJob(outcome.problem.jobId);
      }
      return undefined;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return undefined;
    } finally {
      requestId.current = undefined;
      setBusy('');
    }
  }

  /** The request's data with the id Cancel will name. */
  function stoppable<S extends object>(data: S): S & { requestId: string } {
    requestId.current = crypto.randomUUID();
    return { ...data, requestId: requestId.current };
  }

  /** Cancel: stops the stoppable request going, if any. */
  function stop(): void {
    if (requestId.current) void sendMessage('stopRequest', { requestId: requestId.current });
  }

  return { busy, error, stopped, busyJob, run, stoppable, stop };
}
