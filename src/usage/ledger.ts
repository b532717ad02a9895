// The usage ledger: every model call's tokens and estimated cost, added up per day, engine, model
// and connection. The Usage tab reads it; the monthly budget is checked against it.
import { updateItem, usageItem } from '../storage';
import { type UsageAddition, dayOf, NO_USAGE, type UsageEntry } from '../shared/usage';

/** Adds to the ledger (one write at a time, so concurrent rows never lose a call). */
export function recordUsage(addition: UsageAddition, at = Date.now()): Promise<void> {
  return updateItem(usageItem, (entries) => {
    const day = dayOf(at);
    let entry = entries.find(
      (e) =>
        e.day === day &&
        e.engine === addition.engine &&
        e.model === addition.model &&
        e.connectionId === addition.connectionId,
    );
    if (!entry) {
      entry = {
        day,
        engine: addition.engine,
        model: addition.model,
        connectionId: addition.connectionId,
        ...NO_USAGE,
      };
      entries.push(entry);
    }
    entry.runs += addition.runs ?? 0;
    entry.calls += addition.calls ?? 0;
    entry.inputTokens += addition.inputTokens ?? 0;
    entry.outputTokens += addition.outputTokens ?? 0;
    if (addition.searches) entry.searches = (entry.searches ?? 0) + addition.searches;
    if (addition.costUsd === null) entry.unpricedCalls += addition.calls ?? 0;
    else entry.costUsd += addition.costUsd ?? 0;
  });
}

export async function readUsage(): Promise<UsageEntry[]> {
  return usageItem.getValue();
}
