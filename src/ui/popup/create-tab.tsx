// Create (the seed app's flow): name the connection, say what it is, paste its link, "Next" —
// then write the prompt and generate. Also: the sample page and database, made for the user.
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../../messaging';
import type { Target } from '../../shared/notion-shapes';
import { DatabaseRun } from '../database-run';
import { runInitial } from '../../shared/run-options';
import { Field } from '../field';
import { PageRun } from '../page-run';
import { PagePicker } from './page-picker';

type Kind = 'page' | 'database';

/** A connection being resumed (or a sample just made): its saved state. */
export interface CreateInitial {
  connectionId: string;
  name: string;
  kind: Kind;
  url: string;
  prompt: string;
  options?: Record<string, unknown>;
  /** Look the link up at once, as if "Next" had been pressed. */
  resolve?: boolean;
}

export interface CreateTabProps {
  initial?: CreateInitial;
  /** Opens a connection in this view (after a sample is created). */
  onOpen?: (initial: CreateInitial) => void;
}

export function CreateTab({ initial, onOpen }: CreateTabProps) {
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<Kind>(initial?.kind ?? 'page');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [target, setTarget] = useState<Target | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [checking, setChecking] = useState(false);
  const [sample, setSample] = useState<Kind | null>(null);

  async function next(event?: Event) {
    event?.preventDefault();
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

  useEffect(() => {
    if (initial?.resolve) void next();
  }, []);

  return (
    <div class="create">
      <form onSubmit={next} noValidate>
        <Field label="Connection name" hint="How this shows in Connections, here and in your connections database.">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="text"
              value={name}
              aria-describedby={describedBy}
              placeholder="e.g. Blog drafts"
              onInput={(e) => setName(e.currentTarget.value)}
            />
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
          hint={
            kind === 'page'
              ? 'Open the page in Notion and copy its link (••• → Copy link).'
              : 'Open the database as a full page and copy its link.'
          }
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
          {!target && !sample && (
            <button type="button" class="button" onClick={() => setSample(kind)}>
              {kind === 'page' ? 'Create sample page' : 'Create sample database'}
            </button>
          )}
        </div>
      </form>

      {sample && (
        <PagePicker
          label="Parent page"
          hint={`Inkling creates the sample ${sample} inside this page, already connected.`}
          action={`Create the sample ${sample}`}
          onCancel={() => setSample(null)}
          onPick={async (parent) => {
            const outcome = await sendMessage('createSample', { kind: sample, parentPageId: parent.id });
            setSample(null);
            if (!outcome.ok) {
              setError(outcome.problem.message);
              return;
            }
            const { target: made, connectionId } = outcome.value;
            onOpen?.({
              connectionId,
              name: made.title,
              kind: made.kind,
              url: made.url,
              prompt: sample === 'page' ? 'Write me a blog on Notion in 100 words' : 'Translate the topic to Japanese',
              resolve: true,
            });
          }}
        />
      )}

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
              initialWebSearch={initial?.options?.webSearch === true}
            />
          )}
          {target.kind === 'database' && (
            <DatabaseRun
              key={target.id}
              target={target}
              connectionName={name.trim() || target.title}
              {...(initial?.connectionId ? { connectionId: initial.connectionId } : {})}
              initial={runInitial(initial?.prompt ?? '', initial?.options)}
            />
          )}
        </div>
      )}
    </div>
  );
}
