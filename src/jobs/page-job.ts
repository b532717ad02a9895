// A page run, as a stored state machine: generate → (for a replace: snapshot and clear) → write.
// Each phase is saved before it begins, and each step can be repeated safely after the worker dies:
// the answer is kept once paid for, and the write keeps a ledger of every block it created, so a
// write cut short carries on by those ids (block-writer.ts) — it never deletes or doubles anything.
import { sourcesMarkdown } from '../shared/sources';
import { InklingError } from '../shared/problem';
import { toBlockTree } from '../notion/block-restore';
import { blockWriteIo } from '../notion/block-io';
import { EMPTY_LEDGER, holdsPlanned, settleSent, topLevelIds, writeBlocks } from '../notion/block-writer';
import { type WriteLedger, type BlockTree } from '../shared/notion-shapes';
import { notionProblem, toNotionProblem } from '../notion/errors';
import { imageUrls, markdownToBlocks } from '../notion/markdown-to-blocks';
import { readPageMarkdown } from '../notion/page-markdown';
import { listChildren, readBlockTree } from '../notion/read-blocks';
import { buildPagePrompt } from '../prompt/page-prompt';
import type { JobContext } from './context';
import { updateJob } from './job-store';
import type { PageJob } from '../shared/job';
import { addUsage } from '../shared/job';

/** How often streamed text is saved into the job (for a panel that opens mid-run). */
const PARTIAL_SAVE_INTERVAL_MS = 2_000;
/** Blocks that are pages of their own: a replace leaves them where they are. */
const KEPT_ON_REPLACE = new Set(['child_page', 'child_database']);

const save = (job: PageJob, change: (j: PageJob) => void) =>
  updateJob<PageJob>(job.id, (j) => {
    change(j);
  }).then((saved) => {
    if (!saved) throw new InklingError(notionProblem('validation', 'This run was removed.'));
    if (saved.status === 'cancelled')
      throw new InklingError({ source: 'inkling', kind: 'aborted', message: 'Stopped.', retryable: false });
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

/** The answer's blocks, exactly as the write planned them (the same every time for the same job). */
export function plannedBlocks(job: PageJob): BlockTree[] {
  const allowed = new Set(job.allowedImages ?? []);
  return markdownToBlocks(job.answer ?? '', { allowImage: (url) => allowed.has(url) });
}

/**
 * Answers paid for whose save the browser refused (storage full), by job id: a Resume in this worker
 * writes them without asking the model again. A cache: gone with the worker.
 */
const unsavedAnswers = new Map<string, PageJob>();

async function generate(job: PageJob, ctx: JobContext): Promise<PageJob> {
  const kept = unsavedAnswers.get(job.id);
  if (kept) {
    const saved = await save(job, (j) => Object.assign(j, { ...kept, status: j.status, updatedAt: j.updatedAt }));
    unsavedAnswers.delete(job.id);
    return saved;
  }
  let pageMarkdown: string | undefined;
  if (job.useContext) {
    pageMarkdown = (await readPageMarkdown(ctx.notion, job.targetId)).markdown;
  }
  const { request, contextNote } = buildPagePrompt({
    prompt: job.prompt,
    pageTitle: job.targetTitle,
    ...(pageMarkdown === undefined ? {} : { pageMarkdown }),
  });
  let lastSaved = Date.now();
  const result = await ctx.scheduler.run(
    (signal) =>
      ctx.engine.generate({
        ...request,
        ...(job.webSearch ? { webSearch: true } : {}),
        signal,
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
  if (!result.text.trim())
    throw new InklingError({
      source: 'model',
      kind: 'bad_output',
      message: 'The model answered with nothing. Try again or rephrase the prompt.',
      retryable: false,
    });
  // Images become blocks Notion fetches: only those whose address the user gave (in the prompt or
  // the page), unless the user let the answer bring its own.
  const given = `${job.prompt}\n${pageMarkdown ?? ''}`;
  const allowedImages = imageUrls(result.text).filter((url) => job.allowImages === true || given.includes(url));
  // The answer is paid for: keep it before anything else can go wrong.
  const priced = ctx.price(result.usage);
  // With web search, the pages the answer cites follow it as a "Sources" list (written as its own blocks).
  const sources = sourcesMarkdown(result.sources ?? []);
  const answer = sources ? `${result.text.trimEnd()}\n\n${sources}` : result.text;
  const answered = (j: PageJob) => {
    j.answer = answer;
    delete j.partial;
    j.usage = addUsage(j.usage, priced);
    j.phase = j.mode === 'replace' ? 'clearing' : 'writing';
    if (allowedImages.length > 0) j.allowedImages = allowedImages;
    if (contextNote) j.contextNote = contextNote;
  };
  try {
    return await save(job, answered);
  } catch (error) {
    if (error instanceof InklingError && error.problem.kind === 'storage_full') {
      const draft = structuredClone(job);
      answered(draft);
      unsavedAnswers.set(job.id, draft);
    }
    throw error;
  }
}

async function clear(job: PageJob, ctx: JobContext): Promise<PageJob> {
  let current = job;
  if (!current.replaced) {
    const { blocks, truncated } = await readBlockTree(ctx.notion, current.targetId);
    if (truncated) {
      throw new InklingError(
        notionProblem(
          'validation',
          'This page is too long to replace safely. Choose “At the end of the page” instead.',
        ),
      );
    }
    const removable = blocks.filter((b) => !KEPT_ON_REPLACE.has(b.type));
    current = await save(current, (j) => {
      j.replaced = {
        blocks: removable.map(toBlockTree),
        removedIds: removable.map((b) => b.id),
        keptCount: blocks.length - removable.length,
      };
    });
  }
  await deleteBlocks(ctx, current.replaced!.removedIds);
  return save(current, (j) => void (j.phase = 'writing'));
}

/**
 * Writes `blocks` into the page, carrying on from the ledger `key` of the job, and saving it as it
 * goes. Returns the write's outcome.
 */
function writeWithLedger(
  job: PageJob,
  ctx: JobContext,
  blocks: BlockTree[],
  key: 'ledger' | 'restoreLedger',
  onProgress?: (done: number, total: number) => void,
) {
  const ledger: WriteLedger = (key === 'ledger' ? job.ledger : job.replaced?.restoreLedger) ?? EMPTY_LEDGER;
  return writeBlocks(job.targetId, blocks, blockWriteIo(ctx.notion, ctx.notionWith), {
    ledger,
    signal: ctx.signal,
    save: async (next) => {
      await updateJob<PageJob>(job.id, (j) => {
        if (key === 'ledger') {
          j.ledger = next;
          j.createdIds = topLevelIds(next);
        } else if (j.replaced) j.replaced.restoreLedger = next;
      });
    },
    ...(onProgress ? { onProgress } : {}),
  });
}

async function write(job: PageJob, ctx: JobContext): Promise<PageJob> {
  let current = await save(job, (j) => {
    delete j.notWritten;
  });
  let lastProgress = 0;
  const result = await writeWithLedger(current, ctx, plannedBlocks(current), 'ledger', (done, total) => {
    if (Date.now() - lastProgress < 500 && done < total) return;
    lastProgress = Date.now();
    void updateJob<PageJob>(current.id, (j) => void (j.progress = { done, total }));
  });
  current = await save(current, (j) => void (j.requests = (j.requests ?? 0) + result.requests));
  if (result.failure) {
    const problem = toNotionProblem(result.failure.error, 'page');
    await updateJob<PageJob>(current.id, (j) => void (j.notWritten = result.failure!.description));
    throw new InklingError(
      problem.kind === 'aborted'
        ? problem
        : {
            ...problem,
            message: `${problem.message} Not written: ${result.failure.description}. What was written is kept; Undo removes it.`,
          },
      { cause: result.failure.error },
    );
  }
  return save(current, (j) => {
    j.phase = 'written';
    j.status = 'done';
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

/**
 * The blocks of the run that still hold what Inkling wrote, and those a person has changed since
 * (edited text, a ticked to-do, something added or removed inside): Undo takes back only the first.
 * Blocks no longer on the page are in neither.
 */
async function splitByEdits(job: PageJob, ctx: JobContext): Promise<{ unchanged: string[]; edited: string[] }> {
  const planned = plannedBlocks(job);
  // A run written before the ledger existed kept only its top-level ids, in order.
  const byPath = job.ledger
    ? Object.entries(job.ledger.ids).filter(([path]) => !path.includes('.'))
    : job.createdIds.map((id, i) => [String(i), id] as const);
  const ours = new Map(byPath.map(([path, id]) => [id, planned[Number(path)]]));
  const unchanged: string[] = [];
  const edited: string[] = [];
  for (const block of await listChildren(ctx.notion, job.targetId)) {
    const plannedBlock = ours.get(block.id);
    if (!plannedBlock) continue;
    if (block.has_children) block.children = (await readBlockTree(ctx.notion, block.id)).blocks;
    (holdsPlanned(block, plannedBlock) ? unchanged : edited).push(block.id);
  }
  return { unchanged, edited };
}

/**
 * Undo: delete exactly the blocks this run created that nobody has changed since, then put back
 * what a replace removed. Blocks a person edited stay, and Undo says so.
 */
export async function undoPageJob(job: PageJob, ctx: JobContext): Promise<PageJob> {
  // A request whose answer never came back (a Cancel, a worker that died) may have landed: its blocks
  // are looked for first, so Undo takes them back too.
  if (job.ledger?.sent) {
    const ledger = await settleSent(
      job.targetId,
      plannedBlocks(job),
      blockWriteIo(ctx.notion, ctx.notionWith),
      job.ledger,
      {
        signal: ctx.signal,
      },
    );
    job = await save(job, (j) => {
      j.ledger = ledger;
      j.createdIds = topLevelIds(ledger);
    });
  }
  const { unchanged, edited } = await splitByEdits(job, ctx);
  await deleteBlocks(ctx, unchanged.toReversed());
  let current = await save(job, (j) => {
    j.createdIds = edited;
    j.keptOnUndo = edited.length;
  });
  if (current.replaced && current.replaced.blocks.length > 0) {
    const result = await writeWithLedger(current, ctx, current.replaced.blocks, 'restoreLedger');
    if (result.failure) {
      throw new InklingError({
        ...toNotionProblem(result.failure.error, 'page'),
        message: `Undo could not put back all of the page’s previous content (${result.failure.description}). Try Undo again.`,
      });
    }
    current = await save(current, (j) => {
      if (j.replaced) j.replaced = { ...j.replaced, blocks: [] };
    });
  }
  return save(current, (j) => void (j.status = 'undone'));
}
