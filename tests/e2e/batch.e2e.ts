// "Slow and cheap (batch)": a 50-row run sent as one batch to OpenAI's Batch API at half the price,
// waited for across a worker stop and a browser restart, then written — every row once — with the
// batch price in Usage.
import { describe, expect, it } from 'vitest';
import { costOf, BATCH_PRICE_FACTOR } from '../../src/llm/prices.ts';
import {
  click,
  configure,
  openPopup,
  panelText,
  readExtensionStorage,
  runStatus,
  stopWorker,
  useWorld,
  waitFor,
} from './harness.ts';
import { appliedWrites, openAndSetUp, storedRun, topicsDatabase } from './databases.ts';

const { world, pages } = useWorld({
  configure: { engine: 'openai', limitPresets: { openai: 'tier1' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

interface StoredBatchJob {
  status: string;
  resumeAt?: number;
  batch?: { id?: string };
  usage: { costUsd: number | null };
}

describe('Slow and cheap (batch)', () => {
  it('sends 50 rows as one batch, carries on across a worker stop and a browser restart, and writes each row once at the batch price', async () => {
    await configure(world, { engine: 'openai', limitPresets: { openai: 'tier1' } });
    // Held until the test lets the provider answer it.
    world.sandbox.models.configure({ batchTurnaroundMs: 600_000 });
    const db = topicsDatabase(world, { count: 50, ticked: () => true });
    const page = await openAndSetUp(world, pages, db, 'Translate {{Topic}} to Japanese');
    await click(page, 'Generate');
    const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    expect(estimate).toContain('50 rows to do');
    expect(await panelText(page, 'label.check:has(input[aria-label="Slow and cheap (batch)"])')).toMatch(
      /^ Slow and cheap \(batch\): about \$[\d.]+ instead of \$[\d.]+\. The answers come within a day/,
    );
    await click(page, 'Slow and cheap (batch)', 'checkbox');
    await click(page, 'Start');
    const waiting = await runStatus(page, 'Waiting for the batch.');
    expect(waiting).toContain('OpenAI answers a batch within a day');
    const job = async () => (await storedRun(world)).job as unknown as StoredBatchJob | undefined;
    const batchId = (await job())?.batch?.id;
    expect(batchId).toMatch(/^batch_/);
    expect(world.sandbox.models.calls).toEqual([]);

    await stopWorker(world);
    await world.sandbox.models.batches.finish(batchId!);
    // The browser closes while the batch is answered, and opens once the run's next look is due.
    const due = (await job())?.resumeAt ?? Date.now();
    pages.splice(0);
    await world.closeBrowser();
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 500));
    await world.reopenBrowser();
    await waitFor(async () => (await job())?.status === 'done', 'the run to finish after the restart', 120_000);

    const calls = world.sandbox.models.calls;
    expect(calls).toHaveLength(50);
    expect(calls.every((c) => c.batch === batchId)).toBe(true);
    const writes = appliedWrites(world, db.rowIds);
    expect([...writes.values()]).toEqual(Array(50).fill(1));
    expect(db.cells().every((row) => row.Output !== '')).toBe(true);

    // Usage counts the batch at its price: half of what the same calls cost one by one.
    const full = calls.reduce(
      (sum, c) => sum + costOf('openai', c.model, { inputTokens: c.inputTokens, outputTokens: c.outputTokens }).usd!,
      0,
    );
    expect((await job())?.usage.costUsd).toBeCloseTo(full * BATCH_PRICE_FACTOR, 8);
    const stored = (await readExtensionStorage(world)).usage as Array<{ costUsd: number | null }>;
    expect(stored.reduce((sum, e) => sum + (e.costUsd ?? 0), 0)).toBeCloseTo(full * BATCH_PRICE_FACTOR, 8);
    const tab = await openPopup(world);
    pages.push(tab);
    await click(tab, 'Usage', 'tab');
    await waitFor(
      () => tab.$eval('[data-testid="usage-total"]', (e) => e.textContent ?? '').then((t) => t.includes('1 run')),
      'the run in Usage',
    );
  });
});
