// The in-page panel on notion.so: a floating "Open Inkling" button and, when open, a side panel
// about the page or database in view.
import { useEffect, useState } from 'preact/hooks';
import { DatabaseRun } from '../database-run';
import { PageRun } from '../page-run';
import { useTarget, type TargetState } from './use-target';

export interface PanelProps {
  /** Current location; the content script updates it on in-app navigation. */
  url: string;
  /** Subscribes to the shortcut's toggle; returns an unsubscribe. */
  onToggleRequest: (toggle: () => void) => () => void;
}

export function Panel({ url, onToggleRequest }: PanelProps) {
  const [open, setOpen] = useState(false);
  const target = useTarget(url, open);
  useEffect(() => onToggleRequest(() => setOpen((o) => !o)), [onToggleRequest]);

  if (!open) {
    return (
      <button
        type="button"
        class="ink-launcher"
        aria-label="Open Inkling"
        title="Open Inkling (Alt+K)"
        onClick={() => setOpen(true)}
      >
        <span aria-hidden="true">✦</span>
      </button>
    );
  }
  return (
    <aside class="ink-panel" aria-label="Inkling">
      <header class="ink-panel__header">
        <span class="brand">Inkling</span>
        <button type="button" class="ink-icon-button" aria-label="Close Inkling" onClick={() => setOpen(false)}>
          ×
        </button>
      </header>
      <section class="ink-panel__body">
        <TargetSummary state={target} />
        {target.status === 'ready' && target.target.kind === 'page' && (
          <PageRun key={target.target.id} pageId={target.target.id} pageTitle={target.target.title} />
        )}
        {target.status === 'ready' && target.target.kind === 'database' && (
          <DatabaseRun key={target.target.id} target={target.target} />
        )}
      </section>
    </aside>
  );
}

function TargetSummary({ state }: { state: TargetState }) {
  switch (state.status) {
    case 'none':
      return (
        <p class="muted" data-testid="target">
          Open a Notion page or database to generate into it.
        </p>
      );
    case 'loading':
      return (
        <p class="muted" data-testid="target">
          Looking this up in Notion…
        </p>
      );
    case 'failed':
      return (
        <p class="ink-problem" role="alert" data-testid="target">
          {state.problem.message}
        </p>
      );
    case 'ready': {
      const { target } = state;
      return (
        <div class="ink-target" data-testid="target" data-kind={target.kind}>
          <span class="ink-target__kind">{target.kind === 'page' ? 'Page' : 'Database'}</span>
          <span class="ink-target__title">{target.title}</span>
          {target.kind === 'database' && <span class="muted"> · {target.properties.length} properties</span>}
        </div>
      );
    }
  }
}
