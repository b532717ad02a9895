// What the saved engine can do beyond answering, asked of the background once per screen (the panel
// cannot read settings itself): the run options a screen offers, such as "Use web search", follow it.
import { useEffect, useState } from 'preact/hooks';
import { sendMessage, type EngineAbilities } from '../messaging';

/** The saved engine's abilities; undefined until the background answers. */
export function useEngineAbilities(): EngineAbilities | undefined {
  const [abilities, setAbilities] = useState<EngineAbilities | undefined>();
  useEffect(() => {
    let live = true;
    void sendMessage('engineAbilities', undefined).then(
      (answer) => live && setAbilities(answer),
      () => undefined,
    );
    return () => void (live = false);
  }, []);
  return abilities;
}
