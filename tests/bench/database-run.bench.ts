// `npm run bench`: a database run against the sandbox at Notion's real pace, beside its bound and
// beside the seed app's sequential way, in one process and one run.
import { describe, expect, it } from 'vitest';
import { MODEL_BOUND_LIMITS } from '../sandbox/job-world.ts';
import { benchWorld, boundSeconds, measure, ratio, runInkling, runSequential, type BenchWorld } from './bench-world.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
const SEQUENTIAL_ROWS = Number(process.env.BENCH_SEQUENTIAL_ROWS ?? 60);
/** One row a call at 15 a minute takes 12× the bound: a few minutes of it show the rate. */
const UNPACKED_ROWS = Number(process.env.BENCH_UNPACKED_ROWS ?? 45);
const HEAP_ROWS = Number(process.env.BENCH_HEAP_ROWS ?? 10_000);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const inputTokensPerRow = (world: BenchWorld) =>
  world.models.calls.reduce((sum, call) => sum + call.inputTokens, 0) / world.rows;

describe('bench', () => {
  it.concurrent.each([300, 1500, 3000])(
    'db-run at model latency %i ms',
    async (latencyMs) => {
      const inklingWorld = await benchWorld(ROWS, latencyMs);
      const sequentialWorld = await benchWorld(SEQUENTIAL_ROWS, latencyMs);
      const [inkling, sequential] = await Promise.all([
        measure(inklingWorld, () => runInkling(inklingWorld)),
        measure(sequentialWorld, () => runSequential(sequentialWorld)),
      ]);
      await Promise.all([inklingWorld.close(), sequentialWorld.close()]);
      const line = [
        `bench db-run ${ROWS} rows 3 rps model ${latencyMs / 1000} s:`,
        `inkling ${ratio(inkling.seconds / boundSeconds(ROWS))} × bound,`,
        `sequential ${ratio(sequential.seconds / boundSeconds(SEQUENTIAL_ROWS))} × bound (${SEQUENTIAL_ROWS} rows),`,
        `requests/row ${ratio(inkling.requests / ROWS)},`,
        `429s ${inkling.rateLimited}`,
      ].join(' ');
      console.log(line, JSON.stringify(inkling.byRoute));
      expect(inkling.writes).toBe(ROWS);
      // The bounds (a ratio to the physical bound, not a time): ≤ 1.05 × bound, ≤ 1.03 requests a row.
      expect(inkling.seconds / boundSeconds(ROWS)).toBeLessThanOrEqual(1.05);
      expect(inkling.requests / ROWS).toBeLessThanOrEqual(1.03);
      expect(inkling.rateLimited).toBeLessThanOrEqual(5);
    },
    3_600_000,
  );

  it.concurrent('db-run model-bound at 15 requests a minute, packing on and off', async () => {
    const packedWorld = await benchWorld(ROWS, 1500, { limits: MODEL_BOUND_LIMITS });
    const unpackedWorld = await benchWorld(UNPACKED_ROWS, 1500, { limits: MODEL_BOUND_LIMITS });
    const [packed, unpacked] = await Promise.all([
      measure(packedWorld, () => runInkling(packedWorld)),
      measure(unpackedWorld, () => runInkling(unpackedWorld, { packRows: false })),
    ]);
    const packedTokens = inputTokensPerRow(packedWorld);
    const unpackedTokens = inputTokensPerRow(unpackedWorld);
    console.log(
      [
        `bench db-run ${ROWS} rows 3 rps model 1.5 s at 15 requests a minute:`,
        `packed ${ratio(packed.seconds / boundSeconds(ROWS))} × bound (${packedWorld.models.calls.length} calls),`,
        `one row a call ${ratio(unpacked.seconds / boundSeconds(UNPACKED_ROWS))} × bound (${UNPACKED_ROWS} rows),`,
        `input tokens/row ${packedTokens.toFixed(1)} packed vs ${unpackedTokens.toFixed(1)}`,
        `(${Math.round((1 - packedTokens / unpackedTokens) * 100)} % fewer),`,
        `requests/row ${ratio(packed.requests / ROWS)}, 429s ${packed.rateLimited}`,
      ].join(' '),
    );
    await Promise.all([packedWorld.close(), unpackedWorld.close()]);
    expect(packed.writes).toBe(ROWS);
    expect(packed.seconds / boundSeconds(ROWS)).toBeLessThanOrEqual(1.5);
    expect(packedTokens).toBeLessThanOrEqual(unpackedTokens * 0.6);
    // Every row its own answer, though 15 share a call.
    for (const row of packedWorld.notion.queryRows(packedWorld.dataSourceId)) {
      const cells = row.properties as Record<
        string,
        { title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }> }
      >;
      const topic = cells.Topic!.title!.map((t) => t.plain_text).join('');
      expect(cells.Output!.rich_text!.map((t) => t.plain_text).join('')).toBe(`「${topic}」(ja)`);
    }
  });
});

describe('bench heap', () => {
  it(`heap during a ${HEAP_ROWS}-row run`, async () => {
    // No rate limits and an instant model: memory, not time, is measured here.
    const world = await benchWorld(HEAP_ROWS, 0, {
      notionRequestsPerSecond: 0,
      pacerRequestsPerSecond: 1_000,
      limits: { concurrency: 16, requestsPerMinute: 0 },
    });
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 50);
    const figures = await measure(world, () => runInkling(world));
    clearInterval(sampler);
    console.log(
      `bench heap ${HEAP_ROWS} rows: peak ${mb(peak - before)} MB above the start (${((peak - before) / HEAP_ROWS / 1024).toFixed(1)} KB a row, ` +
        `sandbox and stored job included), ${Math.round(figures.seconds)} s unthrottled`,
    );
    expect(figures.writes).toBe(HEAP_ROWS);
    await world.close();
  });
});
