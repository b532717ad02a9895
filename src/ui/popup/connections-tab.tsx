// Connections: every page and database Inkling generated into — sorted, filtered, searched; a click
// resumes one (in the panel of a tab showing it, else in Create); "•••" → Delete removes it here and trashes its row in Notion.
import { useMemo, useState } from 'preact/hooks';
import { KEEP_UP_PERIOD_MINUTES, type Connection, type KeepUpLook, type MirrorState } from '../../shared/connection';
import type { JobStatus } from '../../shared/job';
import { sendMessage } from '../../messaging';
import { connectionsItem, keepUpItem, mirrorQueueItem, settingsItem } from '../../storage';
import { count, engineAndModel, formatDateTime, formatNumber, formatUsage } from '../../shared/format';
import { useStorageItem } from '../use-storage-item';

type SortKey = 'lastRun' | 'name' | 'created';

export interface ConnectionsTabProps {
  onResume(connection: Connection): void;
}

const STATUS_WORDS: Record<JobStatus | 'new', string> = {
  running: 'running',
  paused: 'paused',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  undoing: 'undoing',
  undone: 'undone',
  new: 'not run yet',
};

const when = (at: number) => formatDateTime(at);

export function ConnectionsTab({ onResume }: ConnectionsTabProps) {
  const all = useStorageItem(connectionsItem);
  const settings = useStorageItem(settingsItem);
  const mirror = useStorageItem<MirrorState>(mirrorQueueItem);
  const looks = useStorageItem(keepUpItem);
  const [sort, setSort] = useState<SortKey>('lastRun');
  const [kind, setKind] = useState<'all' | 'page' | 'database'>('all');
  const [status, setStatus] = useState<'all' | JobStatus | 'new'>('all');
  const [search, setSearch] = useState('');
  const [menu, setMenu] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Connection | null>(null);
  const [message, setMessage] = useState('');

  const list = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return Object.values(all ?? {})
      .filter((c) => kind === 'all' || c.kind === kind)
      .filter((c) => status === 'all' || (c.lastRun?.status ?? 'new') === status)
      .filter(
        (c) => !needle || [c.name, c.targetTitle, c.prompt, c.model].some((s) => s.toLowerCase().includes(needle)),
      )
      .toSorted((a, b) =>
        sort === 'name'
          ? a.name.localeCompare(b.name)
          : sort === 'created'
            ? b.createdAt - a.createdAt
            : (b.lastRun?.at ?? 0) - (a.lastRun?.at ?? 0),
      );
  }, [all, sort, kind, status, search]);

  if (!all) return <p class="muted">Loading…</p>;

  async function remove(connection: Connection) {
    setConfirming(null);
    const outcome = await sendMessage('deleteConnection', { connectionId: connection.id });
    setMessage(outcome.ok ? `Deleted “${connection.name}”.` : outcome.problem.message);
  }

  async function importList() {
    setMessage('Importing…');
    const outcome = await sendMessage('importConnections', undefined);
    setMessage(
      outcome.ok
        ? `Imported ${count(outcome.value, 'connection')} from your connections database.`
        : outcome.problem.message,
    );
  }

  return (
    <div class="connections">
      <div class="connections__controls">
        <input
          type="search"
          aria-label="Search connections"
          placeholder="Search"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <select aria-label="Sort by" value={sort} onChange={(e) => setSort(e.currentTarget.value as SortKey)}>
          <option value="lastRun">Last run</option>
          <option value="name">Name</option>
          <option value="created">Created</option>
        </select>
        <select aria-label="Type" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
          <option value="all">Pages and databases</option>
          <option value="page">Pages</option>
          <option value="database">Databases</option>
        </select>
        <select aria-label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
          <option value="all">Any status</option>
          {(Object.keys(STATUS_WORDS) as Array<keyof typeof STATUS_WORDS>).map((s) => (
            <option key={s} value={s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
      </div>

      {list.length === 0 && (
        <p class="muted">
          {Object.keys(all ?? {}).length
            ? 'No connection matches. Clear the search, or set Type and Status to All.'
            : 'No connections yet. Open a Notion page or database and press Open Inkling (Alt+K), or start one in Create: each page or database you generate into is kept here, to run again.'}
        </p>
      )}
      <ul class="connections__list" aria-label="Connections">
        {list.map((c) => (
          <li key={c.id} class="connection" data-connection-id={c.id}>
            <button type="button" class="connection__open" aria-label={`Open ${c.name}`} onClick={() => onResume(c)}>
              <span class="connection__name">{c.name}</span>
              <span class="ink-target__kind">{c.kind}</span>
            </button>
            <button
              type="button"
              class="ink-icon-button"
              aria-label={`••• ${c.name}`}
              aria-haspopup="menu"
              aria-expanded={menu === c.id}
              onClick={() => setMenu(menu === c.id ? null : c.id)}
            >
              •••
            </button>
            {menu === c.id && (
              <div role="menu" class="connection__menu">
                <button type="button" role="menuitem" onClick={() => (setMenu(null), setConfirming(c))}>
                  Delete
                </button>
              </div>
            )}
            <div class="connection__details muted">
              <a href={c.targetUrl} target="_blank" rel="noreferrer noopener">
                {c.targetTitle || 'Untitled'}
              </a>{' '}
              · {engineAndModel(c.engine, c.model)}
              <br />
              {c.lastRun
                ? `Last run ${when(c.lastRun.at)}: ${STATUS_WORDS[c.lastRun.status]}${c.lastRun.rowsDone !== undefined ? ` · ${count(c.lastRun.rowsDone, 'row')} written, ${formatNumber(c.lastRun.rowsFailed ?? 0)} failed` : ''}`
                : 'Not run yet'}
              {c.options.keepUpToDate === true && <KeepUpLine look={looks?.[c.id]} />}
              {c.usage.calls > 0 && (
                <>
                  <br />
                  {formatUsage(c.usage, c.usage.costUsd === 0)}
                </>
              )}
              {c.prompt && <p class="connection__prompt">{c.prompt}</p>}
            </div>
          </li>
        ))}
      </ul>

      {confirming && (
        <div class="confirm" role="alertdialog" aria-label="Delete connection">
          <p>
            Delete “{confirming.name}”? It leaves this list, and its row in your connections database goes to Notion’s
            trash. What it wrote stays in Notion.
          </p>
          <div class="actions">
            <button type="button" class="button button--danger" onClick={() => remove(confirming)}>
              Delete connection
            </button>
            <button type="button" class="button" onClick={() => setConfirming(null)}>
              Keep it
            </button>
          </div>
        </div>
      )}

      <div class="actions">
        <button type="button" class="button" disabled={!settings?.connectionsDatabase} onClick={importList}>
          Import from connections database
        </button>
      </div>
      {settings?.connectionsDatabase && mirror && (mirror.pending.length > 0 || mirror.lastError) && (
        <p class="muted" role="status" data-testid="mirror-status">
          {count(mirror.pending.length, 'change')} waiting to reach “{settings.connectionsDatabase.title}”.{' '}
          {mirror.lastError && `Last try: ${mirror.lastError} Inkling tries again every half minute.`}
        </p>
      )}
      {message && (
        <p class="status" role="status">
          {message}
        </p>
      )}
    </div>
  );
}

/** A connection kept up to date: how often, and what its last look did. */
function KeepUpLine({ look }: { look: KeepUpLook | undefined }) {
  const did = !look
    ? 'No look yet.'
    : look.refreshing !== undefined
      ? `Last look ${when(look.at)}: ${count(look.refreshing, 'row')} new or changed, refreshing them.`
      : `Last look ${when(look.at)}: ${look.skipped ?? ''}`;
  return (
    <>
      <br />
      <span class={look?.problem ? 'ink-problem' : undefined} data-testid="keep-up">
        Kept up to date every {KEEP_UP_PERIOD_MINUTES} minutes. {did}
      </span>
    </>
  );
}
