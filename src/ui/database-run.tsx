// Generate into a database: the rows, the prompt template, the output columns, Preview, the
// estimate before a run, progress while it runs, then failures, Retry failed and Undo run.
// Shared by the panel and the Create tab. Model answers are shown as text, never as HTML.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PreviewRow, RunEstimate, DatabaseJob } from '../shared/job';
import { formatCost, formatNumber, formatUsage } from '../shared/format';
import { sendMessage } from '../messaging';
import { type DatabaseRunSetup, type RowView } from '../shared/intents';
import { isWritableOutput, type DatabaseTarget, type PropertyInfo, type RowSelection } from '../shared/notion-shapes';
import { Field } from './field';
import { ShowRunButton, UndoUntil } from './page-run';
import { TemplatePromptField } from './prompt-field';
import { useTargetJob } from './use-target-job';

export interface DatabaseRunProps {
  target: DatabaseTarget;
  connectionId?: string;
  connectionName?: string;
  initial?: Partial<
    Pick<DatabaseRunSetup, 'template' | 'outputs' | 'selection' | 'checkboxId' | 'overwrite' | 'untick'>
  >;
}

/** The checkbox people tick to pick rows: the seed template's "Generate", else the first checkbox. */
function defaultCheckbox(properties: readonly PropertyInfo[]): PropertyInfo | undefined {
  const boxes = properties.filter((p) => p.type === 'checkbox');
  return boxes.find((p) => /^generate$/i.test(p.name)) ?? boxes[0];
}

/** The output people most likely want: the seed's "Output", else the first text column that is not the title. */
function defaultOutput(properties: readonly PropertyInfo[]): PropertyInfo | undefined {
  return (
    properties.find((p) => /^output$/i.test(p.name) && isWritableOutput(p)) ??
    properties.find((p) => p.type === 'rich_text')
  );
}

export function DatabaseRun({ target, connectionId, connectionName, initial }: DatabaseRunProps) {
  const { job: anyJob } = useTargetJob(target.id);
  const job = anyJob?.kind === 'database' ? (anyJob as DatabaseJob) : null;
  const writable = target.properties.filter(isWritableOutput);
  const checkboxes = target.properties.filter((p) => p.type === 'checkbox');
  const [template, setTemplate] = useState(initial?.template ?? '');
  const [outputs, setOutputs] = useState<Array<{ id: string; allowNewOptions?: boolean }>>(
    initial?.outputs ?? (defaultOutput(target.properties) ? [{ id: defaultOutput(target.properties)!.id }] : []),
  );
  const [checkboxId, setCheckboxId] = useState(initial?.checkboxId ?? defaultCheckbox(target.properties)?.id);
  const [selection, setSelection] = useState<RowSelection>(initial?.selection ?? (checkboxId ? 'ticked' : 'empty'));
  const [overwrite, setOverwrite] = useState(initial?.overwrite ?? false);
  const [untick, setUntick] = useState(initial?.untick ?? true);
  const [preview, setPreview] = useState<PreviewRow[] | null>(null);
  const [estimate, setEstimate] = useState<RunEstimate | null>(null);
  const [busy, setBusy] = useState<'' | 'preview' | 'estimate' | 'start'>('');
  const [error, setError] = useState('');
  const [busyJob, setBusyJob] = useState<string | undefined>();
  const statusRef = useRef<HTMLDivElement>(null);

  const setup = (): DatabaseRunSetup => ({
    databaseId: target.id,
    template,
    outputs,
    selection,
    ...(checkboxId ? { checkboxId } : {}),
    overwrite,
    untick,
    ...(connectionId ? { connectionId } : {}),
    ...(connectionName ? { connectionName } : {}),
  });

  async function run<T>(
    kind: 'preview' | 'estimate' | 'start',
    action: () => Promise<{ ok: true; value: T } | { ok: false; problem: { message: string; jobId?: string } }>,
  ): Promise<T | undefined> {
    setError('');
    setBusyJob(undefined);
    setBusy(kind);
    try {
      const outcome = await action();
      if (!outcome.ok) {
        setError(outcome.problem.message);
        setBusyJob(outcome.problem.jobId);
        return undefined;
      }
      return outcome.value;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return undefined;
    } finally {
      setBusy('');
    }
  }

  const running = job?.status === 'running' || job?.status === 'undoing';
  // Functional updates: several boxes can change before the next render.
  const toggleOutput = (id: string, on: boolean) =>
    setOutputs((current) =>
      on ? [...current.filter((o) => o.id !== id), { id }] : current.filter((o) => o.id !== id),
    );
  const allowNew = (id: string, on: boolean) =>
    setOutputs((current) => current.map((o) => (o.id === id ? { ...o, allowNewOptions: on } : o)));

  return (
    <div class="database-run">
      <RowsTable
        target={target}
        checkboxId={checkboxId}
        outputIds={outputs.map((o) => o.id)}
        refreshKey={`${job?.id}:${job?.status}`}
      />

      <TemplatePromptField
        value={template}
        onChange={setTemplate}
        propertyNames={target.properties.map((p) => p.name)}
      />

      <fieldset class="choices" aria-label="Output property">
        <legend>Output property</legend>
        {writable.length === 0 && <p class="muted">This database has no column Inkling can write into.</p>}
        {writable.map((p) => {
          const chosen = outputs.find((o) => o.id === p.id);
          return (
            <div key={p.id}>
              <div class="check">
                <label>
                  <input
                    type="checkbox"
                    checked={Boolean(chosen)}
                    onChange={(e) => toggleOutput(p.id, e.currentTarget.checked)}
                  />{' '}
                  {p.name}
                </label>
                <span class="muted"> · {p.type.replace('_', ' ')}</span>
              </div>
              {chosen && (p.type === 'select' || p.type === 'multi_select') && (
                <label class="check check--nested">
                  <input
                    type="checkbox"
                    checked={Boolean(chosen.allowNewOptions)}
                    onChange={(e) => allowNew(p.id, e.currentTarget.checked)}
                  />{' '}
                  Allow new options in “{p.name}”
                </label>
              )}
            </div>
          );
        })}
      </fieldset>

      <Field label="Rows">
        {({ id }) => (
          <select id={id} value={selection} onChange={(e) => setSelection(e.currentTarget.value as RowSelection)}>
            {checkboxId && (
              <option value="ticked">Ticked rows ({checkboxes.find((c) => c.id === checkboxId)?.name})</option>
            )}
            <option value="empty">Rows whose output is empty</option>
            <option value="all">All rows</option>
          </select>
        )}
      </Field>
      {checkboxes.length > 1 && (
        <Field label="Checkbox column">
          {({ id }) => (
            <select id={id} value={checkboxId} onChange={(e) => setCheckboxId(e.currentTarget.value)}>
              {checkboxes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <label class="check">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} /> Overwrite
        outputs that already have a value
      </label>
      {checkboxId && selection === 'ticked' && (
        <label class="check">
          <input type="checkbox" checked={untick} onChange={(e) => setUntick(e.currentTarget.checked)} /> Untick each
          row once it is written
        </label>
      )}

      {estimate ? (
        <div class="confirm" role="alertdialog" aria-label="Start the run">
          <p data-testid="estimate">
            {formatNumber(estimate.rows)} {estimate.rows === 1 ? 'row' : 'rows'} to do
            {estimate.skipped > 0 && ` · ${formatNumber(estimate.skipped)} skipped (already filled)`} · about{' '}
            {formatNumber(estimate.inputTokens + estimate.outputTokens)} tokens ·{' '}
            {formatCost({ usd: estimate.costUsd, free: estimate.free })}
          </p>
          {estimate.budgetWarning && (
            <p class="ink-problem" role="alert">
              {estimate.budgetWarning}
            </p>
          )}
          <div class="actions">
            <button
              type="button"
              class="button button--primary"
              disabled={busy !== '' || estimate.rows === 0}
              onClick={async () => {
                await run('start', () =>
                  sendMessage('startDatabaseRun', {
                    ...setup(),
                    expectedRows: estimate.rows + estimate.skipped,
                    ...(estimate.budgetWarning ? { overBudgetOk: true } : {}),
                  }),
                );
                setEstimate(null);
              }}
            >
              {estimate.budgetWarning ? 'Start anyway' : 'Start'}
            </button>
            <button type="button" class="button" onClick={() => setEstimate(null)}>
              Back
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button
            type="button"
            class="button"
            disabled={busy !== '' || running}
            onClick={async () => setPreview((await run('preview', () => sendMessage('previewRows', setup()))) ?? null)}
          >
            {busy === 'preview' ? 'Previewing…' : 'Preview'}
          </button>
          <button
            type="button"
            class="button button--primary"
            disabled={busy !== '' || running}
            onClick={async () =>
              setEstimate((await run('estimate', () => sendMessage('estimateRun', setup()))) ?? null)
            }
          >
            {busy === 'estimate' ? 'Counting rows…' : 'Generate'}
          </button>
        </div>
      )}

      {error && (
        <div class="ink-problem" role="alert">
          <p>{error}</p>
          {busyJob && <ShowRunButton target={statusRef} />}
        </div>
      )}
      {preview && <PreviewList rows={preview} />}
      <div ref={statusRef} tabIndex={-1}>
        {job && <DatabaseRunStatus job={job} />}
      </div>
    </div>
  );
}

function PreviewList({ rows }: { rows: PreviewRow[] }) {
  if (rows.length === 0) return <p class="muted">No rows match; nothing to preview.</p>;
  return (
    <section class="preview-rows" aria-label="Preview">
      <p class="muted">Preview of the first {rows.length} rows — nothing was written.</p>
      {rows.map((row) => (
        <div key={row.id} class="preview-row" data-testid="preview-row">
          <strong>{row.title}</strong>
          {Object.entries(row.outputs).map(([name, value]) => (
            <div key={name}>
              <span class="muted">{name}: </span>
              <span class="preview-value">{value}</span>
            </div>
          ))}
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

function DatabaseRunStatus({ job }: { job: DatabaseJob }) {
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
  const problem = job.problem?.message;
  const pausedUntil =
    job.status === 'paused' && job.resumeAt
      ? ` Inkling carries on by itself at ${new Date(job.resumeAt).toLocaleTimeString()}.`
      : '';

  return (
    <section class="run-status" aria-label="Run">
      <p
        class={problem && job.status !== 'done' ? 'ink-problem' : 'status'}
        role={problem ? 'alert' : 'status'}
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
        {job.status === 'running' && (
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

function RowsTable({
  target,
  checkboxId,
  outputIds,
  refreshKey,
}: {
  target: DatabaseTarget;
  checkboxId: string | undefined;
  outputIds: string[];
  refreshKey: string;
}) {
  const [rows, setRows] = useState<RowView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [newTitle, setNewTitle] = useState('');
  const columns = outputIds.slice(0, 2);
  const names = new Map(target.properties.map((p) => [p.id, p.name]));

  async function load(from?: string) {
    setLoading(true);
    const outcome = await sendMessage('listRows', {
      dataSourceId: target.dataSourceId,
      columns,
      ...(from ? { cursor: from } : {}),
      ...(checkboxId ? { checkboxId } : {}),
    });
    setLoading(false);
    if (!outcome.ok) {
      setError(outcome.problem.message);
      return;
    }
    setError('');
    setRows((current) => (from ? [...current, ...outcome.value.rows] : outcome.value.rows));
    setCursor(outcome.value.nextCursor);
  }

  useEffect(() => void load(), [target.id, checkboxId, columns.join(','), refreshKey]);

  async function tick(row: RowView, ticked: boolean) {
    if (!checkboxId) return;
    setRows(rows.map((r) => (r.id === row.id ? { ...r, ticked } : r)));
    const outcome = await sendMessage('setRowTicked', { rowId: row.id, checkboxId, ticked });
    if (!outcome.ok) {
      setError(outcome.problem.message);
      setRows((current) => current.map((r) => (r.id === row.id ? { ...r, ticked: !ticked } : r)));
    }
  }

  async function add(event: Event) {
    event.preventDefault();
    if (!newTitle.trim()) return;
    const outcome = await sendMessage('addRow', {
      databaseId: target.id,
      title: newTitle,
      ...(checkboxId ? { checkboxId } : {}),
    });
    if (!outcome.ok) {
      setError(outcome.problem.message);
      return;
    }
    setRows([...rows, { ...outcome.value, cells: {} }]);
    setNewTitle('');
  }

  return (
    <section class="rows" aria-label="Rows">
      <table class="rows__table">
        <thead>
          <tr>
            {checkboxId && <th>{names.get(checkboxId)}</th>}
            <th>{target.properties.find((p) => p.type === 'title')?.name}</th>
            {columns.map((id) => (
              <th key={id}>{names.get(id)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-row-id={row.id}>
              {checkboxId && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Tick ${row.title}`}
                    checked={Boolean(row.ticked)}
                    onChange={(e) => void tick(row, e.currentTarget.checked)}
                  />
                </td>
              )}
              <td>{row.title}</td>
              {columns.map((id) => (
                <td key={id} class="rows__cell">
                  {row.cells[id]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {loading && <p class="muted">Loading rows…</p>}
      {cursor && !loading && (
        <button type="button" class="button" onClick={() => void load(cursor)}>
          Load more rows
        </button>
      )}
      <form class="add-row" onSubmit={add}>
        <Field label="New row">
          {({ id }) => (
            <input
              id={id}
              type="text"
              value={newTitle}
              placeholder="A topic, a title…"
              onInput={(e) => setNewTitle(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="button">
          Add row
        </button>
      </form>
      {error && (
        <p class="ink-problem" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
