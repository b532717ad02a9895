// The models the chosen provider reports, for the Model field's suggestions. Asked of the
// background (which holds the saved key) whenever the engine, key or address settles.
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../../messaging';
import type { EngineId } from '../../shared/engines';

export type ModelList =
  { status: 'idle' | 'loading' } | { status: 'ready'; models: string[] } | { status: 'failed'; message: string };

/** Typing pauses this long before the provider is asked. */
const SETTLE_MS = 400;

export function useModelList(engine: EngineId, apiKey: string, baseUrl: string, refreshKey: unknown): ModelList {
  const [list, setList] = useState<ModelList>({ status: 'idle' });
  useEffect(() => {
    let live = true;
    setList({ status: 'loading' });
    const timer = setTimeout(() => {
      sendMessage('listModels', {
        engine,
        ...(apiKey.trim() ? { apiKey } : {}),
        ...(baseUrl.trim() ? { baseUrl } : {}),
      })
        .then((outcome) => {
          if (!live) return;
          setList(
            outcome.ok
              ? { status: 'ready', models: outcome.value }
              : { status: 'failed', message: outcome.problem.message },
          );
        })
        .catch((error: unknown) => live && setList({ status: 'failed', message: String(error) }));
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [engine, apiKey, baseUrl, refreshKey]);
  return list;
}
