// Generate into a page: the prompt, where the answer goes, the streamed answer, progress, Undo.
// Shared by the panel on notion.so and the Create tab. The answer is shown as text, never as HTML.
import { useRef, useState } from 'preact/hooks';
import { undoableUntil, type Job, type PageJob } from '../shared/job';
import { sendMessage } from '../messaging';
import { Field } from './field';
import { count, formatDate, formatNumber, formatUsage } from '../shared/format';
import { useTargetJob } from './use-target-job';
import { focusOnMount } from './focus';
import { useEngineAbilities } from './use-engine-abilities';
import { WebSearchOption } from './web-search-option';

export interface PageRunProps {
  pageId: string;
  pageTitle: string;
  connectionId?: string;
  connectionName?: string;
  initialPrompt?: string;
  /** The connection searched the web last time. */
  initialWebSearch?: boolean;
}

type Mode = 'append' | 'replace';

export function PageRun({
  pageId,
  pageTitle,
  connectionId,
  connectionName,
  initialPrompt = '',
  initialWebSearch = false,
}: PageRunProps) {
  const { job: anyJob, streamed } = useTargetJob(pageId);
  const job = anyJob?.kind === 'page' ? (anyJob as PageJob) : null;
  const [prompt, setPrompt] = useState(initialPrompt);
  const [useContext, setUseContext] = useState(false);
  const [allowImages, setAllowImages] = useState(false);
  const [webSearch, setWebSearch] = useState(initialWebSearch);
  const abilities = useEngineAbilities();
  const [mode, setMode] = useState<Mode>('append');
  const [confirming, setConfirming] = useState(false);
  const [budgetWarning, setBudgetWarning] = useState('');
  const [error, setError] = useState('');
  const [busyJob, setBusyJob] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);

  const running = job?.status === 'running';
  const undoing = job?.status === 'undoing';

  async function generate(confirmed = false, overBudgetOk = false) {
    setError('');
    setBusyJob(undefined);
    setBudgetWarning('');
    if (!prompt.trim()) {
      setError('Write a prompt first.');
      return;
    }
    if (mode === 'replace' && !confirmed) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    setBusy(true);
    try {
      const outcome = await sendMessage('startPageRun', {
        pageId,
        prompt,
        useContext,
        mode,
        ...(connectionId ? { connectionId } : {}),
        ...(connectionName ? { connectionName } : {}),
        ...(overBudgetOk ? { overBudgetOk } : {}),
        ...(webSearch && abilities?.webSearch ? { webSearch: true } : {}),
        ...(allowImages ? { allowImages } : {}),
      });
      if (!outcome.ok && outcome.problem.kind === 'budget_confirm') setBudgetWarning(outcome.problem.message);
      else if (!outcome.ok) {
        setError(outcome.problem.message);
        setBusyJob(outcome.problem.jobId);
      }
    } finally {
      setBusy(false);
    }
  }

  async function act(kind: 'cancelJob' | 'undoJob' | 'retryJob') {
    if (!job) return;
    setError('');
    const outcome = await sendMessage(kind, { jobId: job.id });
    if (outcome && !outcome.ok) setError(outcome.problem.message);
  }

  const answer = running && job?.phase === 'generating' ? streamed || job.partial || '' : (job?.answer ?? '');
  const canUndo =
    job &&
    !running &&
    !undoing &&
    job.status !== 'undone' &&
    (job.createdIds.length > 0 || (job.replaced?.removedIds.length ?? 0) > 0);

  return (
    <div class="page-run">
      <Field label="Prompt" hint="Ctrl+Enter (⌘+Enter) generates.">
        {({ id, describedBy }) => (
          <textarea
            id={id}
            rows={4}
            value={prompt}
            aria-describedby={describedBy}
            placeholder={`What should Inkling write into “${pageTitle}”?`}
            onInput={(e) => setPrompt(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !running) {
                e.preventDefault();
                void generate();
              }
            }}
          />
        )}
      </Field>
      <label class="check">
        <input type="checkbox" checked={useContext} onChange={(e) => setUseContext(e.currentTarget.checked)} /> Use page
        content as context
      </label>
      <label class="check">
        <input type="checkbox" checked={allowImages} onChange={(e) => setAllowImages(e.currentTarget.checked)} /> Let
        the answer add images from the web
      </label>
      <WebSearchOption abilities={abilities} checked={webSearch} onChange={setWebSearch} kind="page" />
      <fieldset class="choices">
        <legend>Where the answer goes</legend>
        <label class="check">
          <input type="radio" name={`mode-${pageId}`} checked={mode === 'append'} onChange={() => setMode('append')} />{' '}
          At the end of the page
        </label>
        <label class="check">
          <input
            type="radio"
            name={`mode-${pageId}`}
            checked={mode === 'replace'}
            onChange={() => setMode('replace')}
          />{' '}
          Replace the page’s content
        </label>
      </fieldset>

      {confirming ? (
        <div class="confirm" role="alertdialog" aria-label="Replace the page’s content">
          <p>This moves what is on “{pageTitle}” to the trash and writes the answer in its place. Undo puts it back.</p>
          <div class="actions">
            <button type="button" class="button button--danger" onClick={() => generate(true)}>
              Replace content
            </button>
            <button ref={focusOnMount} type="button" class="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          {running ? (
            <button type="button" class="button" onClick={() => act('cancelJob')}>
              Stop
            </button>
          ) : (
            <button type="button" class="button button--primary" disabled={busy || undoing} onClick={() => generate()}>
              Generate
            </button>
          )}
          {canUndo && (
            <button type="button" class="button" onClick={() => act('undoJob')}>
              Undo
            </button>
          )}
          {job && (job.status === 'failed' || job.status === 'cancelled') && job.answer && (
            <button type="button" class="button" onClick={() => act('retryJob')}>
              Write it again
            </button>
          )}
          {job?.status === 'paused' && (
            <button type="button" class="button" onClick={() => act('retryJob')}>
              Resume
            </button>
          )}
        </div>
      )}

      {budgetWarning && (
        <div class="confirm" role="alertdialog" aria-label="Monthly budget">
          <p>{budgetWarning}</p>
          <div class="actions">
            <button type="button" class="button button--danger" onClick={() => generate(true, true)}>
              Generate anyway
            </button>
            <button type="button" class="button" onClick={() => setBudgetWarning('')}>
              Not now
            </button>
          </div>
        </div>
      )}
      {error && (
        <div class="ink-problem" role="alert">
          <p>{error}</p>
          {busyJob && <ShowRunButton target={statusRef} />}
        </div>
      )}
      <div ref={statusRef} tabIndex={-1}>
        {job && <RunStatus job={job} />}
      </div>
      {canUndo && <UndoUntil job={job} />}
      {job?.contextNote && <p class="muted">{job.contextNote}</p>}
      {answer && (
        <section class="preview" aria-label="Answer">
          {answer}
        </section>
      )}
    </div>
  );
}

/** How long a finished run can still be undone (it is removed after that). */
export function UndoUntil({ job }: { job: Job }) {
  const until = formatDate(undoableUntil(job));
  return (
    <p class="muted" data-testid="undo-until">
      You can undo this run until {until}; then Inkling forgets it.
    </p>
  );
}

/** For a run already going on the target: brings its status into view. */
export function ShowRunButton({ target }: { target: { current: HTMLElement | null } }) {
  return (
    <button
      type="button"
      class="button"
      onClick={() => {
        target.current?.scrollIntoView({ block: 'nearest' });
        target.current?.focus();
      }}
    >
      Show the run
    </button>
  );
}

function RunStatus({ job }: { job: PageJob }) {
  const usage = job.usage.calls > 0 ? ` ${formatUsage(job.usage, job.usage.costUsd === 0)}` : '';
  let text: string;
  switch (job.status) {
    case 'running':
      text =
        job.phase === 'generating'
          ? 'Writing the answer…'
          : job.phase === 'clearing'
            ? 'Moving the page’s content to the trash…'
            : `Adding it to the page… ${job.progress ? `${formatNumber(job.progress.done)} of ${count(job.progress.total, 'block')}` : ''}`;
      break;
    case 'done':
      text = job.problem
        ? job.problem.message
        : `Done: ${count(job.createdIds.length, 'block')} added to the page${job.requests ? ` in ${count(job.requests, 'request')}` : ''}.`;
      break;
    case 'failed':
      text = job.problem?.message ?? 'The run failed.';
      break;
    case 'cancelled':
      text =
        job.createdIds.length > 0
          ? `Stopped. ${count(job.createdIds.length, 'block')} written; Undo removes ${job.createdIds.length === 1 ? 'it' : 'them'}.`
          : 'Stopped.';
      break;
    case 'undoing':
      text = `Undoing… removing ${count(job.createdIds.length, 'block')} (about ${formatNumber(Math.ceil(job.createdIds.length / 3))} s at Notion’s rate).`;
      break;
    case 'undone':
      text = job.keptOnUndo
        ? `Undone, except ${formatNumber(job.keptOnUndo)} ${job.keptOnUndo === 1 ? 'block' : 'blocks'} changed in Notion since the run: ${job.keptOnUndo === 1 ? 'it stays' : 'they stay'}.`
        : 'Undone: the page is as it was.';
      break;
    case 'paused':
      text = job.problem?.message ?? 'Paused.';
      break;
  }
  const failed = job.status === 'failed' || (job.status === 'done' && job.problem);
  return (
    <p
      class={failed ? 'ink-problem' : 'status'}
      role={failed ? 'alert' : 'status'}
      data-testid="run-status"
      data-status={job.status}
    >
      {text}
      {usage && <span class="muted"> ·{usage}</span>}
    </p>
  );
}
