// "Slow and cheap (batch)": a 50-row run sent as one batch to OpenAI's Batch API at half the price,
// waited for across a worker stop and a browser restart, then written — every row once — with the
// batch price in Usage; a batch that ran out of time, one whose requests partly failed, and an engine
// without a batch API, each said in the panel with what to do.
import { describe, expect, it } from 'vitest';
import { costOf, BATCH_PRICE_FACTOR } from '../../src/llm/prices.ts';
import {
  byLabel,
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

/** Starts a 20-row batch run of `prompt`, and gives its batch's id once it waits for it. */
async function startBatch(prompt: string) {
  const db = topicsDatabase(world, { count: 20, ticked: () => true });
  const page = await openAndSetUp(world, pages, db, prompt);
  await click(page, 'Generate');
  await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
  await click(page, 'Slow and cheap (batch)', 'checkbox');
  await click(page, 'Start');
  await runStatus(page, 'Waiting for the batch.');
  const stored = (await storedRun(world)).job as unknown as StoredBatchJob;
  return { db, page, batchId: stored.batch!.id! };
}

/**
 * Waits for the run's counts to read `counts`, and for the panel's list of failed rows to name as many
 * rows as they say failed (the list catches up with the counts a moment later); gives the list.
 */
async function finished(page: Awaited<ReturnType<typeof startBatch>>['page'], counts: string) {
  await waitFor(
    () => panelText(page, '[data-testid="run-counts"]').then((t) => t.includes(counts)),
    `“${counts}”`,
    60_000,
  );
  const failed = Number(/(\d+) failed/.exec(counts)?.[1] ?? 0);
  const list = () => panelText(page, '[aria-label="Failed rows"]').catch(() => '');
  return waitFor(async () => {
    const text = await list();
    return (text.match(/Topic \d\d: /g)?.length ?? 0) === failed ? text || ' ' : undefined;
  }, `the ${failed} failed rows listed`).then((text) => text.trim());
}

// Each look at a batch waits for the resume alarm, which rings every 30 s: a test that sends two
// batches waits for two.
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

  it('says when a batch ran out of time, and Retry failed sends those rows in a new batch', async () => {
    await configure(world, { engine: 'openai', limitPresets: { openai: 'tier1' } });
    world.sandbox.models.configure({ batchTurnaroundMs: 600_000 });
    const { db, page, batchId } = await startBatch('Translate {{Topic}} to Japanese');
    // Its window passes before the provider got to it: not one request was answered.
    world.sandbox.models.batches.expire(batchId);
    const failures = await finished(page, '0 written · 20 failed');
    expect(failures).toContain(
      'Topic 01: The batch’s 24 hours ran out before this row was answered. Retry failed sends it again.',
    );
    expect(world.sandbox.models.calls).toEqual([]);
    expect(db.cells().every((row) => row.Output === '')).toBe(true);

    world.sandbox.models.configure({ batchTurnaroundMs: 50 });
    await click(page, 'Retry failed');
    await runStatus(page, 'Waiting for the batch.');
    await finished(page, '20 written · 0 failed');
    const calls = world.sandbox.models.calls;
    expect(calls).toHaveLength(20);
    const retried = calls[0]!.batch;
    expect(retried).toMatch(/^batch_/);
    expect(retried).not.toBe(batchId);
    expect(calls.every((c) => c.batch === retried)).toBe(true);
    expect([...appliedWrites(world, db.rowIds).values()]).toEqual(Array(20).fill(1));
  }, 240_000);

  it('fails the rows a batch could not answer with why, writes the rest, and Retry failed asks again for those only', async () => {
    await configure(world, { engine: 'openai', limitPresets: { openai: 'tier1' } });
    // Topic 03 is too long for the model every time; Topic 07 meets a server error once.
    world.sandbox.models.script({ match: 'Topic 03', fault: 'context_length' });
    world.sandbox.models.script({ match: 'Topic 07', fault: 'server_error', times: 1 });
    const { db, page, batchId } = await startBatch('Translate {{Topic}} to Japanese');
    const failures = await finished(page, '18 written · 2 failed');
    expect(failures).toContain(
      'Topic 03: The prompt is too long for gpt-5.5-mini. Shorten it, or leave out the page content.',
    );
    expect(failures).toContain('Topic 07: OpenAI is having trouble (HTTP 500). Try again in a minute.');
    expect(world.sandbox.models.calls.filter((c) => c.batch === batchId)).toHaveLength(20);
    const cells = () => new Map(db.cells().map((row) => [row.Topic, row.Output]));
    expect([...cells().entries()].filter(([, output]) => output === '').map(([topic]) => topic)).toEqual([
      'Topic 03',
      'Topic 07',
    ]);

    await click(page, 'Retry failed');
    const again = await finished(page, '19 written · 1 failed');
    const retried = world.sandbox.models.calls.filter((c) => c.batch !== batchId);
    expect(retried).toHaveLength(2);
    expect(new Set(retried.map((c) => c.batch)).size).toBe(1);
    expect(again).toContain('Topic 03: The prompt is too long for gpt-5.5-mini.');
    expect(again).not.toContain('Topic 07');
    expect(cells().get('Topic 07')).not.toBe('');
    expect(cells().get('Topic 03')).toBe('');
    expect([...appliedWrites(world, db.rowIds).values()]).toEqual(Array(19).fill(1));
  }, 240_000);

  it('on Cancel, stops the batch at the provider and still writes the rows it answered by then', async () => {
    await configure(world, { engine: 'openai', limitPresets: { openai: 'tier1' } });
    // Topics 01 to 09 are answered at once; the others are still being answered when Cancel comes.
    world.sandbox.models.script({ match: /Topic (1\d|20)\b/, text: 'late', delayMs: 600_000 });
    const { db, page, batchId } = await startBatch('Translate {{Topic}} to Japanese');
    await waitFor(
      () => world.sandbox.models.calls.filter((c) => c.batch === batchId && c.status === 200).length === 9,
      'the batch to answer 9 rows',
    );
    await click(page, 'Cancel');
    const failures = await finished(page, '9 written · 11 failed');
    expect(failures).toContain(
      'Topic 10: The batch was cancelled before this row was answered. Retry failed sends it again.',
    );
    const written = db.cells().filter((row) => row.Output !== '');
    expect(written.map((row) => row.Topic)).toEqual(Array.from({ length: 9 }, (_, i) => `Topic 0${i + 1}`));
    expect([...appliedWrites(world, db.rowIds).values()]).toEqual(Array(9).fill(1));
    // Nothing more was asked of the provider.
    expect(world.sandbox.models.calls).toHaveLength(20);
  });

  it('goes to Gemini’s batch mode too, at its batch price', async () => {
    await configure(world, { engine: 'gemini', limitPresets: { gemini: 'paid' } });
    const { db, page, batchId } = await startBatch('Translate {{Topic}} to Japanese');
    expect(batchId).toMatch(/^batches\//);
    await finished(page, '20 written · 0 failed');
    const calls = world.sandbox.models.calls;
    expect(calls).toHaveLength(20);
    expect(calls.every((c) => c.batch === batchId)).toBe(true);
    expect([...appliedWrites(world, db.rowIds).values()]).toEqual(Array(20).fill(1));
    const full = calls.reduce(
      (sum, c) => sum + costOf('gemini', c.model, { inputTokens: c.inputTokens, outputTokens: c.outputTokens }).usd!,
      0,
    );
    expect(((await storedRun(world)).job as unknown as StoredBatchJob).usage.costUsd).toBeCloseTo(
      full * BATCH_PRICE_FACTOR,
      8,
    );
  });

  it('is not offered on an engine without a batch API, and says which engines have one', async () => {
    await configure(world, { engine: 'compatible', baseUrl: world.sandbox.compatibleBaseUrl });
    const db = topicsDatabase(world, { count: 20, ticked: () => true });
    const page = await openAndSetUp(world, pages, db, 'Translate {{Topic}} to Japanese');
    await click(page, 'Generate');
    await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    expect(await panelText(page, '[data-testid="batch-unavailable"]')).toBe(
      'The OpenAI-compatible server has no batch API, and costs nothing to run here: Slow and cheap (batch) is for GPT (OpenAI) and Gemini, at about half their price.',
    );
    expect(await page.$(byLabel(page, 'Slow and cheap (batch)', 'checkbox'))).toBeNull();
  });
});
