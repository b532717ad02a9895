// What every benchmark line needs: a sandbox of its own (Notion at its real pace, a model with a set
// latency) in this process, a database of N rows, a run started the way the panel's Start starts one,
// and the Notion requests it sent, counted from the sandbox's own log.
import { checkSetup } from '../../src/jobs/database-setup.ts';
import { runDatabaseJob } from '../../src/jobs/database-job.ts';
import { createJob } from '../../src/jobs/job-store.ts';
import { databaseJob } from '../../src/jobs/start.ts';
import { retrieveDatabase } from '../../src/notion/target.ts';
import type { DatabaseJob } from '../../src/shared/job.ts';
import type { DatabaseRunSetup } from '../../src/shared/intents.ts';
import { runBase, startJobWorld, type JobWorld, type JobWorldOptions } from '../sandbox/job-world.ts';

/** Notion's documented average rate, as the sandbox enforces it (burst 3, as measured on Notion). */
export const NOTION_RPS = 3;

export const PROMPT = 'Translate the topic to Japanese: {{Topic}}';

export interface BenchWorld extends JobWorld {
  databaseId: string;
  dataSourceId: string;
  outputId: string;
  rows: number;
}

/** A sandbox at Notion's pace with a model that answers after `latencyMs`, holding `rows` rows to fill. */
export async function benchWorld(rows: number, latencyMs: number, options: JobWorldOptions = {}): Promise<BenchWorld> {
  const world = await startJobWorld({
    notionRequestsPerSecond: NOTION_RPS,
    notionBurst: NOTION_RPS,
    pacerRequestsPerSecond: NOTION_RPS,
    model: { timeToFirstTokenMs: latencyMs, tokensPerSecond: 0 },
    // OpenAI's tier 1 preset.
    limits: { concurrency: 16, requestsPerMinute: 500 },
    ...options,
  });
  const db = world.notion.createDatabase({
    title: `Bench ${rows} rows`,
    properties: { Topic: 'title', Output: 'rich_text' },
    rows: Array.from({ length: rows }, (_, i) => ({ Topic: `Topic ${i + 1}` })),
  });
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  const outputId = properties.find((p) => p.name === 'Output')!.id;
  return { ...world, databaseId: db.databaseId, dataSourceId: db.dataSourceId, outputId, rows };
}

/** The physical bound of a run over N rows: N writes and ⌈N/100⌉ queries at Notion's rate. */
export const boundSeconds = (rows: number) => (rows + Math.ceil(rows / 100)) / NOTION_RPS;

export interface RunFigures {
  seconds: number;
  requests: number;
  /** Requests answered with 429 (not counted in `requests`). */
  rateLimited: number;
  writes: number;
  byRoute: Record<string, number>;
}

/** Measures `work` by the sandbox's request log: wall time, and what it sent to Notion. */
export async function measure(world: JobWorld, work: () => Promise<unknown>): Promise<RunFigures> {
  const from = world.notion.requestLog.length;
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const log = world.notion.requestLog.slice(from);
  const byRoute: Record<string, number> = {};
  for (const entry of log) {
    const key = entry.status === 429 ? '429' : entry.route;
    byRoute[key] = (byRoute[key] ?? 0) + 1;
  }
  const rateLimited = byRoute['429'] ?? 0;
  return {
    seconds,
    requests: log.length - rateLimited,
    rateLimited,
    writes: log.filter((e) => e.route === 'PATCH /v1/pages/:id' && e.status === 200).length,
    byRoute,
  };
}

/** Start as the panel does it: the setup checked, the job stored, the run carried out to its end. */
export async function runInkling(world: BenchWorld, setup: Partial<DatabaseRunSetup> = {}): Promise<DatabaseJob> {
  const ctx = world.context();
  const full: DatabaseRunSetup = {
    databaseId: world.databaseId,
    template: PROMPT,
    outputs: [{ id: world.outputId }],
    selection: 'empty',
    overwrite: false,
    untick: false,
    expectedRows: world.rows,
    ...setup,
  };
  const checked = await checkSetup(ctx.notion, full);
  const job = databaseJob(runBase(checked, 'bench'), checked, full);
  await createJob(job);
  return runDatabaseJob(job, ctx);
}

/**
 * The seed app's way, as a baseline: the rows listed 100 at a time, then for each row one model call
 * and then its write, one row after another, through the same paced client and the same model.
 */
export async function runSequential(world: BenchWorld): Promise<void> {
  const ctx = world.context();
  let cursor: string | undefined;
  do {
    const page = await ctx.notion.dataSources.query({
      data_source_id: world.dataSourceId,
      page_size: 100,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    for (const row of page.results) {
      const title = 'properties' in row ? JSON.stringify(row.properties) : '';
      const answer = await ctx.engine.generate({ system: 'Translate the topic to Japanese.', prompt: title });
      await ctx.notion.pages.update({
        page_id: row.id,
        properties: { [world.outputId]: { rich_text: [{ text: { content: answer.text.slice(0, 2000) } }] } },
      });
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

export const ratio = (value: number) => `${value.toFixed(2)}x`;
