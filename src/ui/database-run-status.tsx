// A database run as it goes and after: Preview's answers, progress with the ETA, tokens and cost,
// failures with Retry failed, and Undo run. Model answers are shown as text, never as HTML.
import { useEffect, useState } from 'preact/hooks';
import type { DatabaseJob } from '../shared/job';
import type { PreviewRow } from '../shared/run-preview';
import { formatNumber, formatTime, formatUsage } from '../shared/format';
import { sendMessage } from '../messaging';
import { UndoUntil } from './page-run';
import { siteOf } from '../shared/sources';

export function PreviewList({ rows }: { rows: PreviewRow[] }) {
  if (rows.length === 0) return <p class="muted">No rows match; nothing to preview.</p>;
  return (
    <section class="preview-rows" aria-label="Preview">
      <p class="muted">Preview of the first {rows.length} rows — nothing was written.</p>
      {rows.map((row) => (
        <div key={row.id} class="preview-row" data-testid="preview-row">
          <strong>{row.title}</strong>
          {Object.entries(row.outputs).map(([name, value]) => (
            <div key={name}>
              <span class="muted">
                {row.steps?.[name] ? `Step ${row.steps[name]} · ` : ''}
                {name}:{' '}
              </span>
              <span class="preview-value">{value}</span>
            </div>
          ))}
          {row.sources && (
            <div data-testid="preview-sources">
              <span class="muted">Sources: </span>
              <span class="preview-value">
                {row.sources.length === 0
                  ? 'none (the model did not search)'
                  : row.sources.map((source) => `${source.title} (${siteOf(source)})`).join(' · ')}
              </span>
            </div>
          )}
          {row.reason && <p class="ink-problem">{row.reason}</p>}
        </div>
      ))}
    </section>
  );
}

/** Rows the run has not read yet: the estimate's count beyond those read so far (0 once every row is read). */
function unread(job: DatabaseJob): number {
  return job.readFrom && job.expectedRows !== undefined ? Math.max(0, job.expectedRows - job.counts.total) : 0;
}

function etaText(job: DatabaseJob): string {
  const done = job.counts.written + job.counts.failed + job.counts.skipped;
  const left = job.counts.pending + job.counts.generated + unread(job);
  if (!job.runningSince || done === 0 || left === 0) return '';
  const perRow = (Date.now() - job.runningSince) / done;
  const seconds = Math.round((perRow * left) / 1000);
  return seconds < 90 ? ` · about ${seconds} s left` : ` · about ${Math.round(seconds / 60)} min left`;
}

export function DatabaseRunStatus({ job }: { job: DatabaseJob }) {
  const [failures, setFailures] = useState<Array<{ id: string; title: string; reason?: string }>>([]);
  const [error, setError] = useState('');
  const { counts } = job;
  const finished = counts.written + counts.failed + counts.skipped + counts.undone;
  const left = counts.pending + counts.generated + unread(job);
  const undoable =
    job.status !== 'running' && job.status !== 'undoing' && job.status !== 'undone' && counts.written > 0;

  useEffect(() => {
    if (job.status === 'running' || counts.failed === 0) {
      setFailures([]);
      return;
    }
    void sendMessage('jobRows', { jobId: job.id, state: 'failed' }).then((o) => o.ok && setFailures(o.value));
  }, [job.id, job.status, counts.failed]);

  const act = async (kind: 'cancelJob' | 'undoJob' | 'retryJob') => {
    setError('');
    const outcome = await sendMessage(kind, { jobId: job.id });
    if (outcome && !outcome.ok) setError(outcome.problem.message);
  };

  const summary = `${formatNumber(counts.written)} written · ${formatNumber(counts.failed)} failed · ${formatNumber(counts.skipped)} skipped · ${formatNumber(left)} left${job.status === 'running' ? etaText(job) : ''}`;
  const headline: Record<DatabaseJob['status'], string> = {
    running: 'Running…',
    paused: 'Paused.',
    done: 'Done.',
    failed: 'Stopped.',
    cancelled: 'Cancelled. Rows already written stay written; Undo run puts them back.',
    undoing: 'Undoing the run…',
    undone: job.keptOnUndo
      ? `Undone, except ${formatNumber(job.keptOnUndo)} ${job.keptOnUndo === 1 ? 'cell' : 'cells'} changed in Notion since the run: ${job.keptOnUndo === 1 ? 'it stays' : 'they stay'} as edited.`
      : 'Undone: every changed cell is back to what it was.',
  };
  // A batch being answered is no problem: the run waits for it, and looks again by itself.
  const batchWaiting = job.status === 'paused' && job.problem?.kind === 'batch_waiting';
  if (batchWaiting) headline.paused = 'Waiting for the batch.';
  const problem = job.problem?.message;
  const pausedUntil =
    job.status === 'paused' && job.resumeAt ? ` Inkling carries on by itself at ${formatTime(job.resumeAt)}.` : '';

  return (
    <section class="run-status" aria-label="Run">
      <p
        class={problem && job.status !== 'done' && !batchWaiting ? 'ink-problem' : 'status'}
        role={problem && !batchWaiting ? 'alert' : 'status'}
        data-testid="run-status"
        data-status={job.status}
      >
        {headline[job.status]} {problem}
        {pausedUntil}
      </p>
      <progress max={Math.max(1, counts.total + unread(job))} value={finished} aria-label="Run progress" />
      <p class="muted" data-testid="run-counts">
        {summary}
      </p>
      {job.usage.calls > 0 && <p class="muted">{formatUsage(job.usage, job.usage.costUsd === 0)}</p>}
      <div class="actions">
        {(job.status === 'running' || job.status === 'paused') && (
          <button type="button" class="button" onClick={() => act('cancelJob')}>
            Cancel
          </button>
        )}
        {(job.status === 'paused' ||
          ((job.status === 'done' || job.status === 'failed' || job.status === 'cancelled') &&
            (counts.failed > 0 || left > 0))) && (
          <button type="button" class="button" onClick={() => act('retryJob')}>
            {counts.failed > 0 && job.status !== 'paused' ? 'Retry failed' : 'Resume'}
          </button>
        )}
        {undoable && (
          <button type="button" class="button" onClick={() => act('undoJob')}>
            Undo run
          </button>
        )}
      </div>
      {undoable && <UndoUntil job={job} />}
      {error && (
        <p class="ink-problem" role="alert">
          {error}
        </p>
      )}
      {failures.length > 0 && (
        <ul class="failures" aria-label="Failed rows">
          {failures.map((f) => (
            <li key={f.id}>
              <strong>{f.title}</strong>: {f.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
