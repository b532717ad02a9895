// The writer of a database run: one answered row written through the one checked writer, once,
// and only while the row still holds its baseline (database-rows.ts standingOf).
import { writtenColumns } from './database-setup';
import type { UpdatePageParameters } from '@notionhq/client';
import { writeOnce, type WriteCheck } from '../notion/checked-write';
import { toNotionProblem } from '../notion/errors';
import type { DatabaseJob } from '../shared/job';
import type { JobContext } from './context';
import { finish, standingOf } from './database-rows';
import type { RowBook } from './row-book';
import { outputMissing, retrieveRow, Stop, stopFor, STOPS_THE_RUN } from './run-stops';

/**
 * The writer: writes one answered row exactly once (the one checked writer), and only while it still
 * holds what was read; a row a person changed is skipped with its reason. Returns the Stop for a
 * problem no row can get past.
 */
export async function writeRow(
  job: DatabaseJob,
  book: RowBook,
  id: string,
  ctx: JobContext,
): Promise<Stop | undefined> {
  const row = book.get(id);
  if (ctx.signal.aborted || !row || row.state !== 'generated' || !row.write) return undefined;
  const properties = row.write as UpdatePageParameters['properties'];
  try {
    const outcome = await writeOnce({
      send: (dispatched) => ctx.notionWith(dispatched).pages.update({ page_id: id, properties }),
      check: async (): Promise<WriteCheck<unknown>> => {
        const standing = standingOf(job, book.get(id)!, await retrieveRow(ctx.notion, id));
        if (standing.state === 'written') return { state: 'landed', value: null };
        return standing.state === 'changed' ? standing : { state: 'absent' };
      },
      sent: async (at) => {
        try {
          await book.update(id, (r) => void (r.sentAt = at));
        } catch (error) {
          // Not saved, so not sent: the copy in memory must not say otherwise.
          delete book.get(id)!.sentAt;
          throw error;
        }
      },
      notLanded: () => book.update(id, (r) => void delete r.sentAt).then(() => undefined),
      ...(row.sentAt === undefined ? {} : { sentAt: row.sentAt }),
      signal: ctx.signal,
    });
    if (outcome.ok) await finish(book, id, 'written');
    else await finish(book, id, 'skipped', outcome.reason);
    return undefined;
  } catch (error) {
    if (ctx.signal.aborted) return undefined;
    const problem = toNotionProblem(error, 'page');
    const missing = /(.+) is not a property that exists/.exec(problem.message);
    if (problem.kind === 'storage_full') return stopFor(problem);
    if (missing)
      return new Stop(
        outputMissing(
          writtenColumns(job).find((o) => missing[1]?.includes(o.id) || missing[1]?.includes(o.name))?.name ?? 'output',
        ),
      );
    if (STOPS_THE_RUN.has(problem.kind) && problem.kind !== 'not_shared') return new Stop(problem);
    await finish(
      book,
      id,
      'failed',
      problem.kind === 'not_shared' ? 'This row was deleted, or is no longer shared with Inkling.' : problem.message,
    );
    return undefined;
  }
}
