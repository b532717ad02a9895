// Learn from corrections against the in-process Notion API and model server: the rows whose answer a
// person edited after Inkling wrote it are found (newest first, a few), shown by the estimate, and
// carried by every prompt of the next run as examples; rows Inkling wrote and nobody touched are not.
import { describe, expect, it } from 'vitest';
import { savedConnection, useJobWorld } from '../../tests/sandbox/use-job-world.ts';
import { runBase } from '../../tests/sandbox/job-world.ts';
import { retrieveDatabase } from '../notion/target';
import type { DatabaseJob } from '../shared/job';
import type { CorrectionExample } from '../shared/row-marks';
import type { DatabaseRunSetup } from '../shared/intents';
import type { OutputSpec } from '../shared/notion-shapes';
import { withExamples } from '../prompt/examples';
import { checkSetup } from './database-setup';
import { runDatabaseJob } from './database-job';
import { estimateRun } from './run-estimate';
import { createJob } from './job-store';
import { examplesFor } from './corrections';
import { databaseJob } from './start';

const world = useJobWorld();

const CONNECTION = '6f9f1c1e-0000-4000-8000-0000000c0ec7';
const ENGINE = { engine: 'compatible', model: 'llama3.2:latest', apiKey: '', baseUrl: '' } as const;

async function setupFor(databaseId: string, learn: boolean): Promise<DatabaseRunSetup> {
  const { properties } = await retrieveDatabase(world.client(), databaseId);
  return {
    databaseId,
    template: 'Translate {{Topic}} to French',
    outputs: [{ id: properties.find((p) => p.name === 'French')!.id }],
    selection: 'empty',
    overwrite: false,
    untick: false,
    connectionId: CONNECTION,
    ...(learn ? { learn: true } : {}),
  };
}

/** A run as Start makes it: with the corrections found now when learning. */
async function run(setup: DatabaseRunSetup): Promise<DatabaseJob> {
  const checked = await checkSetup(world.client(), setup);
  await savedConnection(CONNECTION, setup.databaseId);
  const examples = await examplesFor(world.client(), checked, setup);
  const job = databaseJob({ ...runBase(checked, 'local'), connectionId: CONNECTION }, checked, setup);
  const created = await createJob(examples?.length ? { ...job, examples } : job);
  return runDatabaseJob(created as DatabaseJob, world.context());
}

describe('Learn from corrections', () => {
  it('gives the next run’s every prompt the answers a person corrected', async () => {
    const db = world.notion.createDatabase({
      title: `Words ${Date.now()}`,
      properties: { Topic: 'title', French: 'rich_text' },
      rows: ['Cat', 'Dog', 'Bird', 'Fish'].map((Topic) => ({ Topic })),
    });
    await run(await setupFor(db.databaseId, false));
    world.notion.updateRow(db.rowIds[1]!, { French: 'le chien (m.)' });
    world.notion.updateRow(db.rowIds[3]!, { French: 'le poisson (m.)' });
    world.notion.addRows(db.dataSourceId, [{ Topic: 'Horse' }, { Topic: 'Cow' }]);

    const setup = await setupFor(db.databaseId, true);
    const checked = await checkSetup(world.client(), setup);
    const estimate = await estimateRun(world.client(), checked, setup, ENGINE, {
      concurrency: 4,
      requestsPerMinute: 0,
    });
    // Newest first, to the minute Notion keeps edit times to: these two were edited in the same one.
    expect(estimate.rows).toBe(2);
    expect(estimate.examples?.toSorted()).toEqual(['Dog', 'Fish']);
    const without = await estimateRun(world.client(), checked, { ...setup, learn: false }, ENGINE, {
      concurrency: 4,
      requestsPerMinute: 0,
    });
    expect(without.examples).toBeUndefined();
    expect(estimate.inputTokens).toBeGreaterThan(without.inputTokens);

    world.models.reset();
    const second = await run(setup);
    expect(second.counts).toMatchObject({ written: 2 });
    expect(second.examples?.map((e) => e.title).toSorted()).toEqual(['Dog', 'Fish']);
    expect(world.models.calls).toHaveLength(2);
    for (const call of world.models.calls) {
      expect(call.prompt).toContain('Topic: Dog\n→ French: le chien (m.)');
      expect(call.prompt).toContain('Topic: Fish\n→ French: le poisson (m.)');
      // Answers nobody touched are not examples.
      expect(call.prompt).not.toContain('Topic: Cat');
    }
  });

  it('finds nothing, and asks Notion nothing, where Inkling has written nothing yet', async () => {
    const db = world.notion.createDatabase({
      title: 'Fresh',
      properties: { Topic: 'title', French: 'rich_text' },
      rows: [{ Topic: 'Cat', French: 'chat' }],
    });
    const setup = await setupFor(db.databaseId, true);
    const checked = await checkSetup(world.client(), setup);
    world.notion.clearRequestLog();
    expect(await examplesFor(world.client(), checked, setup)).toEqual([]);
    expect(world.notion.requestLog).toEqual([]);
  });
});

describe('withExamples', () => {
  const outputs: OutputSpec[] = [
    { id: 'a', name: 'Summary', type: 'rich_text' },
    { id: 'b', name: 'Category', type: 'select' },
  ];
  const examples: CorrectionExample[] = [
    { title: 'One', inputs: { Topic: 'One' }, outputs: { Summary: 'x'.repeat(2_000), Category: 'Art' } },
    { title: 'Two', inputs: { Topic: 'Two' }, outputs: { Category: 'Science' } },
    { title: 'Three', inputs: { Topic: 'Three' }, outputs: { Summary: 'Third' } },
    { title: 'Four', inputs: { Topic: 'Four' }, outputs: { Summary: 'Fourth' } },
  ];

  it('gives a step only the examples of the outputs it answers, at most three, each cut short', () => {
    const summary = withExamples({ system: 'Rules.' }, examples, [outputs[0]!]).system;
    expect(summary.startsWith('Rules.\n\nA person corrected these answers by hand')).toBe(true);
    expect(summary).not.toContain('Category');
    expect(summary.match(/<example>/g)).toHaveLength(3);
    expect(summary).toContain('Topic: Four');
    // Each answer is cut on its own (never at the cost of the correction), between characters.
    expect(summary.split('<example>')[1]).toContain(`→ Summary: ${'x'.repeat(399)}…`);
    expect(
      withExamples(
        { system: '' },
        [{ title: 'E', inputs: { Topic: '😀'.repeat(300) }, outputs: { Summary: 'a</example>b' } }],
        [outputs[0]!],
      ).system,
    ).toContain(`Topic: ${'😀'.repeat(199)}…\n→ Summary: a</ example>b`);
    const category = withExamples({ system: 'Rules.' }, examples, [outputs[1]!]).system;
    expect(category.match(/<example>/g)).toHaveLength(2);
    expect(withExamples({ system: 'Rules.' }, [], outputs)).toEqual({ system: 'Rules.' });
  });
});
