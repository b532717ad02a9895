// Compare models on Preview: the same first rows answered by the engine in Settings and by another set
// up there, side by side with their tokens, cost and time — nothing written — and the run then made
// with the one picked.
import { describe, expect, it } from 'vitest';
import { chooseOption, click, panelText, runStatus, typeInto, useWorld, waitFor } from './harness.ts';
import { openAndSetUp, startRun, topicsDatabase } from './databases.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid', openai: 'tier1' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

describe('Compare models', () => {
  it('shows two columns of answers with their costs without writing, and runs with the one picked', async () => {
    const db = topicsDatabase(world, { count: 6, ticked: () => true });
    const page = await openAndSetUp(world, pages, db, 'Translate {{Topic}} to Japanese');
    world.sandbox.notion.clearRequestLog();

    await click(page, 'Compare models');
    await chooseOption(page, 'Compare with', 'GPT (OpenAI)');
    await typeInto(page, 'Model to compare', 'gpt-5.5');
    await click(page, 'Compare');
    const table = await waitFor(
      () => panelText(page, '[aria-label="Comparison"]').then((t) => (t.includes('Topic 03') ? t : '')),
      'the comparison',
    );
    expect(table).toContain('The first 3 rows answered by each — nothing was written.');
    const heads = await page.$$eval('pierce/[data-testid="compared-model"]', (els) =>
      els.map((el) => el.firstElementChild?.textContent ?? ''),
    );
    expect(heads).toEqual(['Gemini · gemini-3.8-flash', 'GPT (OpenAI) · gpt-5.5']);
    const usage = await page.$$eval('pierce/[data-testid="compared-usage"]', (els) => els.map((el) => el.textContent));
    for (const line of usage) expect(line).toMatch(/^\d[\d,]* tokens in · \d[\d,]* out · \$[\d.]+ · \d+\.\d s$/);
    const calls = world.sandbox.models.calls;
    expect(calls.filter((c) => c.provider === 'gemini')).toHaveLength(3);
    expect(calls.filter((c) => c.provider === 'openai').map((c) => c.model)).toEqual(['gpt-5.5', 'gpt-5.5', 'gpt-5.5']);
    // Nothing was written while comparing.
    expect(world.sandbox.notion.requestLog.filter((e) => e.route === 'PATCH /v1/pages/:id')).toEqual([]);
    expect(db.cells().every((row) => row.Output === '')).toBe(true);

    await click(page, 'Use for the run');
    expect(await panelText(page, '[data-testid="run-engine"]')).toBe(
      'This run uses GPT (OpenAI) · gpt-5.5, not the engine in Settings.',
    );
    const before = calls.length;
    await startRun(page);
    await runStatus(page, 'Done');
    const runCalls = world.sandbox.models.calls.slice(before);
    expect(runCalls.length).toBeGreaterThan(0);
    expect(runCalls.every((c) => c.provider === 'openai' && c.model === 'gpt-5.5')).toBe(true);
    expect(db.cells().every((row) => row.Output !== '')).toBe(true);
  });
});
