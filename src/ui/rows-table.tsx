// The database's rows in the panel: ticked or not, the chosen columns' values, a page at a time, and
// Add row; while a run goes (and after), each row's state in it and its answer as it lands. Cell values
// and answers are shown as text, never as HTML.
import { useEffect, useRef, useState } from 'preact/hooks';
import { sendMessage } from '../messaging';
import { type RowView } from '../shared/intents';
import type { DatabaseJob, JobRowView, RowState } from '../shared/job';
import { type DatabaseTarget } from '../shared/notion-shapes';
import { Field } from './field';

export function RowsTable({
  target,
  checkboxId,
  outputIds,
  refreshKey,
  job,
}: {
  target: DatabaseTarget;
  checkboxId: string | undefined;
  outputIds: string[];
  refreshKey: string;
  /** The target's latest run, whose rows' states the table shows. */
  job?: DatabaseJob | null;
}) {
  const [inRun, setInRun] = useState<Map<string, JobRowView>>(new Map());
  const going = job?.status === 'running' || job?.status === 'paused' || job?.status === 'undoing';
  const [rows, setRows] = useState<RowView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loaded, setLoaded] = useState(false);
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
    setLoaded(true);
    setRows((current) => (from ? [...current, ...outcome.value.rows] : outcome.value.rows));
    setCursor(outcome.value.nextCursor);
  }

  useEffect(() => void load(), [target.id, checkboxId, columns.join(','), refreshKey]);

  // The shown rows' states in the run, read again as its counts move — at most once a second while it
  // goes, since each read goes through the run's stored rows (thousands, on a big run).
  const shownIds = rows.map((r) => r.id).join(',');
  const progress = job ? `${job.id}:${job.status}:${Object.values(job.counts).join(',')}` : '';
  const lastAsked = useRef(0);
  useEffect(() => {
    if (!job || !shownIds) {
      setInRun(new Map());
      return undefined;
    }
    const ask = () => {
      lastAsked.current = Date.now();
      void sendMessage('jobRows', { jobId: job.id, ids: shownIds.split(',') }).then(
        (outcome) => outcome.ok && setInRun(new Map(outcome.value.map((r) => [r.id, r]))),
      );
    };
    // Once the run stops, its final states at once.
    const wait = going ? Math.max(0, ROW_STATES_EVERY_MS - (Date.now() - lastAsked.current)) : 0;
    const timer = setTimeout(ask, wait);
    return () => clearTimeout(timer);
  }, [progress, shownIds]);

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
            {job && <th>In the run</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const run = inRun.get(row.id);
            // The answer once the row has one; after Undo, what Notion holds again.
            const answered = run?.answers && run.state !== 'undone' ? run.answers : undefined;
            return (
              <tr key={row.id} data-row-id={row.id} data-state={run?.state}>
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
                    {answered?.[id] ?? row.cells[id]}
                  </td>
                ))}
                {job && (
                  <td class="rows__state" data-testid="row-state">
                    {run ? (
                      <>
                        <span class={`row-state row-state--${run.state}`}>{STATE_LABELS[run.state]}</span>
                        {run.reason && (run.state === 'failed' || run.state === 'skipped') && (
                          <span class="muted">: {run.reason}</span>
                        )}
                      </>
                    ) : (
                      // A run reads its rows as it goes: only a finished one knows a row is not among them.
                      !going && <span class="muted">Not in this run</span>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {loading && <p class="muted">Loading rows…</p>}
      {loaded && !loading && rows.length === 0 && (
        <p class="muted" data-testid="rows-empty">
          This database has no rows yet. Add one below (or in Notion), then Generate.
        </p>
      )}
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

/** How often, at most, the table reads its rows' states during a run. */
const ROW_STATES_EVERY_MS = 1_000;

/** A row's state in the run, in the words the panel uses. */
const STATE_LABELS: Record<RowState, string> = {
  pending: 'Waiting',
  generated: 'Answered',
  written: 'Written',
  skipped: 'Skipped',
  failed: 'Failed',
  undone: 'Undone',
};
