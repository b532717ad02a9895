// The database's rows in the panel: ticked or not, the chosen columns' values, a page at a time, and
// Add row. Cell values are shown as text, never as HTML.
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../messaging';
import { type RowView } from '../shared/intents';
import { type DatabaseTarget } from '../shared/notion-shapes';
import { Field } from './field';

export function RowsTable({
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
