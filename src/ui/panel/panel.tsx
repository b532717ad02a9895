// The in-page panel on notion.so: a floating "Open Inkling" button and, when open, a side panel
// about the page or database in view.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { PanelResume } from '../../shared/connection';
import { DatabaseRun } from '../database-run';
import { runInitial } from '../../shared/run-options';
import { PageRun } from '../page-run';
import { useTarget, type TargetState } from './use-target';

/** What the background asks of the panel: the shortcut's toggle, or a connection resumed from the popup. */
export type PanelRequest = { kind: 'toggle' } | { kind: 'resume'; resume: PanelResume };

export interface PanelProps {
  /** Current location; the content script updates it on in-app navigation. */
  url: string;
  /** Subscribes to the background's requests; returns an unsubscribe. */
  onPanelRequest: (listener: (request: PanelRequest) => void) => () => void;
  /** The request the panel was loaded for, answered as it is first drawn. */
  opening?: PanelRequest;
}

export function Panel({ url, onPanelRequest, opening }: PanelProps) {
  const [open, setOpen] = useState(false);
  /** The connection being resumed here, with a key that starts its run view afresh each time. */
  const [resumed, setResumed] = useState<{ key: number; resume: PanelResume } | null>(null);
  const target = useTarget(url, open);
  const panel = useRef<HTMLElement>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  /** Where focus was before the panel opened (Notion's editor, say, when Alt+K opened it), to go back to. */
  const returnTo = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  /** Remembers what had focus (before the launcher vanishes and takes focus with it), then opens or closes. */
  const toggle = (next: boolean) => {
    if (next) {
      const active = document.activeElement;
      // Inside our shadow root the page sees only the host: then the launcher had focus.
      const fromPage = active instanceof HTMLElement && active !== document.body && active.tagName !== 'INKLING-PANEL';
      returnTo.current = fromPage ? active : null;
    }
    setOpen(next);
  };
  const isOpen = useRef(open);
  isOpen.current = open;
  const answer = (request: PanelRequest) => {
    if (request.kind === 'resume') {
      setResumed({ key: Date.now(), resume: request.resume });
      if (!isOpen.current) toggle(true);
    } else toggle(!isOpen.current);
  };
  // Listening from the first drawing on (a layout effect runs as the panel is drawn): a request sent
  // just after it was loaded is not missed.
  useLayoutEffect(() => {
    if (opening) answer(opening);
  }, []);
  useLayoutEffect(() => onPanelRequest(answer), [onPanelRequest]);

  // Focus goes into the panel as it opens, and back where it came from as it closes.
  useLayoutEffect(() => {
    if (open && !wasOpen.current) {
      panel.current?.focus();
    } else if (!open && wasOpen.current) {
      const back = returnTo.current;
      if (back?.isConnected) back.focus();
      else launcher.current?.focus();
    }
    wasOpen.current = open;
  }, [open]);

  // A control that had focus can vanish (Generate becomes "Counting rows…", Undo goes once done): then
  // focus would fall to the page, where the next Tab or Escape does not reach the panel. It goes to the
  // panel instead.
  useEffect(() => {
    const aside = panel.current;
    if (!open || !aside) return undefined;
    let inside = true;
    const onIn = () => (inside = true);
    const onOut = (event: FocusEvent) => {
      if (event.relatedTarget instanceof Node && !aside.contains(event.relatedTarget)) inside = false;
    };
    const root = aside.getRootNode() as ShadowRoot | Document;
    const observer = new MutationObserver(() => {
      if (inside && !root.activeElement && document.activeElement === document.body) aside.focus();
    });
    aside.addEventListener('focusin', onIn);
    aside.addEventListener('focusout', onOut);
    observer.observe(aside, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
    return () => {
      observer.disconnect();
      aside.removeEventListener('focusin', onIn);
      aside.removeEventListener('focusout', onOut);
    };
  }, [open]);

  if (!open) {
    return (
      <button
        ref={launcher}
        type="button"
        class="ink-launcher"
        aria-label="Open Inkling"
        title="Open Inkling (Alt+K)"
        onClick={() => toggle(true)}
      >
        <span aria-hidden="true">✦</span>
      </button>
    );
  }
  // A resumed connection applies on its own page or database only.
  const resumedHere =
    resumed && target.status === 'ready' && target.target.id === resumed.resume.targetId ? resumed : null;
  return (
    <aside
      ref={panel}
      class="ink-panel"
      aria-label="Inkling"
      tabIndex={-1}
      // Escape closes the panel, unless a control inside used it (a list of suggestions, say).
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !event.defaultPrevented) toggle(false);
      }}
    >
      <header class="ink-panel__header">
        <h2 class="brand">Inkling</h2>
        <button type="button" class="ink-icon-button" aria-label="Close Inkling" onClick={() => toggle(false)}>
          ×
        </button>
      </header>
      <section class="ink-panel__body">
        <TargetSummary state={target} />
        {target.status === 'ready' && target.target.kind === 'page' && (
          <PageRun
            key={`${target.target.id}:${resumedHere?.key ?? ''}`}
            pageId={target.target.id}
            pageTitle={target.target.title}
            {...(resumedHere
              ? {
                  connectionId: resumedHere.resume.id,
                  connectionName: resumedHere.resume.name,
                  initialPrompt: resumedHere.resume.prompt,
                  initialWebSearch: resumedHere.resume.options?.webSearch === true,
                }
              : {})}
          />
        )}
        {target.status === 'ready' && target.target.kind === 'database' && (
          <DatabaseRun
            key={`${target.target.id}:${resumedHere?.key ?? ''}`}
            target={target.target}
            {...(resumedHere
              ? {
                  connectionId: resumedHere.resume.id,
                  connectionName: resumedHere.resume.name,
                  initial: runInitial(resumedHere.resume.prompt, resumedHere.resume.options),
                }
              : {})}
          />
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
