// A page run, as a stored state machine: generate → (for a replace: snapshot and clear) → write.
// Each phase is saved before it begins, and each step can be repeated safely after the worker dies:
// the answer is kept once paid for, and a write cut short is cleared and redone from the page's
// own state, never doubled.
import { isFullBlock } from '@notionhq/client';
import { InklingError } from '../errors';
import { blocksToMarkdown, type ReadBlock } from '../notion/blocks-to-markdown';
import { toBlockTree } from '../notion/block-restore';
import { landsWhole, writeBlocks, type AppendFn } from '../notion/block-writer';
import { createCheckedAppend } from '../notion/checked-append';
import { notionProblem, toNotionProblem } from '../notion/errors';
import { markdownToBlocks, type BlockTree } from '../notion/markdown-to-blocks';
import { listChildren, readBlockTree } from '../notion/read-blocks';
import { richTextToPlainText, type RichTextItemRequest } from '../notion/rich-text';
import { buildPagePrompt } from '../prompt/page-prompt';
import type { JobContext } from './context';
import { updateJob } from './job-store';
import type { PageJob } from './types';
import { addUsage } from './usage';

/** How often streamed text is saved into the job (for a panel that opens mid-run). */
const PARTIAL_SAVE_INTERVAL_MS = 2_000;
/** Blocks that are pages of their own: a replace leaves them where they are. */
const KEPT_ON_REPLACE = new Set(['child_page', 'child_database']);

const save = (job: PageJob, change: (j: PageJob) => void) =>
  updateJob<PageJob>(job.id, (j) => {
    change(j);
  }).then((saved) => {
    if (!saved) throw new InklingError(notionProblem('validation', 'This run was removed.'));
    if (saved.status === 'cancelled') throw new InklingError({ source: 'inkling', kind: 'aborted', message: 'Stopped.', retryable: false });
    return saved;
  });

async function deleteBlocks(ctx: JobContext, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    ctx.signal.throwIfAborted();
    try {
      await ctx.notion.blocks.delete({ block_id: id });
    } catch (error) {
      // Already gone (trashed by an earlier attempt, or by the user) is what we wanted.
      const kind = toNotionProblem(error).kind;
      if (kind !== 'not_shared' && kind !== 'validation') throw error;
    }
  }
}

async function generate(job: PageJob, ctx: JobContext): Promise<PageJob> {
  let pageMarkdown: string | undefined;
  if (job.useContext) {
    const { blocks } = await readBlockTree(ctx.notion, job.targetId);
    pageMarkdown = blocksToMarkdown(blocks);
  }
  const { request, contextNote } = buildPagePrompt({ prompt: job.prompt, pageTitle: job.targetTitle, ...(pageMarkdown === undefined ? {} : { pageMarkdown }) });
  let lastSaved = Date.now();
  const result = await ctx.scheduler.run(
    (signal) =>
      ctx.engine.generate({
        ...request,
        ...(signal ? { signal } : {}),
        onText: (_delta, soFar) => {
          ctx.onText(soFar);
          if (Date.now() - lastSaved > PARTIAL_SAVE_INTERVAL_MS) {
            lastSaved = Date.now();
            void updateJob<PageJob>(job.id, (j) => void (j.partial = soFar));
          }
        },
      }),
    { signal: ctx.signal, onRetry: () => ctx.onText('') },
  );
  if (!result.text.trim()) throw new InklingError({ source: 'model', kind: 'bad_output', message: 'The model answered with nothing. Try again or rephrase the prompt.', retryable: false });
  // The answer is paid for: keep it before anything else can go wrong.
  return save(job, (j) => {
    j.answer = result.text;
    delete j.partial;
    j.usage = addUsage(j.usage, ctx.price(result.usage));
    j.phase = j.mode === 'replace' ? 'clearing' : 'writing';
    if (contextNote) j.contextNote = contextNote;
  });
}

async function clear(job: PageJob, ctx: JobContext): Promise<PageJob> {
  let current = job;
  if (!current.replaced) {
    const { blocks, truncated } = await readBlockTree(ctx.notion, current.targetId);
    if (truncated) {
      throw new InklingError(notionProblem('validation', 'This page is too long to replace safely. Choose “At the end of the page” instead.'));
    }
    const removable = blocks.filter((b) => !KEPT_ON_REPLACE.has(b.type));
    current = await save(current, (j) => {
      j.replaced = { blocks: removable.map(toBlockTree), removedIds: removable.map((b) => b.id), keptCount: blocks.length - removable.length };
    });
  }
  await deleteBlocks(ctx, current.replaced!.removedIds);
  return save(current, (j) => void (j.phase = 'writing'));
}

/**
 * Blocks found on the page after the last ones known to be written: are they exactly the next
 * blocks of the answer, each of which lands whole? Then the request that made them landed.
 */
function adoptable(found: readonly ReadBlock[], blocks: readonly BlockTree[], resumeAt: number): boolean {
  if (found.length === 0 || resumeAt + found.length > blocks.length) return false;
  return found.every((block, i) => {
    const planned = blocks[resumeAt + i]!;
    return block.type === planned.type && landsWhole(planned) && plainTextOf(block) === plainTextOfPlanned(planned);
  });
}

function plainTextOf(block: ReadBlock): string {
  const data = (block as unknown as Record<string, { rich_text?: Array<{ plain_text: string }> }>)[block.type];
  return (data?.rich_text ?? []).map((t) => t.plain_text).join('');
}

function plainTextOfPlanned(block: BlockTree): string {
  const data = (block as unknown as Record<string, { rich_text?: RichTextItemRequest[] }>)[block.type];
  return richTextToPlainText(data?.rich_text ?? []);
}

async function write(job: PageJob, ctx: JobContext): Promise<PageJob> {
  const pageId = job.targetId;
  let current = job;
  const children = await listChildren(ctx.notion, pageId);
  const blocks: BlockTree[] = markdownToBlocks(current.answer ?? '');
  let from = 0;
  let onPage = children.length;
  if (current.childrenBefore === undefined) {
    current = await save(current, (j) => void (j.childrenBefore = children.filter(isFullBlock).length));
  } else if (current.resumeAt !== undefined && children.length === current.childrenBefore + current.createdIds.length) {
    // The last attempt stopped (failed cleanly, or the worker died) after block `resumeAt` had landed
    // whole, and the page is as it left it: carry on from there.
    from = current.resumeAt;
  } else if (current.resumeAt !== undefined && adoptable(children.slice(current.childrenBefore + current.createdIds.length), blocks, current.resumeAt)) {
    // The worker died while a request was landing: its blocks are there, whole. Take them as written.
    const landed = children.slice(current.childrenBefore + current.createdIds.length);
    from = current.resumeAt + landed.length;
    current = await save(current, (j) => {
      j.createdIds.push(...landed.map((b) => b.id));
      j.resumeAt = from;
    });
  } else if (children.length > current.childrenBefore) {
    // An earlier attempt was cut short somewhere unknown: what follows the page's old content is that
    // attempt's. Clear it and start over.
    await deleteBlocks(ctx, children.slice(current.childrenBefore).map((b) => b.id));
    current = await save(current, (j) => {
      j.createdIds = [];
      delete j.resumeAt;
    });
    onPage = current.childrenBefore ?? 0;
  }
  current = await save(current, (j) => {
    delete j.notWritten;
  });
  const checked = createCheckedAppend(ctx.notion, new Map([[pageId, onPage]]));
  // Top-level ids are saved as soon as each request lands, so Undo finds them even after a crash.
  const append: AppendFn = async (req, signal) => {
    const result = await checked(req, signal);
    if (req.blockId === pageId) await updateJob<PageJob>(current.id, (j) => void j.createdIds.push(...result.ids));
    return result;
  };
  let lastProgress = 0;
  const result = await writeBlocks(pageId, blocks, append, {
    startAt: from,
    onCheckpoint: (done) => updateJob<PageJob>(current.id, (j) => void (j.resumeAt = done)).then(() => undefined),
    signal: ctx.signal,
    onProgress: (done, total) => {
      if (Date.now() - lastProgress < 500 && done < total) return;
      lastProgress = Date.now();
      void updateJob<PageJob>(current.id, (j) => void (j.progress = { done, total }));
    },
  });
  if (result.failure) {
    const problem = toNotionProblem(result.failure.error, 'page');
    await updateJob<PageJob>(current.id, (j) => {
      j.notWritten = result.failure!.description;
      j.requests = result.requests;
      if (result.failure!.resumable) j.resumeAt = result.failure!.writtenTopLevel;
    });
    throw new InklingError(
      problem.kind === 'aborted' ? problem : { ...problem, message: `${problem.message} Not written: ${result.failure.description}. What was written is kept; Undo removes it.` },
      { cause: result.failure.error },
    );
  }
  return save(current, (j) => {
    j.phase = 'written';
    j.status = 'done';
    delete j.resumeAt;
    j.requests = result.requests;
    j.progress = { done: j.progress?.total ?? 0, total: j.progress?.total ?? 0 };
    delete j.problem;
  });
}

export async function runPageJob(job: PageJob, ctx: JobContext): Promise<PageJob> {
  let current = job;
  if (current.phase === 'generating') current = await generate(current, ctx);
  if (current.phase === 'clearing') current = await clear(current, ctx);
  if (current.phase === 'writing') current = await write(current, ctx);
  return current;
}

/** Undo: delete exactly the blocks this run created, then put back what a replace removed. */
export async function undoPageJob(job: PageJob, ctx: JobContext): Promise<PageJob> {
  await deleteBlocks(ctx, job.createdIds.toReversed());
  let current = await save(job, (j) => void (j.createdIds = []));
  if (current.replaced && current.replaced.blocks.length > 0) {
    const pageId = current.targetId;
    const children = await listChildren(ctx.notion, pageId);
    const restoreFrom = current.replaced.restoreFrom;
    if (restoreFrom === undefined) {
      current = await save(current, (j) => void (j.replaced!.restoreFrom = children.length));
    } else if (children.length > restoreFrom) {
      // An earlier Undo was cut short while putting content back: clear its part and start over.
      await deleteBlocks(ctx, children.slice(restoreFrom).map((b) => b.id));
    }
    const before = current.replaced!.restoreFrom ?? children.length;
    const result = await writeBlocks(pageId, current.replaced!.blocks, createCheckedAppend(ctx.notion, new Map([[pageId, before]])), {
      signal: ctx.signal,
    });
    if (result.failure) {
      throw new InklingError({ ...toNotionProblem(result.failure.error, 'page'), message: `Undo could not put back all of the page’s previous content (${result.failure.description}). Try Undo again.` });
    }
    current = await save(current, (j) => {
      if (j.replaced) j.replaced = { ...j.replaced, blocks: [] };
    });
  }
  return save(current, (j) => void (j.status = 'undone'));
}
