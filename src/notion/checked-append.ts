// An append that never writes twice. A write that failed ambiguously (a 5xx, a dropped connection:
// it may have landed) is checked against Notion before it is sent again: if the blocks are there,
// their ids are taken; if not, it is sent again; if the page changed some other way, it stops.
import type { Client } from '@notionhq/client';
import { InklingError } from '../errors';
import type { AppendFn } from './block-writer';
import { notionProblem, toNotionProblem } from './errors';
import { listChildren } from './read-blocks';

/** Times an append is re-sent after Notion confirmed it had not landed. */
export const APPEND_MAX_ATTEMPTS = 3;

/** Failures after which the write may or may not have happened. */
function isAmbiguous(error: unknown): boolean {
  const problem = toNotionProblem(error);
  return problem.kind === 'unavailable' || problem.kind === 'network' || problem.kind === 'timeout';
}

/**
 * `childCounts` holds how many children each parent has: seed it with the page's count before the
 * write; blocks created here are counted as their inline children are sent.
 */
export function createCheckedAppend(client: Client, childCounts: Map<string, number>): AppendFn {
  return async ({ blockId, children, afterBlockId }, signal) => {
    const before = childCounts.get(blockId) ?? 0;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const response = await client.blocks.children.append({
          block_id: blockId,
          children,
          ...(afterBlockId ? { position: { type: 'after_block', after_block: { id: afterBlockId } } } : {}),
        });
        const ids = response.results.map((block) => block.id);
        record(childCounts, blockId, before, children, ids);
        return { ids };
      } catch (error) {
        if (!isAmbiguous(error) || attempt >= APPEND_MAX_ATTEMPTS) throw error;
        const now = await listChildren(client, blockId);
        if (now.length === before + children.length) {
          // It landed: the new blocks are the ones after the anchor (or the last ones, at the end).
          const start = afterBlockId ? now.findIndex((b) => b.id === afterBlockId) + 1 : before;
          const ids = now.slice(start, start + children.length).map((b) => b.id);
          record(childCounts, blockId, before, children, ids);
          return { ids };
        }
        if (now.length !== before) {
          throw new InklingError(
            notionProblem('conflict', 'The page changed while Inkling was writing to it, so Inkling stopped rather than risk writing twice.'),
            { cause: error },
          );
        }
        // Not landed: send it again.
      }
    }
  };
}

function record(
  childCounts: Map<string, number>,
  blockId: string,
  before: number,
  children: ReadonlyArray<Record<string, unknown>>,
  ids: readonly string[],
): void {
  childCounts.set(blockId, before + ids.length);
  // A new block starts with the children sent inline with it.
  ids.forEach((id, i) => {
    const block = children[i] as { type?: string } & Record<string, unknown>;
    const data = block?.type ? (block[block.type] as { children?: unknown[] } | undefined) : undefined;
    childCounts.set(id, data?.children?.length ?? 0);
  });
}
