// Generate into a page: the long answer lands as exactly its blocks within every limit, Undo puts
// the page back, and failures from Notion and the model say what happened and lose nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimumRequests } from '../../src/notion/block-plan.ts';
import { markdownToBlocks } from '../../src/notion/markdown-to-blocks.ts';
import { FIXTURES } from '../sandbox/notion/index.ts';
import { pageHref } from '../sandbox/site/index.ts';
import {
  appendRequests as appendRequestsOf,
  expectedShapes,
  freshPage as freshPageIn,
  generate,
  treeOf,
} from './blocks.ts';
import {
  byLabel,
  click,
  configure,
  openPopup,
  panelText,
  readExtensionStorage,
  runStatus,
  stopWorker,
  typeInto,
  waitFor,
  useWorld,
} from './harness.ts';

const LONG_ANSWER = readFileSync(resolve(import.meta.dirname, '../../src/notion/fixtures/long-answer.md'), 'utf8');
const SHORT_ANSWER = '# Notion in short\n\nNotion is a **workspace**.\n\n- Pages\n- Databases\n';

const { world, pages } = useWorld({ models: { timeToFirstTokenMs: 20, tokensPerSecond: 5_000 } });

/** Undo deletes block by block at Notion's rate (~3 per second): 250 blocks take about 90 s. */
const UNDO_LONG_ANSWER_MS = 150_000;

const freshPage = (title: string) => freshPageIn(world, pages, title);
const tree = (id: string) => treeOf(world, id);
const appendRequests = () => appendRequestsOf(world);

describe('Generate into a page', () => {
  it('writes the long answer as exactly its blocks, in the fewest requests, and Undo puts the page back', async () => {
    world.sandbox.models.script({ text: LONG_ANSWER });
    const { id, page } = await freshPage('Long answer');
    const before = tree(id);
    await generate(page, 'Write the migration plan');
    const status = await runStatus(page, 'Done');
    expect(status).toContain('250 blocks added to the page');
    expect(status).toMatch(/\d[\d,]* tokens in · [\d,]+ out · \$\d/);

    const after = tree(id);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual(expectedShapes(LONG_ANSWER));
    // Money stayed text, the relative link became plain text, the ts fence became typescript.
    const written = JSON.stringify(after);
    expect(written).toContain('$5 and $10');
    expect(written).not.toContain('"type":"equation"');
    expect(written).toContain('"language":"typescript"');
    // Every request was accepted by the sandbox, which enforces Notion's limits; and there were as few as the limits allow.
    expect(appendRequests().every((r) => r.status === 200)).toBe(true);
    expect(appendRequests()).toHaveLength(minimumRequests(markdownToBlocks(LONG_ANSWER)));
    // The streamed answer was shown as text.
    expect(await panelText(page, '[aria-label="Answer"]')).toContain('$5 and $10');

    await click(page, 'Undo');
    await runStatus(page, 'Undone', UNDO_LONG_ANSWER_MS);
    expect(tree(id)).toEqual(before);
  });

  it('a whole answer fenced as markdown, with HTML, math and footnotes, lands as the document it holds', async () => {
    // What models often send: the article inside a ```markdown fence, HTML tags, one-line display math.
    const answer = [
      '```markdown',
      '# Boiling',
      '',
      'Water<br>boils at <b>100 °C</b> at sea level.[^1]',
      '',
      '$$T_b = 100\\,^{\\circ}C$$',
      '',
      '<details><summary>Why?</summary>Vapour pressure equals air pressure.</details>',
      '',
      '#### Call [us](tel:+15550100) <!-- no links Notion refuses -->',
      '',
      '[^1]: About 1 atm.',
      '```',
    ].join('\r\n');
    world.sandbox.models.script({ text: answer });
    const { id, page } = await freshPage('Fenced answer');
    const before = tree(id);
    await generate(page, 'Explain boiling');
    // One request, said as one (never "1 requests").
    expect(await runStatus(page, 'Done')).toContain('7 blocks added to the page in 1 request.');
    expect(tree(id).slice(before.length)).toEqual([
      { type: 'heading_1', text: 'Boiling' },
      { type: 'paragraph', text: 'Water\nboils at 100 °C at sea level.¹' },
      { type: 'equation', expression: 'T_b = 100\\,^{\\circ}C' },
      { type: 'toggle', text: 'Why?', children: [{ type: 'paragraph', text: 'Vapour pressure equals air pressure.' }] },
      { type: 'heading_4', text: 'Call us' },
      { type: 'heading_3', text: 'Notes' },
      { type: 'numbered_list_item', text: 'About 1 atm.' },
    ]);
    type Rich = Array<{ plain_text: string; annotations: { bold: boolean } }>;
    const paragraph = world.sandbox.notion
      .getBlockTree(id)
      .find((b) => b.type === 'paragraph' && JSON.stringify(b).includes('100 °C'));
    const rich = (paragraph?.paragraph as { rich_text: Rich } | undefined)?.rich_text ?? [];
    const bold = rich.filter((t) => t.annotations.bold).map((t) => t.plain_text);
    expect(bold).toEqual(['100 °C']);
    // Every request spoke the API version that has heading_4, and the sandbox accepted each one.
    const sent = world.sandbox.notion.requestLog;
    expect(new Set(sent.map((r) => r.version))).toEqual(new Set(['2026-03-11']));
    expect(appendRequests().every((r) => r.status === 200)).toBe(true);
  });

  it('replaces the page’s content after asking, and Undo restores it', async () => {
    world.sandbox.models.script({ text: SHORT_ANSWER });
    const { id, page } = await freshPage('Replace me');
    const before = tree(id);
    await typeInto(page, 'Prompt', 'Rewrite this page');
    await page.$eval('inkling-panel', (host) => {
      const radios = [...host.shadowRoot!.querySelectorAll('input[type=radio]')] as HTMLInputElement[];
      radios[1]!.click();
    });
    await click(page, 'Generate');
    await click(page, 'Replace content');
    await runStatus(page, 'Done');
    expect(tree(id)).toEqual(expectedShapes(SHORT_ANSWER));
    await click(page, 'Undo');
    await runStatus(page, 'Undone');
    expect(tree(id)).toEqual(before);
  });

  it('uses the page’s content as context when asked', async () => {
    const { page } = await freshPage('Context page');
    await typeInto(page, 'Prompt', 'Summarise the page');
    await page.$eval('inkling-panel', (host) =>
      (host.shadowRoot!.querySelector('input[type=checkbox]') as HTMLInputElement).click(),
    );
    await click(page, 'Generate');
    await runStatus(page, 'Done');
    const call = world.sandbox.models.calls.at(-1)!;
    expect(call.prompt).toContain('Summarise the page');
    expect(call.prompt).toContain('Existing text.');
  });

  it('runs from the Create tab, writing the same long answer exactly, and saves the run as a connection', async () => {
    world.sandbox.models.script({ text: LONG_ANSWER });
    const id = world.sandbox.notion.createPage({ title: 'From the popup' });
    const popup = await openPopup(world);
    pages.push(popup);
    await click(popup, 'Create', 'tab');
    await typeInto(popup, 'Connection name', 'Blog post');
    await typeInto(popup, 'Notion URL', `https://www.notion.so${pageHref(id, 'From the popup')}`);
    await click(popup, 'Next');
    await popup.waitForSelector('::-p-text(From the popup)');
    await typeInto(popup, 'Prompt', 'Write me a blog on Notion in 100 words');
    await click(popup, 'Generate');
    await runStatus(popup, 'Done', 30_000, '.popup');
    expect(tree(id)).toEqual(expectedShapes(LONG_ANSWER));
    expect(appendRequests()).toHaveLength(minimumRequests(markdownToBlocks(LONG_ANSWER)));
    const connections = Object.values(
      (await readExtensionStorage(world)).connections as Record<string, Record<string, unknown>>,
    );
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({
      name: 'Blog post',
      kind: 'page',
      targetId: id,
      targetTitle: 'From the popup',
      prompt: 'Write me a blog on Notion in 100 words',
      engine: 'gemini',
      model: 'gemini-3.8-flash',
      lastRun: expect.objectContaining({ status: 'done' }),
    });
  });
});

describe('When things go wrong', () => {
  it('an unshared page is named before anything is paid for', async () => {
    const popup = await openPopup(world);
    pages.push(popup);
    await click(popup, 'Create', 'tab');
    await typeInto(popup, 'Notion URL', `https://www.notion.so${pageHref(FIXTURES.privatePageId, 'Private notes')}`);
    await click(popup, 'Next');
    await popup.waitForSelector(
      '::-p-text(Inkling can’t see this page. In Notion, open it, click ••• → Connections, and add your integration.)',
    );
    expect(world.sandbox.models.calls).toHaveLength(0);
  });

  it('waits out a 429 storm and writes every block exactly once', async () => {
    world.sandbox.models.script({ text: LONG_ANSWER });
    const { id, page } = await freshPage('Rate limited');
    const before = tree(id);
    world.sandbox.faults.add({
      host: 'api.notion.com',
      method: 'PATCH',
      status: 429,
      headers: { 'retry-after': '1' },
      times: 4,
    });
    await generate(page, 'Write the plan');
    await runStatus(page, 'Done');
    expect(world.sandbox.faults.firedCount).toBe(4);
    expect(tree(id).slice(before.length)).toEqual(expectedShapes(LONG_ANSWER));
  });

  it('a 500 or a dropped connection mid-write, landed or not, neither loses nor doubles a block', async () => {
    world.sandbox.models.script({ text: LONG_ANSWER });
    const { id, page } = await freshPage('Flaky');
    const before = tree(id);
    // The second append fails without landing; the third lands but its answer is lost.
    world.sandbox.faults.add({
      host: 'api.notion.com',
      method: 'PATCH',
      path: '/v1/blocks/',
      status: 500,
      skip: 1,
      times: 1,
    });
    world.sandbox.faults.add({
      host: 'api.notion.com',
      method: 'PATCH',
      path: '/v1/blocks/',
      drop: true,
      afterApplying: true,
      skip: 2,
      times: 1,
    });
    await generate(page, 'Write the plan');
    await runStatus(page, 'Done');
    expect(world.sandbox.faults.firedCount).toBe(2);
    expect(tree(id).slice(before.length)).toEqual(expectedShapes(LONG_ANSWER));
  });

  it('a write that keeps failing says which part did not land, keeps the rest, writes the rest later, and Undo still works', async () => {
    const answer = Array.from({ length: 105 }, (_, i) => (i === 100 ? '## Part two' : `Paragraph ${i + 1}.`)).join(
      '\n\n',
    );
    world.sandbox.models.script({ text: answer });
    const { id, page } = await freshPage('Broken');
    const before = tree(id);
    world.sandbox.faults.add({
      host: 'api.notion.com',
      method: 'PATCH',
      path: '/v1/blocks/',
      status: 500,
      skip: 1,
      times: Infinity,
    });
    await generate(page, 'Write the plan');
    const status = await runStatus(page, 'Not written');
    expect(status).toContain('Notion is having trouble (HTTP 500)');
    expect(status).toContain('blocks 101–105 of 105 (from the heading "Part two")');
    expect(tree(id).slice(before.length)).toEqual(expectedShapes(answer).slice(0, 100));
    // The paid answer was kept: writing it again costs no model call, and carries on where it stopped.
    world.sandbox.faults.clear();
    const calls = world.sandbox.models.calls.length;
    await click(page, 'Write it again');
    await runStatus(page, 'Done');
    expect(world.sandbox.models.calls.length).toBe(calls);
    expect(tree(id).slice(before.length)).toEqual(expectedShapes(answer));
    await click(page, 'Undo');
    await runStatus(page, 'Undone', UNDO_LONG_ANSWER_MS);
    expect(tree(id)).toEqual(before);
  });

  it('a worker stopped mid-write carries on where it stopped, without doubling a block', async () => {
    world.sandbox.models.script({ text: LONG_ANSWER });
    const { id, page } = await freshPage('Interrupted');
    const before = tree(id);
    // Each append takes a while, so the worker can be stopped between them.
    world.sandbox.faults.add({
      host: 'api.notion.com',
      method: 'PATCH',
      path: '/v1/blocks/',
      delayMs: 1_500,
      times: Infinity,
    });
    await generate(page, 'Write the plan');
    await waitFor(
      async () => {
        const stored = await readExtensionStorage(world);
        const job = Object.entries(stored).find(([k]) => k.startsWith('job:'))?.[1] as
          { createdIds?: string[] } | undefined;
        return (job?.createdIds?.length ?? 0) >= 100;
      },
      'the first 100 blocks to land',
      30_000,
    );
    await stopWorker(world);
    // If the worker died after the append left but before Notion saw it, the new worker looks for it
    // until Notion's landing window (70 s) closes before sending it again: allow for that wait.
    await runStatus(page, 'Done', 100_000);
    expect(tree(id).slice(before.length)).toEqual(expectedShapes(LONG_ANSWER));
    // Nothing was deleted and written again: three appends in all, as without the stop.
    expect(appendRequests().filter((r) => r.status === 200)).toHaveLength(
      minimumRequests(markdownToBlocks(LONG_ANSWER)),
    );
  }, 180_000);

  it('a rejected model key and a safety block say so, and nothing is written', async () => {
    await configure(world, { geminiKey: 'AIzaSy-revoked-key-0000000000000000000' });
    const { id, page } = await freshPage('Bad key');
    const before = tree(id);
    await generate(page, 'Write something');
    expect(await runStatus(page, 'did not accept')).toContain('Gemini did not accept this API key');
    expect(tree(id)).toEqual(before);

    await configure(world);
    world.sandbox.models.script({ fault: 'safety', times: 1 });
    await click(page, 'Generate');
    expect(await runStatus(page, 'blocked')).toContain('Gemini blocked this answer (SAFETY)');
    expect(tree(id)).toEqual(before);
  });

  it('Stop ends a streaming answer and writes nothing', async () => {
    world.sandbox.models.configure({ tokensPerSecond: 40 });
    world.sandbox.models.script({ text: LONG_ANSWER });
    const { id, page } = await freshPage('Stopped');
    const before = tree(id);
    await generate(page, 'Write slowly');
    await waitFor(async () => (await panelText(page, '[aria-label="Answer"]')).length > 20, 'streamed text');
    await click(page, 'Stop');
    await runStatus(page, 'Stopped');
    expect(tree(id)).toEqual(before);
    expect(await page.$(byLabel(page, 'Generate', 'button'))).not.toBeNull();
  });
});
