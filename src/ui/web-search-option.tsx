// "Use web search", offered where the saved engine can search the web; elsewhere a line that says
// which engines can, so nobody looks for it in vain.
import type { EngineAbilities } from '../messaging';
import { useId } from 'preact/hooks';

export const NO_WEB_SEARCH_HINT =
  'Web search needs GPT (OpenAI) or Gemini as the AI engine (Settings); this engine answers from what it knows.';

/** What searching does to each kind of run. */
const HINTS = {
  page: 'The model looks things up on the web as it writes; the pages it cites follow the answer under “Sources”. Each search is charged by the provider.',
  database:
    'The model looks each row up on the web before it answers (one row a call); each search is charged by the provider.',
};

export function WebSearchOption({
  abilities,
  checked,
  onChange,
  kind,
}: {
  abilities: EngineAbilities | undefined;
  checked: boolean;
  onChange: (on: boolean) => void;
  kind: keyof typeof HINTS;
}) {
  const hintId = useId();
  if (!abilities) return null;
  if (!abilities.webSearch)
    return (
      <p class="muted" data-testid="no-web-search">
        {NO_WEB_SEARCH_HINT}
      </p>
    );
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={checked}
          aria-describedby={hintId}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />{' '}
        Use web search
      </label>
      <p class="muted" id={hintId}>
        {HINTS[kind]}
      </p>
    </>
  );
}
