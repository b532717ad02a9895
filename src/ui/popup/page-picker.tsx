// Picks a Notion page the integration can reach, by searching titles (Notion's search only finds
// what is shared with the integration).
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../../messaging';
import { type PageChoice } from '../../shared/intents';
import { Field } from '../field';

export interface PagePickerProps {
  label: string;
  hint: string;
  action: string;
  onPick(page: PageChoice): Promise<void> | void;
  onCancel(): void;
}

export function PagePicker({ label, hint, action, onPick, onCancel }: PagePickerProps) {
  const [query, setQuery] = useState('');
  const [pages, setPages] = useState<PageChoice[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void sendMessage('searchPages', { query }).then((outcome) => {
        if (!live) return;
        if (outcome.ok) {
          setPages(outcome.value);
          setError('');
        } else setError(outcome.problem.message);
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  return (
    <div class="picker" role="group" aria-label={label}>
      <Field label={label} hint={hint} error={error || undefined}>
        {({ id, describedBy }) => (
          <input
            id={id}
            type="search"
            value={query}
            aria-describedby={describedBy}
            placeholder="Search page titles…"
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        )}
      </Field>
      {pages && pages.length === 0 && (
        <p class="muted">No page found. Share a page with your integration (••• → Connections) and search again.</p>
      )}
      <ul class="picker__list">
        {(pages ?? []).map((page) => (
          <li key={page.id}>
            <button
              type="button"
              class="button picker__choice"
              disabled={busy}
              aria-label={`${action} under ${page.title}`}
              onClick={async () => {
                setBusy(true);
                try {
                  await onPick(page);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {page.title}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="button" onClick={onCancel}>
        Back
      </button>
    </div>
  );
}
