// How a database run stops, shared by its parts (database-job.ts, row-answer.ts, row-write.ts,
// database-undo.ts): the problems no row can get past, a stop that pauses, and the run's saves.
import { isFullPage, type Client, type PageObjectResponse } from '@notionhq/client';
import { notionProblem } from '../notion/errors';
import type { DatabaseJob } from '../shared/job';
import { InklingError, type Problem } from '../shared/problem';
import { updateJob } from './job-store';

/** Notion writes in flight at once; the pacer sets the actual rate. */
export const WRITE_CONCURRENCY = 4;
/** A quota that named no time to wait: try again after this long. */
export const QUOTA_DEFAULT_PAUSE_MS = 60 * 60_000;

/** Model problems no row can get past: the run stops (rows stay pending, nothing is lost). */
export const STOPS_THE_RUN = new Set([
  'bad_key',
  'no_key',
  'no_permission',
  'ollama_origin',
  'model_not_found',
  'unsupported',
  'unauthorized',
  'not_shared',
  'restricted',
  'no_token',
  'output_missing',
]);

/** Why a run stops; a paused one carries on by itself at `pauseUntil`, or (null) when the user resumes it. */
export class Stop extends Error {
  constructor(
    readonly problem: Problem,
    readonly pauseUntil?: number | null,
  ) {
    super(problem.message);
  }
}

/** A stop for a problem that holds every row (storage full): the run pauses, nothing is lost, Resume carries on. */
export function stopFor(problem: Problem): Stop {
  return problem.kind === 'storage_full' ? new Stop(problem, null) : new Stop(problem);
}

/** Saves a change to the run; throws when the run was removed or cancelled meanwhile. */
export const saveRun = (id: string, change: (j: DatabaseJob) => void) =>
  updateJob<DatabaseJob>(id, (j) => void change(j)).then((saved) => {
    if (!saved) throw new InklingError(notionProblem('validation', 'This run was removed.'));
    if (saved.status === 'cancelled')
      throw new InklingError({ source: 'inkling', kind: 'aborted', message: 'Stopped.', retryable: false });
    return saved;
  });

export function outputMissing(name: string): Problem {
  return {
    source: 'notion',
    kind: 'output_missing',
    message: `The output column “${name}” no longer exists in this database (renamed or deleted?). Choose it again under Output property.`,
    retryable: false,
  };
}

/** A row as Notion holds it now. */
export async function retrieveRow(notion: Client, id: string): Promise<PageObjectResponse> {
  const page = await notion.pages.retrieve({ page_id: id });
  if (!isFullPage(page)) throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this row.'));
  return page;
}
