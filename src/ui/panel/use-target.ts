// The panel's view of "what am I looking at": the current Notion URL resolved by the background,
// re-resolved when in-app navigation changes the page or database.
import { useEffect, useState } from 'preact/hooks';
import type { Problem } from '../../shared/problem';
import { sendMessage } from '../../messaging';
import type { Target } from '../../shared/notion-shapes';
import { linkKey, parseNotionLink } from '../../shared/notion-url';

export type TargetState =
  | { status: 'none' }
  | { status: 'loading'; key: string }
  | { status: 'ready'; key: string; target: Target }
  | { status: 'failed'; key: string; problem: Problem };

export function useTarget(url: string, active: boolean): TargetState {
  const key = linkKey(parseNotionLink(url));
  const [state, setState] = useState<TargetState>({ status: 'none' });

  useEffect(() => {
    if (!key) {
      setState({ status: 'none' });
      return;
    }
    if (!active || ('key' in state && state.key === key && state.status !== 'failed')) return;
    let live = true;
    setState({ status: 'loading', key });
    sendMessage('resolveTarget', { url })
      .then((outcome) => {
        if (!live) return;
        setState(
          outcome.ok
            ? { status: 'ready', key, target: outcome.value }
            : { status: 'failed', key, problem: outcome.problem },
        );
      })
      .catch((error: unknown) => {
        if (!live) return;
        const message = error instanceof Error ? error.message : String(error);
        setState({ status: 'failed', key, problem: { source: 'inkling', kind: 'internal', message, retryable: true } });
      });
    return () => {
      live = false;
    };
  }, [key, active]);

  return state;
}
