// The estimate a database run's confirm shows before Start: the rows to do (for a refresh, how many
// changed and how many are new), what is skipped, tokens, searches and cost, and — when learning from
// corrections — which corrected rows go with each prompt.
import type { RunEstimate } from '../shared/run-preview';
import { count, formatCost, formatNumber, searchCount } from '../shared/format';

/** "3 rows changed, 2 new", and the rows whose page is read to tell. */
function refreshText(refresh: NonNullable<RunEstimate['refresh']>): string {
  const check = refresh.check > 0 ? `, ${count(refresh.check, 'page')} to check` : '';
  return `${count(refresh.changed, 'row')} changed, ${formatNumber(refresh.new)} new${check}`;
}

export function EstimateText({ estimate }: { estimate: RunEstimate }) {
  return (
    <>
      <p data-testid="estimate">
        {count(estimate.rows, 'row')} to do
        {estimate.refresh && ` · ${refreshText(estimate.refresh)}`}
        {estimate.skipped > 0 &&
          ` · ${formatNumber(estimate.skipped)} ${estimate.refresh ? 'left as they are' : 'skipped (already filled)'}`}{' '}
        · about {formatNumber(estimate.inputTokens + estimate.outputTokens)} tokens ·{' '}
        {estimate.searches ? `${searchCount(estimate.searches)} · ` : ''}
        {formatCost({ usd: estimate.costUsd, free: estimate.free })}
        {estimate.rowsPerCall > 1 && ` · ${formatNumber(estimate.rowsPerCall)} rows a model call`}
      </p>
      {estimate.examples && (
        <p class="muted" data-testid="examples">
          {estimate.examples.length === 0
            ? 'No corrections to learn from yet: edit an answer Inkling wrote, and later runs follow it.'
            : `Learning from ${count(estimate.examples.length, 'correction')}: ${estimate.examples.map((title) => `“${title}”`).join(', ')}.`}
        </p>
      )}
    </>
  );
}

/**
 * "Slow and cheap (batch)": both prices, and the wait, for a run that can go as one batch; for a run that
 * could but for its engine, why it is not offered.
 */
export function BatchOption({
  estimate,
  checked,
  onChange,
}: {
  estimate: RunEstimate;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  if (estimate.batchUnavailable)
    return (
      <p class="muted" data-testid="batch-unavailable">
        {estimate.batchUnavailable}
      </p>
    );
  if (estimate.batchCostUsd === undefined) return null;
  const batch = formatCost({ usd: estimate.batchCostUsd ?? null, free: estimate.free });
  const now = formatCost({ usd: estimate.costUsd, free: estimate.free });
  return (
    <label class="check">
      <input
        type="checkbox"
        aria-label="Slow and cheap (batch)"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />{' '}
      Slow and cheap (batch): about {batch} instead of {now}. The answers come within a day, usually much sooner, and
      Inkling writes them then.
    </label>
  );
}
