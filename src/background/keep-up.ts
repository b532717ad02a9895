// Keep up to date: a database connection with "Keep up to date" on is refreshed on a timer while the
// browser is open — a "Refresh changed rows" run, started only when rows changed or were added, only
// when no run is going on that database, and never past the monthly budget. The run is an ordinary
// one (the panel shows it, Undo undoes it), so it never writes over a cell a person edited.
import { browser } from 'wxt/browser';
import { listConnections } from '../connections/connections';
import { checkSetup } from '../jobs/database-setup';
import { estimateRun } from '../jobs/run-estimate';
import { targetBusy } from '../jobs/runner';
import { startDatabaseRun } from '../jobs/start';
import { limitsFor } from '../shared/limit-presets';
import { KEEP_UP_PERIOD_MINUTES, type Connection, type KeepUpLook } from '../shared/connection';
import type { DatabaseRunSetup } from '../shared/intents';
import { isNotionClientError } from '@notionhq/client';
import { toNotionProblem } from '../notion/errors';
import { InklingError } from '../shared/problem';
import { runInitial } from '../shared/run-options';
import { notionClient, savedEngine } from './services';
import { SetupSchema } from './setup-schema';
import { keepUpItem } from '../storage';
import * as v from 'valibot';

export const KEEP_UP_ALARM = 'inkling-keep-up';
const keptUp = (c: Connection) => c.kind === 'database' && c.options.keepUpToDate === true;

/** The timer runs while any connection is to be kept up to date, and stops when none is. */
export async function scheduleKeepUp(): Promise<void> {
  if (!(await listConnections()).some(keptUp)) {
    await browser.alarms.clear(KEEP_UP_ALARM);
    return;
  }
  if (!(await browser.alarms.get(KEEP_UP_ALARM)))
    await browser.alarms.create(KEEP_UP_ALARM, { periodInMinutes: KEEP_UP_PERIOD_MINUTES });
}

/** A connection's saved run, as "Refresh changed rows". */
function refreshSetup(connection: Connection): DatabaseRunSetup {
  const saved = runInitial(connection.prompt, connection.options);
  return {
    databaseId: connection.targetId,
    template: saved.template ?? '',
    outputs: saved.outputs ?? [],
    selection: 'changed',
    ...(saved.checkboxId ? { checkboxId: saved.checkboxId } : {}),
    overwrite: false,
    untick: false,
    ...(saved.packRows === false ? { packRows: false } : {}),
    ...(saved.webSearch ? { webSearch: true } : {}),
    ...(saved.sourcesId ? { sourcesId: saved.sourcesId } : {}),
    ...(saved.learn ? { learn: true } : {}),
    keepUpToDate: true,
    connectionId: connection.id,
    // The engine the connection last ran with, which may not be the one in Settings (Compare models).
    engine: { engine: connection.engine, model: connection.model },
  };
}

export type KeepUpOutcome = { connectionId: string } & ({ jobId: string } | { skipped: string });

/** Why a look left a connection alone, where that needs nothing of the person. */
const NOT_PROBLEMS = new Set(['Nothing changed.', 'A run is going on there.']);

/**
 * One look at every connection kept up to date: a refresh where rows changed, and why not elsewhere —
 * each kept as that connection's last look.
 */
export async function keepUp(): Promise<KeepUpOutcome[]> {
  const outcomes: KeepUpOutcome[] = [];
  const looks: Record<string, KeepUpLook> = {};
  for (const connection of (await listConnections()).filter(keptUp)) {
    /** `passing`: what the next look may well not meet (Notion slow or busy), so not the person's to fix. */
    const skip = (skipped: string, passing = NOT_PROBLEMS.has(skipped)) => {
      outcomes.push({ connectionId: connection.id, skipped });
      looks[connection.id] = { at: Date.now(), skipped, ...(passing ? {} : { problem: true }) };
    };
    if (await targetBusy(connection.targetId)) {
      skip('A run is going on there.');
      continue;
    }
    // Options come back from the connections database too, which anyone can edit: checked as a request is.
    const parsed = v.safeParse(SetupSchema, refreshSetup(connection));
    if (!parsed.success) {
      skip('Its saved run could not be read: open it in the panel and start it once more.');
      continue;
    }
    const setup = parsed.output as DatabaseRunSetup;
    try {
      const notion = await notionClient();
      const { config, limitPreset } = await savedEngine(setup.engine);
      const checked = await checkSetup(notion, setup);
      const estimate = await estimateRun(notion, checked, setup, config, limitsFor(config.engine, limitPreset).limits);
      // Rows whose page only may have changed are left to Refresh changed rows: reading every page on
      // every look would never end.
      const due = (estimate.refresh?.new ?? 0) + (estimate.refresh?.changed ?? 0);
      if (due === 0) skip('Nothing changed.');
      else if (estimate.budgetWarning) skip(estimate.budgetWarning);
      else {
        const started = await startDatabaseRun(setup, { keepOptions: true });
        if (started.ok) {
          outcomes.push({ connectionId: connection.id, jobId: started.value.jobId });
          looks[connection.id] = { at: Date.now(), refreshing: due };
        } else skip(started.problem.message, started.problem.retryable);
      }
    } catch (error) {
      // A problem with this connection (its database unshared, the budget spent) leaves the others to go
      // on; only what Notion said is put as Notion's (anything else is Inkling's own, and said so).
      const problem =
        error instanceof InklingError
          ? error.problem
          : // fetch() rejects with a TypeError naming the fetch when the network is down (Chrome:
            // "Failed to fetch", Firefox: "NetworkError when attempting to fetch resource.").
            isNotionClientError(error) || (error instanceof TypeError && /fetch/i.test(error.message))
            ? toNotionProblem(error, 'database')
            : undefined;
      if (problem) skip(problem.message, problem.retryable);
      else {
        console.error('[inkling] keep up to date', error);
        skip(
          `Inkling could not look at it (${error instanceof Error ? error.message : String(error)}). Open it in the panel to run it by hand.`,
        );
      }
    }
  }
  // Only the connections still kept up to date have a last look.
  await keepUpItem.setValue(looks);
  return outcomes;
}
