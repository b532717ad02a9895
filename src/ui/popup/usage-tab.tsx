// Usage: runs, tokens in and out, and estimated cost — in total, per engine and model, per
// connection, per day — the monthly budget, and Feedback.
import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { count, engineAndModel, formatCost, formatDay, formatNumber, searchCount } from '../../shared/format';
import { sendMessage } from '../../messaging';
import { connectionsItem, readSettings, settingsItem, usageItem } from '../../storage';
import { groupBy, spentThisMonth, total, type UsageTotals } from '../../shared/usage';
import { useStorageItem } from '../use-storage-item';

/** Where Feedback goes. */
export const FEEDBACK_URL = 'https://github.com/inkling-notion/inkling/issues/new';

function cost(totals: UsageTotals): string {
  const known = formatCost({ usd: totals.costUsd, free: false });
  const priced =
    totals.unpricedCalls > 0 ? `${known} + ${count(totals.unpricedCalls, 'call')} of unknown price` : known;
  // Searches are charged on top of the tokens: the cost includes them, and says how many there were.
  return totals.searches > 0 ? `${priced} (${searchCount(totals.searches)})` : priced;
}

function Row({ label, totals }: { label: string; totals: UsageTotals }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{formatNumber(totals.runs)}</td>
      <td>{formatNumber(totals.inputTokens)}</td>
      <td>{formatNumber(totals.outputTokens)}</td>
      <td>{cost(totals)}</td>
    </tr>
  );
}

function Table({ caption, rows }: { caption: string; rows: Array<{ label: string; totals: UsageTotals }> }) {
  if (rows.length === 0) return null;
  return (
    <table class="usage-table" aria-label={caption}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th />
          <th scope="col">Runs</th>
          <th scope="col">Tokens in</th>
          <th scope="col">Tokens out</th>
          <th scope="col">Cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <Row key={r.label} label={r.label} totals={r.totals} />
        ))}
      </tbody>
    </table>
  );
}

/** Days shown in the per-day table. */
const DAYS_SHOWN = 14;

export function UsageTab() {
  const loaded = useStorageItem(usageItem);
  const entries = loaded ?? [];
  const settings = useStorageItem(settingsItem, readSettings);
  const connections = useStorageItem(connectionsItem) ?? {};
  const [feedback, setFeedback] = useState('');

  const all = total(entries);
  const budget = settings?.monthlyBudgetUsd ?? null;
  const spent = spentThisMonth(entries);

  async function sendFeedback() {
    const report = await sendMessage('diagnostics', undefined);
    try {
      await navigator.clipboard.writeText(report);
      setFeedback('A diagnostics summary (no keys, no Notion content) is on your clipboard: paste it into the issue.');
    } catch {
      setFeedback(report);
    }
    await browser.tabs.create({ url: FEEDBACK_URL });
  }

  if (!loaded) return <p class="muted">Loading…</p>;
  return (
    <div class="usage">
      {entries.length === 0 && (
        <p data-testid="usage-empty">
          No runs yet. Generate into a Notion page or database (with Open Inkling on the page, or from Create), and the
          tokens and cost of each run add up here, by engine, connection and day.
        </p>
      )}
      <p data-testid="usage-total">
        <strong>{formatNumber(all.runs)}</strong> {all.runs === 1 ? 'run' : 'runs'} ·{' '}
        <strong>{formatNumber(all.inputTokens)}</strong> tokens in · <strong>{formatNumber(all.outputTokens)}</strong>{' '}
        tokens out · <strong>{cost(all)}</strong> estimated
      </p>
      <p class="muted" data-testid="usage-budget">
        This month: {formatCost({ usd: spent, free: false })}
        {budget !== null
          ? ` of your ${formatCost({ usd: budget, free: false })} budget.`
          : '. No monthly budget (set one in Settings).'}
      </p>
      {budget !== null && <progress max={budget} value={Math.min(spent, budget)} aria-label="Monthly budget used" />}
      <Table
        caption="By engine and model"
        rows={groupBy(entries, (e) => engineAndModel(e.engine, e.model)).map((g) => ({
          label: g.key,
          totals: g.totals,
        }))}
      />
      <Table
        caption="By connection"
        rows={groupBy(entries, (e) => e.connectionId).map((g) => ({
          label: g.key ? (connections[g.key]?.name ?? 'Deleted connection') : 'Previews',
          totals: g.totals,
        }))}
      />
      <Table
        caption="By day"
        rows={groupBy(entries, (e) => e.day)
          .toSorted((a, b) => b.key.localeCompare(a.key))
          .slice(0, DAYS_SHOWN)
          .map((g) => ({ label: formatDay(g.key), totals: g.totals }))}
      />
      <p class="muted">
        Costs are estimates from token counts and the providers’ published prices; your provider’s bill is what counts.
      </p>
      <div class="actions">
        <button type="button" class="button" onClick={sendFeedback}>
          Feedback
        </button>
      </div>
      {feedback && (
        <p class="muted" role="status" style="white-space: pre-wrap">
          {feedback}
        </p>
      )}
    </div>
  );
}
