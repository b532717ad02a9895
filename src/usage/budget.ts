// The monthly budget: a run that would pass it asks first; once it is spent, runs stop and say so.
import type { Problem } from '../shared/problem';
import { formatCost } from '../shared/format';
import { readSettings } from '../storage';
import { readUsage } from './ledger';
import { spentThisMonth } from '../shared/usage';

export interface BudgetState {
  limitUsd: number | null;
  spentUsd: number;
}

export async function budgetState(): Promise<BudgetState> {
  const [settings, usage] = await Promise.all([readSettings(), readUsage()]);
  return { limitUsd: settings.monthlyBudgetUsd ?? null, spentUsd: spentThisMonth(usage) };
}

const usd = (n: number) => formatCost({ usd: n, free: false });

export function budgetReachedProblem(state: BudgetState): Problem {
  return {
    source: 'inkling',
    kind: 'budget',
    message: `Your monthly budget of ${usd(state.limitUsd ?? 0)} is used up (${usd(state.spentUsd)} spent this month). Raise it in Settings → Monthly budget, or wait until next month.`,
    retryable: false,
  };
}

/**
 * Before a run: nothing when within budget; `budget` when the budget is already spent; and
 * `budget_confirm` when this run (by its estimate) would pass it — the user may then start it anyway.
 */
export function checkBudget(state: BudgetState, estimateUsd: number | null, confirmed: boolean): Problem | undefined {
  if (state.limitUsd === null) return undefined;
  if (state.spentUsd >= state.limitUsd) return budgetReachedProblem(state);
  if (confirmed || estimateUsd === null || state.spentUsd + estimateUsd <= state.limitUsd) return undefined;
  return {
    source: 'inkling',
    kind: 'budget_confirm',
    message: `This run would take you past your monthly budget: ${usd(state.spentUsd)} spent of ${usd(state.limitUsd)}, and this run costs about ${usd(estimateUsd)}. Start it anyway?`,
    retryable: false,
  };
}
