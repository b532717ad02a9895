// Rows that know more than their own text: chained outputs (a later output's prompt names an earlier
// one's answer, and each row's second call is built from its first), with a circle of prompts refused.
import { describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { databaseHref } from '../sandbox/site/index.ts';
import { click, openNotion, openPanel, panelText, runStatus, typeInto, useWorld, waitFor } from './harness.ts';
import { rowCells, setOutputs } from './databases.ts';

const { world, pages } = useWorld({
  configure: { limitPresets: { gemini: 'paid' } },
  models: { timeToFirstTokenMs: 5, tokensPerSecond: 0 },
});

/** Notes to summarise, then classify by their summary. */
function notes() {
  return world.sandbox.notion.createDatabase({
    title: 'Notes',
    properties: {
      Topic: 'title',
      Summary: 'rich_text',
      Category: { select: { options: [{ name: 'Science' }, { name: 'Art' }] } },
    },
    rows: ['Black holes', 'Impressionism', 'Photosynthesis'].map((Topic) => ({ Topic })),
  });
}

async function openDatabase(databaseId: string, title: string): Promise<Page> {
  const page = await openNotion(world, databaseHref(databaseId));
  pages.push(page);
  await openPanel(page, title);
  return page;
}

describe('Chained outputs', () => {
  it('answers “Category” from each row’s own “Summary”: both steps previewed, both written, the second call built from the first', async () => {
    const db = notes();
    const page = await openDatabase(db.databaseId, 'Notes');
    await setOutputs(page, ['Summary', 'Category']);
    await typeInto(page, 'Prompt', 'Summarise {{Topic}} in one line');
    await click(page, 'Own prompt for “Category”', 'checkbox');
    await typeInto(page, 'Prompt for “Category”', 'Classify this summary: {{Summary}}');

    await click(page, 'Preview');
    const preview = await waitFor(
      () => panelText(page, '[aria-label="Preview"]').then((t) => (t.includes('Step 2') ? t : undefined)),
      'both steps in Preview',
    );
    expect(preview).toContain('Step 1 · Summary: ');
    expect(preview).toContain('Step 2 · Category: ');
    expect(world.sandbox.notion.requestLog.filter((r) => r.method === 'PATCH')).toEqual([]);
    world.sandbox.models.reset();
    world.sandbox.models.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 0 });

    await click(page, 'Generate');
    const estimate = await waitFor(() => panelText(page, '[data-testid="estimate"]'), 'the estimate');
    expect(estimate).toMatch(/^3 rows to do · about [\d,]+ tokens/);
    await click(page, 'Start');
    await runStatus(page, 'Done');

    const rows = world.sandbox.notion
      .queryRows(db.dataSourceId)
      .map((r) => rowCells(r, ['Topic', 'Summary', 'Category']));
    const calls = world.sandbox.models.calls;
    // Two calls a row: the Summary, then the Category from that very Summary.
    expect(calls).toHaveLength(6);
    for (const row of rows) {
      expect(row.Summary).toContain(row.Topic as string);
      expect(['Science', 'Art']).toContain(row.Category);
      const first = calls.findIndex((c) => c.prompt.endsWith(`Summarise ${row.Topic as string} in one line`));
      const second = calls.findIndex((c) => c.prompt.includes(`Classify this summary: ${row.Summary as string}`));
      expect(first).toBeGreaterThanOrEqual(0);
      expect(second).toBeGreaterThan(first);
    }
    // Each row written once, both outputs in one update.
    expect(world.sandbox.notion.requestLog.filter((r) => r.route === 'PATCH /v1/pages/:id')).toHaveLength(3);
  });

  it('refuses prompts that need each other’s answers, naming both, before anything is paid for', async () => {
    const db = notes();
    const page = await openDatabase(db.databaseId, 'Notes');
    await setOutputs(page, ['Summary', 'Category']);
    await typeInto(page, 'Prompt', 'Summarise {{Topic}} as {{Category}}');
    await click(page, 'Own prompt for “Category”', 'checkbox');
    await typeInto(page, 'Prompt for “Category”', 'Classify this summary: {{Summary}}');
    await click(page, 'Generate');
    const refusal = await waitFor(() => panelText(page, '.ink-problem[role="alert"]'), 'the refusal');
    expect(refusal).toContain(
      'These prompts need each other’s answers first, so none of them can go first: the Prompt uses {{Category}}, the prompt for “Category” uses {{Summary}}. Take one of those out.',
    );
    expect(world.sandbox.models.calls).toEqual([]);
  });
});
