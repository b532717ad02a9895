// A page run against the in-process Notion API and model server, with storage on WXT's fake browser:
// the answer lands as blocks (at the end, or in place of the page's content, which Undo puts back);
// each phase is saved before it starts, so a run picked up after the worker died finishes without a
// block written twice or a second paid call; a write cut short keeps the answer and writes only the
// rest; Undo takes back only what still holds Inkling's words; images come only from given addresses.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import type { BlockTreeNode } from '../../tests/sandbox/notion/index.ts';
import { notionValidationError, startPageRunWorld, type PageRunWorld } from '../../tests/sandbox/page-run-world.ts';
import { InklingError } from '../shared/problem';
import { clearAllStorage, isRegisteredKey } from '../storage';
import { createJob, readJob, updateJob } from './job-store';
import { runPageJob, undoPageJob } from './page-job';
import { EMPTY_USAGE, type PageJob, type PagePhase } from '../shared/job';

let world: JobWorld;
let faults: PageRunWorld;

beforeAll(async () => {
  world = await startJobWorld();
  faults = await startPageRunWorld(world);
});
afterAll(async () => {
  await faults.close();
  await world.close();
});
// Whatever a run stored, under a key the storage registry declares: Clear can then find all of it.
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});
beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  await faults.reset();
  world.notion.reset();
  world.notion.clearRequestLog();
  world.models.reset();
});

const paragraph = (content: string) => ({
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', text: { content } }] },
});
const heading = (content: string) => ({
  type: 'heading_2',
  heading_2: { rich_text: [{ type: 'text', text: { content } }] },
});

function newPage(children: unknown[] = []): string {
  return world.notion.createPage({ title: `Notes ${crypto.randomUUID().slice(0, 8)}`, children });
}

async function newJob(targetId: string, extra: Partial<PageJob> = {}): Promise<PageJob> {
  const now = Date.now();
  const job: PageJob = {
    id: crypto.randomUUID(),
    connectionId: crypto.randomUUID(),
    kind: 'page',
    targetId,
    targetTitle: world.notion.resolveTitle(targetId)?.title ?? 'Notes',
    targetUrl: `https://www.notion.so/${targetId.replace(/-/g, '')}`,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    engine: { engine: 'compatible', model: 'llama3.2:latest', baseUrl: '', limitPreset: 'local' },
    usage: EMPTY_USAGE,
    prompt: 'Write the plan',
    useContext: false,
    mode: 'append',
    phase: 'generating',
    createdIds: [],
    ...extra,
  };
  return (await createJob(job)) as PageJob;
}

/** The model answers this, whatever it is asked. */
const answers = (text: string) => world.models.script({ text });

const textOf = (node: BlockTreeNode): string => {
  const data = node[node.type] as
    { rich_text?: Array<{ plain_text: string }>; checked?: boolean; external?: { url: string } } | undefined;
  if (data?.external) return data.external.url;
  return `${data?.checked ? '[x] ' : ''}${(data?.rich_text ?? []).map((t) => t.plain_text).join('')}`;
};
/** The page as a person sees it: one line per top-level block. */
const lines = (pageId: string) => world.notion.getBlockTree(pageId).map((node) => `${node.type}: ${textOf(node)}`);

/** Append requests Notion applied to the page. */
const appliedAppends = (pageId: string) =>
  world.notion.requestLog.filter(
    (e) =>
      e.route === 'PATCH /v1/blocks/:id/children' &&
      e.status === 200 &&
      e.path.replace(/-/g, '').includes(pageId.replace(/-/g, '')),
  );
const paidCalls = () => world.models.calls.filter((call) => call.status === 200 && !call.aborted).length;

/** The phases a job's saves went through, in order (each one once). */
function watchPhases(jobId: string): PagePhase[] {
  const phases: PagePhase[] = [];
  fakeBrowser.storage.local.onChanged.addListener((changes) => {
    const phase = (changes[`job:${jobId}`]?.newValue as PageJob | undefined)?.phase;
    if (phase && phases.at(-1) !== phase) phases.push(phase);
  });
  return phases;
}

async function until(test: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never happened: ${what}`);
}

/** Carries a stopped run on as Resume and “Write it again” do (status running again), with a fresh context. */
async function resume(job: PageJob): Promise<PageJob> {
  const running = (await updateJob<PageJob>(job.id, (j) => void (j.status = 'running')))!;
  return runPageJob(running, world.context());
}

const undo = async (job: PageJob) =>
  undoPageJob((await updateJob<PageJob>(job.id, (j) => void (j.status = 'undoing')))!, world.context());

async function failureOf(run: Promise<unknown>): Promise<InklingError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InklingError);
  return error as InklingError;
}

const manyParagraphs = (count: number) => Array.from({ length: count }, (_, i) => `Paragraph ${i + 1}.`).join('\n\n');

describe('a page run that appends', () => {
  it('writes the answer as blocks after what the page holds, saving each phase in order', async () => {
    const pageId = newPage([paragraph('Already here.')]);
    answers('## Plan\n\nFirst step.\n\n- one\n- two');
    const job = await newJob(pageId);
    const phases = watchPhases(job.id);
    const done = await runPageJob(job, world.context());
    expect(done).toMatchObject({
      status: 'done',
      phase: 'written',
      answer: '## Plan\n\nFirst step.\n\n- one\n- two',
      requests: 1,
    });
    expect(done.problem).toBeUndefined();
    expect(lines(pageId)).toEqual([
      'paragraph: Already here.',
      'heading_2: Plan',
      'paragraph: First step.',
      'bulleted_list_item: one',
      'bulleted_list_item: two',
    ]);
    // What Undo may take back: exactly the four new blocks, in order.
    expect(done.createdIds).toEqual(
      world.notion
        .getBlockTree(pageId)
        .slice(1)
        .map((n) => n.id),
    );
    expect(done.progress).toEqual({ done: 4, total: 4 });
    expect(done.usage.calls).toBe(1);
    expect(phases).toEqual(['writing', 'written']);
    expect(await readJob(job.id)).toEqual(done);
    expect(paidCalls()).toBe(1);
  });

  it('sends the page’s content with the prompt when asked to, and leaves that content as it was', async () => {
    const pageId = newPage([heading('Ingredients'), paragraph('Flour and water.')]);
    answers('Knead for ten minutes.');
    const done = await runPageJob(
      await newJob(pageId, { useContext: true, prompt: 'Write the next step' }),
      world.context(),
    );
    expect(done.status).toBe('done');
    const [call] = world.models.calls;
    expect(call?.prompt).toContain('Write the next step');
    expect(call?.prompt).toContain('Flour and water.');
    expect(lines(pageId)).toEqual([
      'heading_2: Ingredients',
      'paragraph: Flour and water.',
      'paragraph: Knead for ten minutes.',
    ]);
  });

  it('with web search, writes the answer and then the pages it cites as a “Sources” list of links', async () => {
    const pageId = newPage([paragraph('Mine.')]);
    world.models.script({
      text: 'Acme makes anvils.',
      sources: [
        { url: 'https://acme.example/', title: 'Acme' },
        { url: 'https://press.example/acme', title: 'Acme [press]' },
      ],
    });
    const done = await runPageJob(
      await newJob(pageId, {
        webSearch: true,
        engine: { engine: 'openai', model: 'gpt-5.5-mini', baseUrl: '', limitPreset: 'paid' },
      }),
      world.context(undefined, undefined, 'openai'),
    );
    expect(done.status).toBe('done');
    expect(world.models.calls[0]).toMatchObject({ tools: ['web_search'], searches: 1 });
    expect(done.usage.searches).toBe(1);
    expect(lines(pageId)).toEqual([
      'paragraph: Mine.',
      'paragraph: Acme makes anvils.',
      'heading_2: Sources',
      'bulleted_list_item: Acme',
      'bulleted_list_item: Acme [press]',
    ]);
    const links = world.notion
      .getBlockTree(pageId)
      .filter((n) => n.type === 'bulleted_list_item')
      .map((n) => (n.bulleted_list_item as { rich_text: Array<{ href: string | null }> }).rich_text[0]?.href);
    expect(links).toEqual(['https://acme.example/?utm_source=openai', 'https://press.example/acme?utm_source=openai']);
  });

  it('fails with “bad_output” and writes nothing when the model answers with nothing', async () => {
    const pageId = newPage([paragraph('Already here.')]);
    answers('   \n');
    const job = await newJob(pageId);
    const error = await failureOf(runPageJob(job, world.context()));
    expect(error.problem).toMatchObject({ source: 'model', kind: 'bad_output' });
    expect(lines(pageId)).toEqual(['paragraph: Already here.']);
    expect((await readJob(job.id)) as PageJob).toMatchObject({ phase: 'generating', createdIds: [] });
  });
});

describe('a page run that replaces', () => {
  it('moves the old blocks to the trash, leaves child pages, and Undo brings the old content back', async () => {
    const pageId = newPage([heading('Old title'), paragraph('Old text.')]);
    const childPage = world.notion.createPage({ title: 'Sub-page', parentId: pageId });
    const before = world.notion.getBlockTree(pageId);
    answers('New text.');
    const job = await newJob(pageId, { mode: 'replace' });
    const phases = watchPhases(job.id);
    const done = await runPageJob(job, world.context());
    expect(phases).toEqual(['clearing', 'writing', 'written']);
    expect(lines(pageId)).toEqual(['child_page: ', 'paragraph: New text.']);
    expect(world.notion.getBlockTree(pageId)[0]?.id).toBe(childPage);
    expect(done.replaced).toMatchObject({ removedIds: [before[0]!.id, before[1]!.id], keptCount: 1 });
    // In the trash, not gone for good.
    for (const id of done.replaced!.removedIds) {
      expect(((await world.client().blocks.retrieve({ block_id: id })) as { in_trash: boolean }).in_trash).toBe(true);
    }

    const undone = await undo(done);
    expect(undone.status).toBe('undone');
    expect(lines(pageId).toSorted()).toEqual(
      ['child_page: ', 'heading_2: Old title', 'paragraph: Old text.'].toSorted(),
    );
    expect(lines(pageId)).not.toContain('paragraph: New text.');
    // The snapshot is dropped once it is back on the page.
    expect(((await readJob(job.id)) as PageJob).replaced?.blocks).toEqual([]);
  });

  it('an Undo that cannot put the old content back says so and keeps it, and Undo again puts it back', async () => {
    const pageId = newPage([heading('Old title'), paragraph('Old text.')]);
    answers('New text.');
    const done = await runPageJob(await newJob(pageId, { mode: 'replace' }), world.context());
    faults.failNotion({
      method: 'PATCH',
      path: /\/children$/,
      status: 400,
      body: notionValidationError('Page is locked.'),
    });
    const error = await failureOf(undo(done));
    expect(error.problem.kind).toBe('validation');
    expect(error.problem.message).toBe(
      'Undo could not put back all of the page’s previous content (blocks 1–2 of 2 (from the heading "Old title")). Try Undo again.',
    );
    // Inkling's answer is gone already; the old content is still kept for the next try.
    expect(lines(pageId)).toEqual([]);
    const failed = (await readJob(done.id)) as PageJob;
    expect(failed.replaced?.blocks).toHaveLength(2);
    const undone = await undo(failed);
    expect(undone.status).toBe('undone');
    expect(lines(pageId)).toEqual(['heading_2: Old title', 'paragraph: Old text.']);
  });

  it('picked up after the worker died mid-clear, trashes the rest, writes the answer once, and Undo restores everything', async () => {
    const pageId = newPage([paragraph('One.'), paragraph('Two.'), paragraph('Three.')]);
    answers('Fresh.');
    const job = await newJob(pageId, { mode: 'replace' });
    // The second delete is in flight when the worker stops; it lands afterwards.
    const slow = faults.hold('DELETE', /^\/v1\/blocks\//, 1);
    const dying = new AbortController();
    const run = runPageJob(job, world.context(dying.signal)).catch((e: unknown) => e);
    await until(() => slow.count() === 1, 'the second delete is held');
    dying.abort();
    await run;
    await slow.release();
    const stored = (await readJob(job.id)) as PageJob;
    expect(stored.phase).toBe('clearing');
    const done = await resume(stored);
    expect(done.status).toBe('done');
    expect(lines(pageId)).toEqual(['paragraph: Fresh.']);
    expect(paidCalls()).toBe(1);
    await undo(done);
    expect(lines(pageId)).toEqual(['paragraph: One.', 'paragraph: Two.', 'paragraph: Three.']);
  });
});

describe('a page run picked up after the worker died', () => {
  it('mid-“generating”: asks the model once and writes every block once', async () => {
    const pageId = newPage();
    answers('Alpha.\n\nBeta.');
    // The old worker had streamed part of an answer it never got to keep.
    const job = await newJob(pageId, { partial: 'Alp' });
    const done = await runPageJob((await readJob(job.id)) as PageJob, world.context());
    expect(done.status).toBe('done');
    expect(done.partial).toBeUndefined();
    expect(lines(pageId)).toEqual(['paragraph: Alpha.', 'paragraph: Beta.']);
    expect(paidCalls()).toBe(1);
  });

  it('mid-“writing”, with a request in flight that landed after it died: finds it instead of sending it again, and asks the model nothing', async () => {
    const pageId = newPage([paragraph('Mine.')]);
    answers(manyParagraphs(150));
    const job = await newJob(pageId);
    // The first hundred blocks land; the request for the rest is on its way when the worker stops.
    const slow = faults.hold('PATCH', /\/children$/, 1);
    const dying = new AbortController();
    const run = runPageJob(job, world.context(dying.signal)).catch((e: unknown) => e);
    await until(() => slow.count() === 1, 'the second append is held');
    dying.abort();
    await run;
    const stored = (await readJob(job.id)) as PageJob;
    expect(stored).toMatchObject({ status: 'running', phase: 'writing' });
    expect(Object.keys(stored.ledger?.ids ?? {})).toHaveLength(100);
    expect(stored.ledger?.sent).toBeDefined();
    await slow.release();

    const done = await runPageJob(stored, world.context());
    expect(done.status).toBe('done');
    const expected = Array.from({ length: 150 }, (_, i) => `paragraph: Paragraph ${i + 1}.`);
    expect(lines(pageId)).toEqual(['paragraph: Mine.', ...expected]);
    expect(appliedAppends(pageId)).toHaveLength(2);
    expect(done.createdIds).toHaveLength(150);
    expect(paidCalls()).toBe(1);
  });

  it('after a write that failed part-way: keeps the answer, says what was not written, and “Write it again” writes only the rest', async () => {
    const pageId = newPage();
    answers(manyParagraphs(150));
    const job = await newJob(pageId);
    faults.failNotion({
      method: 'PATCH',
      path: /\/children$/,
      status: 400,
      body: notionValidationError('Block limit reached.'),
      skip: 1,
    });
    const error = await failureOf(runPageJob(job, world.context()));
    expect(error.problem.kind).toBe('validation');
    expect(error.problem.message).toBe(
      'Notion rejected the request: Block limit reached. Not written: blocks 101–150 of 150 (from the paragraph "Paragraph 101."). What was written is kept; Undo removes it.',
    );
    const failed = (await readJob(job.id)) as PageJob;
    expect(failed).toMatchObject({
      answer: manyParagraphs(150),
      notWritten: 'blocks 101–150 of 150 (from the paragraph "Paragraph 101.")',
      phase: 'writing',
    });
    expect(failed.createdIds).toHaveLength(100);
    expect(lines(pageId)).toHaveLength(100);

    const done = await resume(failed);
    expect(done.status).toBe('done');
    expect(done.notWritten).toBeUndefined();
    expect(lines(pageId)).toEqual(Array.from({ length: 150 }, (_, i) => `paragraph: Paragraph ${i + 1}.`));
    const [, second] = appliedAppends(pageId);
    expect((second!.body as { children: unknown[] }).children).toHaveLength(50);
    expect(appliedAppends(pageId)).toHaveLength(2);
    expect(paidCalls()).toBe(1);
    expect(done.createdIds).toHaveLength(150);
  });
});

describe('a cancelled page run', () => {
  it('stops at once when its signal is aborted mid-answer, and sends nothing to Notion after', async () => {
    const pageId = newPage([paragraph('Mine.')]);
    world.models.script({ text: 'Too late.', delayMs: 300 });
    const cancel = new AbortController();
    const job = await newJob(pageId);
    const run = runPageJob(job, world.context(cancel.signal));
    await until(() => world.models.calls.length === 1, 'the model is asked');
    world.notion.clearRequestLog();
    cancel.abort();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    await new Promise((r) => setTimeout(r, 400));
    expect(world.notion.requestLog).toEqual([]);
    expect(lines(pageId)).toEqual(['paragraph: Mine.']);
    expect(((await readJob(job.id)) as PageJob).answer).toBeUndefined();
  });

  it('cancelled from another screen while the model answers: keeps the paid answer and writes nothing', async () => {
    const pageId = newPage();
    world.models.script({ text: 'Paid for.', delayMs: 100 });
    const job = await newJob(pageId);
    const run = runPageJob(job, world.context());
    await until(() => world.models.calls.length === 1, 'the model is asked');
    await updateJob<PageJob>(job.id, (j) => void (j.status = 'cancelled'));
    const error = await failureOf(run);
    expect(error.problem).toMatchObject({ kind: 'aborted', message: 'Stopped.' });
    expect(lines(pageId)).toEqual([]);
    expect(((await readJob(job.id)) as PageJob).answer).toBe('Paid for.');
  });
});

describe('Undo of a page run', () => {
  it('Undo after a Cancel takes back the blocks of the request that was in flight when the run stopped', async () => {
    const pageId = newPage([paragraph('Mine.')]);
    answers(manyParagraphs(150));
    const job = await newJob(pageId);
    const slow = faults.hold('PATCH', /\/children$/, 1);
    const cancel = new AbortController();
    const run = runPageJob(job, world.context(cancel.signal)).catch((e: unknown) => e);
    await until(() => slow.count() === 1, 'the second append is held');
    cancel.abort();
    await run;
    await updateJob<PageJob>(job.id, (j) => void (j.status = 'cancelled'));
    await slow.release();
    expect(lines(pageId)).toHaveLength(151);
    const undone = await undo((await readJob(job.id)) as PageJob);
    expect(undone.status).toBe('undone');
    expect(lines(pageId)).toEqual(['paragraph: Mine.']);
  });

  it('deletes only the blocks that still hold Inkling’s words, and keeps the ones a person changed since', async () => {
    const pageId = newPage([paragraph('Before.')]);
    answers('First.\n\nSecond.\n\n- [ ] Task\n\n- Parent\n  - Child\n\nLast.');
    const done = await runPageJob(await newJob(pageId), world.context());
    const tree = world.notion.getBlockTree(pageId);
    const [, first, second, task, parent, last] = tree;
    expect(lines(pageId)).toEqual([
      'paragraph: Before.',
      'paragraph: First.',
      'paragraph: Second.',
      'to_do: Task',
      'bulleted_list_item: Parent',
      'paragraph: Last.',
    ]);
    // A person edits one paragraph, ticks the to-do, edits inside the list, and adds a block of their own.
    const notion = world.client();
    await notion.blocks.update({
      block_id: second!.id,
      paragraph: { rich_text: [{ type: 'text', text: { content: 'Second, corrected.' } }] },
    });
    await notion.blocks.update({ block_id: task!.id, to_do: { checked: true } });
    await notion.blocks.update({
      block_id: parent!.children[0]!.id,
      bulleted_list_item: { rich_text: [{ type: 'text', text: { content: 'Child, reworded.' } }] },
    });
    world.notion.appendBlocks(pageId, [paragraph('Added by a person.')]);

    const undone = await undo(done);
    expect(undone).toMatchObject({ status: 'undone', keptOnUndo: 3, createdIds: [second!.id, task!.id, parent!.id] });
    expect(lines(pageId)).toEqual([
      'paragraph: Before.',
      'paragraph: Second, corrected.',
      'to_do: [x] Task',
      'bulleted_list_item: Parent',
      'paragraph: Added by a person.',
    ]);
    const deleted = world.notion.requestLog.filter((e) => e.route === 'DELETE /v1/blocks/:id').map((e) => e.path);
    expect(deleted.toSorted()).toEqual([first!.id, last!.id].map((id) => `/v1/blocks/${id}`).toSorted());
  });

  it('takes back a run written before the ledger existed, by its top-level ids', async () => {
    const pageId = newPage([paragraph('Before.')]);
    answers('One.\n\nTwo.');
    const done = await runPageJob(await newJob(pageId), world.context());
    const old = (await updateJob<PageJob>(done.id, (j) => void delete j.ledger))!;
    expect(old.createdIds).toHaveLength(2);
    const undone = await undo(old);
    expect(undone).toMatchObject({ status: 'undone', keptOnUndo: 0, createdIds: [] });
    expect(lines(pageId)).toEqual(['paragraph: Before.']);
  });

  it('leaves out blocks that are no longer on the page', async () => {
    const pageId = newPage();
    answers('One.\n\nTwo.');
    const done = await runPageJob(await newJob(pageId), world.context());
    await world.client().blocks.delete({ block_id: done.createdIds[0]! });
    world.notion.clearRequestLog();
    const undone = await undo(done);
    expect(undone).toMatchObject({ status: 'undone', keptOnUndo: 0 });
    expect(lines(pageId)).toEqual([]);
    expect(world.notion.requestLog.filter((e) => e.route === 'DELETE /v1/blocks/:id')).toHaveLength(1);
  });
});

describe('images in a page answer', () => {
  const given = 'https://img.example/given.png';
  const fromPage = 'https://img.example/from-page.png';
  const other = 'https://img.example/elsewhere.png';
  const answer = `![given](${given})\n\n![page](${fromPage})\n\n![other](${other})`;

  it('become image blocks only from addresses the prompt or the page gave', async () => {
    const pageId = newPage([paragraph(`Diagram: ${fromPage}`)]);
    answers(answer);
    const done = await runPageJob(
      await newJob(pageId, { prompt: `Describe ${given}`, useContext: true }),
      world.context(),
    );
    expect(done.allowedImages).toEqual([given, fromPage]);
    const [, ...written] = world.notion.getBlockTree(pageId);
    expect(written.map((n) => `${n.type}: ${textOf(n)}`)).toEqual([
      `image: ${given}`,
      `image: ${fromPage}`,
      'paragraph: other',
    ]);
  });

  it('come from anywhere when the user allowed it', async () => {
    const pageId = newPage();
    answers(answer);
    const done = await runPageJob(await newJob(pageId, { allowImages: true }), world.context());
    expect(done.allowedImages).toEqual([given, fromPage, other]);
    expect(lines(pageId)).toEqual([`image: ${given}`, `image: ${fromPage}`, `image: ${other}`]);
  });
});
