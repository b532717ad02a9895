// Reading a page's blocks: every page of children, and (for snapshots before a replace) their children.
import { collectPaginatedAPI, isFullBlock, type BlockObjectResponse, type Client } from '@notionhq/client';

/**
 * A block from `GET /v1/blocks/{id}/children`, with its own children attached as `children`
 * by whoever read the tree (the API returns only `has_children`).
 */
export type ReadBlock = BlockObjectResponse & { children?: ReadBlock[] };

/** Stop reading a very large page here: enough for a prompt, or refuse a snapshot. */
export const READ_MAX_BLOCKS = 5_000;

/** The direct children of a block or page, in order, across every page of results. */
export async function listChildren(client: Client, blockId: string): Promise<ReadBlock[]> {
  const results = await collectPaginatedAPI(client.blocks.children.list, { block_id: blockId, page_size: 100 });
  return results.filter(isFullBlock) as ReadBlock[];
}

/**
 * The block tree under a page: children attached at every level. Child pages and databases are
 * not descended into (they are pages of their own). `truncated` tells that READ_MAX_BLOCKS was hit.
 */
export async function readBlockTree(
  client: Client,
  blockId: string,
  maxBlocks = READ_MAX_BLOCKS,
): Promise<{ blocks: ReadBlock[]; truncated: boolean }> {
  let count = 0;
  let truncated = false;
  const read = async (id: string): Promise<ReadBlock[]> => {
    if (count >= maxBlocks) {
      truncated = true;
      return [];
    }
    const blocks = await listChildren(client, id);
    count += blocks.length;
    for (const block of blocks) {
      if (block.has_children && block.type !== 'child_page' && block.type !== 'child_database') {
        block.children = await read(block.id);
      }
    }
    return blocks;
  };
  const blocks = await read(blockId);
  return { blocks, truncated };
}
