// A run that carries on later (after a restart, Retry failed, a batch's wait) checks the database's
// columns again first: renames are followed, a column gone or changed in type stops the run with what
// to do, and a prompt naming a column that is gone is refused.
import { isFullDataSource, type Client } from '@notionhq/client';
import { notionProblem } from '../notion/errors';
import { schemaOf } from '../notion/target';
import type { DatabaseJob } from '../shared/job';
import type { PropertyInfo } from '../shared/notion-shapes';
import { InklingError } from '../shared/problem';
import { checkTemplate } from '../shared/template';
import { stepsOf } from './run-steps';
import { outputMissing, saveRun } from './run-stops';

/** The database's current columns, checked against what the run was set up with. Renames are followed. */
export async function checkColumns(
  job: DatabaseJob,
  notion: Client,
): Promise<{ job: DatabaseJob; schema: PropertyInfo[] }> {
  const dataSource = await notion.dataSources.retrieve({ data_source_id: job.dataSourceId });
  if (!isFullDataSource(dataSource))
    throw new InklingError(notionProblem('not_shared', 'Inkling can’t read this database.'));
  const schema = schemaOf(dataSource);
  const byId = new Map(schema.map((p) => [p.id, p]));
  const follow = <T extends { id: string; name: string; type: string }>(column: T): T => {
    const now = byId.get(column.id);
    if (!now) throw new InklingError(outputMissing(column.name));
    if (now.type !== column.type) {
      throw new InklingError({
        source: 'notion',
        kind: 'output_missing',
        message: `“${now.name}” is now a ${now.type.replaceAll('_', ' ')} column, not ${column.type.replaceAll('_', ' ')}. Choose the output again under Output property.`,
        retryable: false,
      });
    }
    return { ...column, name: now.name };
  };
  const outputs = job.outputs.map((o) => ({
    ...follow(o),
    ...(byId.get(o.id)?.options ? { options: byId.get(o.id)!.options!.map((x) => x.name) } : {}),
  }));
  const checkbox = job.checkbox ? follow(job.checkbox) : undefined;
  const sources = job.sources ? follow(job.sources) : undefined;
  const titleColumn = follow(job.titleColumn);
  // Each prompt of the run, against the columns as they are now (a renamed column it names is gone).
  const names = schema.map((p) => p.name);
  const errors = stepsOf(job).flatMap((step) => checkTemplate(step.template, names).errors);
  if (errors.length > 0) {
    throw new InklingError({
      source: 'inkling',
      kind: 'template',
      message: errors.join(' '),
      retryable: false,
    });
  }
  const saved = await saveRun(job.id, (j) => {
    j.outputs = outputs;
    j.titleColumn = titleColumn;
    if (checkbox) j.checkbox = checkbox;
    if (sources) j.sources = sources;
    j.propertyNames = schema.map((p) => p.name);
  });
  return { job: saved, schema };
}
