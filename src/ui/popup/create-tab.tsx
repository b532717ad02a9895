// Create (the seed app's flow): name the connection, say what it is, paste its link, "Next" —
// then write the prompt and generate.
import { useState } from 'preact/hooks';
import { sendMessage } from '../../messaging';
import type { Target } from '../../notion/target';
import { Field } from '../field';
import { DatabaseRun } from '../database-run';
import { PageRun } from '../page-run';

type Kind = 'page' | 'database';

export interface CreateTabProps {
  /** When a connection is resumed: its saved state. */
  initial?: { connectionId: string; name: string; kind: Kind; url: string; prompt: string };
}

export function CreateTab({ initial }: CreateTabProps) {
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<Kind>(initial?.kind ?? 'page');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [target, setTarget] = useState<Target | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [checking, setChecking] = useState(false);

  async function next(event: Event) {
    event.preventDefault();
    setError('');
    setNote('');
    setTarget(null);
    if (!url.trim()) {
      setError('Paste the link of a Notion page or database.');
      return;
    }
    setChecking(true);
    try {
      const outcome = await sendMessage('resolveTarget', { url });
      if (!outcome.ok) {
        setError(outcome.problem.message);
        return;
      }
      if (outcome.value.kind !== kind) {
        setKind(outcome.value.kind);
        setNote(`This link is a ${outcome.value.kind}, so the type is now “Notion ${outcome.value.kind}”.`);
      }
      setTarget(outcome.value);
      if (!name.trim()) setName(outcome.value.title);
    } finally {
      setChecking(false);
    }
  }

  return (
    <div class="create">
      <form onSubmit={next} noValidate>
        <Field label="Connection name" hint="How this shows in Connections, here and in your connections database.">
          {({ id, describedBy }) => (
            <input id={id} type="text" value={name} aria-describedby={describedBy} placeholder="e.g. Blog drafts" onInput={(e) => setName(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Type">
          {({ id }) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
              <option value="page">Notion page</option>
              <option value="database">Notion database</option>
            </select>
          )}
        </Field>
        <Field
          label="Notion URL"
          hint={kind === 'page' ? 'Open the page in Notion and copy its link (••• → Copy link).' : 'Open the database as a full page and copy its link.'}
          error={error || undefined}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="url"
              spellcheck={false}
              value={url}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              placeholder="https://www.notion.so/…"
              onInput={(e) => {
                setUrl(e.currentTarget.value);
                setTarget(null);
              }}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button" disabled={checking}>
            {checking ? 'Checking…' : 'Next'}
          </button>
        </div>
      </form>

      {note && <p class="muted">{note}</p>}
      {target && (
        <div class="create__target">
          <p class="ink-target" data-testid="target" data-kind={target.kind}>
            <span class="ink-target__kind">{target.kind === 'page' ? 'Page' : 'Database'}</span>
            <span class="ink-target__title">{target.title}</span>
          </p>
          {target.kind === 'page' && (
            <PageRun
              key={target.id}
              pageId={target.id}
              pageTitle={target.title}
              connectionName={name.trim() || target.title}
              {...(initial?.connectionId ? { connectionId: initial.connectionId } : {})}
              {...(initial?.prompt ? { initialPrompt: initial.prompt } : {})}
            />
          )}
          {target.kind === 'database' && (
            <DatabaseRun
              key={target.id}
              target={target}
              connectionName={name.trim() || target.title}
              {...(initial?.connectionId ? { connectionId: initial.connectionId } : {})}
              {...(initial?.prompt ? { initial: { template: initial.prompt } } : {})}
            />
          )}
        </div>
      )}
    </div>
  );
}
