// Writes a block tree of any size and depth under a parent, in order, in as few append requests as
// Notion's per-request limits allow.
//
// The scheme. Every request appends a run of consecutive children to ONE parent (a "job": the page,
// or a block created earlier). Its response returns ids for that run only — the request's first
// level — so only a first-level block can receive more children later. Hence:
//   • A block rides at the second level of a request (as a child of a first-level block) only if its
//     whole subtree fits there: ≤ 100 children, none of which have children of their own (they sit
//     at the third level, the last one allowed). Call such a block "shallow".
//   • A first-level block X carries the longest prefix of its children that are shallow (≤ 100, and
//     within the request's element and byte budget). The rest — from the first child that is not
//     shallow — becomes X's own job: appended to X's id in follow-up requests, where those children
//     are first-level and the same rule applies again. A list nested 5 levels deep is thus written
//     as: top-level items with children and grandchildren inline; then, under each item whose
//     grandchildren have children, its level-1 items as first-level blocks with their own two levels.
//   • A job's run is cut every 100 blocks, or earlier when 1,000 elements or the byte budget would be
//     passed. A table is one block whose rows are its children: its first 100 rows ride with it and
//     the rest are appended to the table's id.
// Jobs are run depth-first (a request's follow-up jobs before the parent's next run), so the page
// fills in reading order. Each job needs ≥ ⌈its blocks / 100⌉ requests and nothing can share a
// request across two parents, so when the element/byte budgets do not bind, the request count is
// exactly `minimumRequests`.
import type { BlockObjectRequest } from '@notionhq/client';
import {
  NOTION_CHILDREN_MAX,
  NOTION_REQUEST_MAX_BYTES,
  NOTION_REQUEST_MAX_ELEMENTS,
  REQUEST_ENVELOPE_BYTES,
} from './limits';
import { blockChildren, toBlockRequest, withChildren, type BlockTree } from './markdown-to-blocks';
import { jsonByteLength, richTextToPlainText, type RichTextItemRequest } from './rich-text';

export interface AppendRequest {
  blockId: string;
  children: BlockObjectRequest[];
  /** Insert after this block; absent = append at the end of `blockId`'s children. */
  afterBlockId?: string;
}

/** One PATCH /v1/blocks/{blockId}/children. Resolves with the ids of the new FIRST-LEVEL blocks, in order. */
export type AppendFn = (req: AppendRequest, signal?: AbortSignal) => Promise<{ ids: string[] }>;

export interface WriteFailure {
  error: unknown;
  /** Top-level blocks created under the parent before the failure (= createdIds.length). */
  writtenTopLevel: number;
  totalTopLevel: number;
  /** Which part did not land, for people: `blocks 101–250 of 250 (from the heading "Part 3")`. */
  description: string;
  /**
   * True when the first `writtenTopLevel` blocks landed whole, nested content included, and nothing
   * after them did: the write can then carry on from block `writtenTopLevel` instead of starting over.
   */
  resumable: boolean;
}

export interface WriteResult {
  /** Top-level blocks created under parentId, in order: deleting them undoes the whole write. */
  createdIds: string[];
  /** Append requests made, including one that failed. */
  requests: number;
  failure?: WriteFailure;
}

export interface WriteOptions {
  /** Insert the blocks after this child of the parent instead of at the end. */
  afterBlockId?: string;
  /** Skip the first top-level blocks (written by an earlier attempt); descriptions still count from the first. */
  startAt?: number;
  signal?: AbortSignal;
  /** Blocks written so far (every level counts) out of the tree's total, after each request. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called when the first `topLevelDone` blocks have landed whole (nested content included): a
   * write cut short after this can carry on from there (`startAt`). Awaited before the next request.
   */
  onCheckpoint?: (topLevelDone: number) => Promise<void> | void;
}

/** `,"children":[]` — what carrying children adds to a block's JSON, besides the children and commas. */
const CHILDREN_KEY_BYTES = ',"children":[]'.length;
/** `[]` around a request's top-level array. */
const ARRAY_BRACKETS_BYTES = 2;
/** What our requests may spend on blocks; the envelope (position, keys) gets the rest. */
const REQUEST_BLOCK_BYTES = NOTION_REQUEST_MAX_BYTES - REQUEST_ENVELOPE_BYTES;

/** A block with the sizes the planner needs, computed once. */
interface PlanNode {
  block: BlockTree;
  children: PlanNode[];
  /** Top-level block this one belongs to (its index in the input), for failure descriptions. */
  topIndex: number;
  /** JSON bytes of the block without its children. */
  ownBytes: number;
  /** JSON bytes of the block with its whole subtree. */
  fullBytes: number;
  /** Blocks in the subtree, itself included. */
  elements: number;
}

/** A first-level block of a request and how many of its leading children ride along. */
interface Entry {
  node: PlanNode;
  inline: number;
}

function planNode(block: BlockTree, topIndex: number): PlanNode {
  const children = blockChildren(block).map((child) => planNode(child, topIndex));
  const ownBytes = jsonByteLength(withChildren(block, undefined));
  return {
    block,
    children,
    topIndex,
    ownBytes,
    fullBytes: ownBytes + childrenBytes(children.map((child) => child.fullBytes)),
    elements: 1 + children.reduce((sum, child) => sum + child.elements, 0),
  };
}

function childrenBytes(sizes: readonly number[]): number {
  if (sizes.length === 0) return 0;
  return CHILDREN_KEY_BYTES + sizes.reduce((sum, size) => sum + size, 0) + (sizes.length - 1);
}

/** May ride at the second level of a request: ≤ 100 children and no grandchildren. */
function isShallow(node: PlanNode): boolean {
  return node.children.length <= NOTION_CHILDREN_MAX && node.children.every((child) => child.children.length === 0);
}

/**
 * How many leading children can ride with a first-level block: up to 100, stopping at the first
 * that is not shallow (or for which `fits` says no).
 */
function shallowPrefix(node: PlanNode, fits: (child: PlanNode) => boolean = () => true): number {
  const stop = node.children.findIndex((child, i) => i >= NOTION_CHILDREN_MAX || !isShallow(child) || !fits(child));
  return stop === -1 ? node.children.length : stop;
}

/** `shallowPrefix`, also stopping at a child too big to share any request with its parent. */
function inlinePrefix(node: PlanNode): number {
  // Such a child is better off first-level in the parent's job, where its own children can spread
  // over several requests.
  return shallowPrefix(node, (child) => node.ownBytes + child.fullBytes + 2 * CHILDREN_KEY_BYTES <= REQUEST_BLOCK_BYTES);
}

/**
 * Blocks the API refuses to create empty (a table needs its rows). Only a table can come from
 * Markdown; column lists from a restored page are written as well as the depth rule allows.
 */
function minimumInline(node: PlanNode): number {
  return node.block.type === 'table' ? Math.min(1, node.children.length) : 0;
}

/** Elements and bytes of a first-level block sent with its first `inline` children. */
function entryCost(node: PlanNode, inline: number): { elements: number; bytes: number } {
  const carried = node.children.slice(0, inline);
  return {
    elements: 1 + carried.reduce((sum, child) => sum + child.elements, 0),
    bytes: node.ownBytes + childrenBytes(carried.map((child) => child.fullBytes)),
  };
}

/** The next request of a job: first-level blocks from `items[start]` on, with their inline children. */
function packRequest(items: readonly PlanNode[], start: number): Entry[] {
  const entries: Entry[] = [];
  let elements = 0;
  let bytes = ARRAY_BRACKETS_BYTES;
  const fits = (cost: { elements: number; bytes: number }): boolean =>
    elements + cost.elements <= NOTION_REQUEST_MAX_ELEMENTS &&
    bytes + cost.bytes + (entries.length > 0 ? 1 : 0) <= REQUEST_BLOCK_BYTES;

  for (let i = start; i < items.length && entries.length < NOTION_CHILDREN_MAX; i++) {
    const node = items[i];
    if (!node) break;
    const preferred = inlinePrefix(node);
    let inline = preferred;
    if (!fits(entryCost(node, inline))) {
      // Cutting this block's inline children costs a follow-up job, unless it has one anyway; then
      // it is cheaper to carry what fits here. Otherwise it starts the next request whole.
      const hasJobAnyway = preferred < node.children.length;
      if (entries.length > 0 && !hasJobAnyway) break;
      while (inline > 0 && !fits(entryCost(node, inline))) inline--;
      if (!fits(entryCost(node, inline)) || inline < minimumInline(node)) {
        if (entries.length > 0) break;
        // Too big even alone: send it anyway and let the API's answer become the failure.
        inline = Math.max(inline, minimumInline(node));
      }
    }
    const cost = entryCost(node, inline);
    bytes += cost.bytes + (entries.length > 0 ? 1 : 0);
    elements += cost.elements;
    entries.push({ node, inline });
  }
  return entries;
}

/** The request body for one first-level block: at most two levels below it, by construction. */
function entryRequest({ node, inline }: Entry): BlockObjectRequest {
  const carried = node.children
    .slice(0, inline)
    .map((child) => withChildren(child.block, child.children.map((leaf) => withChildren(leaf.block, undefined))));
  return toBlockRequest(withChildren(node.block, carried));
}

/** Where a job stopped, as seen from the job that reports it. */
interface JobFailure {
  error: unknown;
  /** "request": the run starting at `index` was refused; "nested": a follow-up job of `items[index]` failed. */
  kind: 'request' | 'nested';
  index: number;
  /** For "nested": indices in `items` of later blocks of the same request whose follow-up jobs never ran. */
  laterPending: number[];
}

/**
 * Writes `blocks` under `parentId` (a page or block id), in order, at the end or after
 * `opts.afterBlockId`. Never throws for API errors or an abort: a failure stops the write and is
 * returned with the top-level blocks created so far (delete them to undo) and what did not land.
 */
export async function writeBlocks(
  parentId: string,
  blocks: BlockTree[],
  append: AppendFn,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  const startAt = opts.startAt ?? 0;
  const roots = blocks.map((block, index) => planNode(block, index)).slice(startAt);
  const total = roots.reduce((sum, node) => sum + node.elements, 0);
  const createdIds: string[] = [];
  let requests = 0;
  let done = 0;

  /** One append. `ids` are the blocks it created (kept even when the answer is unusable, for Undo). */
  const send = async (req: AppendRequest): Promise<{ ids: string[]; error?: unknown }> => {
    if (opts.signal?.aborted) return { ids: [], error: abortReason(opts.signal) };
    requests++;
    try {
      const { ids } = await append(req, opts.signal);
      if (ids.length !== req.children.length) {
        const error = new Error(`Notion returned ${ids.length} block ids for ${req.children.length} new blocks.`);
        return { ids, error };
      }
      return { ids };
    } catch (error) {
      return { ids: [], error };
    }
  };

  /** Writes one job, then depth-first the follow-up jobs of each request. */
  const runJob = async (blockId: string, items: readonly PlanNode[], isRoot: boolean): Promise<JobFailure | null> => {
    let after = isRoot ? opts.afterBlockId : undefined;
    for (let start = 0; start < items.length; ) {
      const entries = packRequest(items, start);
      const outcome = await send({
        blockId,
        children: entries.map(entryRequest),
        ...(after === undefined ? {} : { afterBlockId: after }),
      });
      const { ids } = outcome;
      if (isRoot) createdIds.push(...ids);
      if ('error' in outcome) return { error: outcome.error, kind: 'request', index: start, laterPending: [] };
      // Further top-level runs go after the last block written, unless we are simply appending.
      if (after !== undefined) after = ids[ids.length - 1];
      done += entries.reduce((sum, entry) => sum + entryCost(entry.node, entry.inline).elements, 0);
      opts.onProgress?.(done, total);
      for (const [k, entry] of entries.entries()) {
        const rest = entry.node.children.slice(entry.inline);
        const id = ids[k];
        if (rest.length === 0 || id === undefined) continue;
        const failed = await runJob(id, rest, false);
        if (failed) {
          const laterPending = entries.flatMap((later, j) =>
            j > k && later.inline < later.node.children.length ? [start + j] : [],
          );
          return { error: failed.error, kind: 'nested', index: start + k, laterPending };
        }
      }
      start += entries.length;
      if (isRoot) await opts.onCheckpoint?.(startAt + start);
    }
    return null;
  };

  const failed = await runJob(parentId, roots, true);
  const result: WriteResult = { createdIds, requests };
  if (failed) {
    // Indices from runJob count from `startAt`; people count from the first block.
    result.failure = {
      error: failed.error,
      writtenTopLevel: startAt + createdIds.length,
      totalTopLevel: blocks.length,
      resumable: failed.kind === 'request' && failed.index === createdIds.length,
      description:
        failed.kind === 'request'
          ? describeTopLevel(blocks, startAt + failed.index)
          : describeNested(blocks, startAt + failed.index, failed.laterPending.map((i) => startAt + i), startAt + createdIds.length),
    };
  }
  return result;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The write was aborted.', 'AbortError');
}

/** `blocks 101–250 of 250 (from the heading "Part 3")` */
function describeTopLevel(blocks: readonly BlockTree[], start: number): string {
  const total = blocks.length;
  const first = blocks[start];
  const what = first ? describeBlock(first) : 'block';
  if (start === total - 1) return `block ${total} of ${total} (the ${what})`;
  return `blocks ${start + 1}–${total} of ${total} (from the ${what})`;
}

/**
 * `the rest of the content nested in block 12 of 250 (the list item "Install"), the content nested
 * in block 14 and blocks 101–250 of 250 (from the heading "Part 3")`
 */
function describeNested(
  blocks: readonly BlockTree[],
  index: number,
  laterPending: readonly number[],
  writtenTopLevel: number,
): string {
  const total = blocks.length;
  const top = blocks[index];
  const what = top ? describeBlock(top) : 'block';
  const parts = [`the rest of the content nested in block ${index + 1} of ${total} (the ${what})`];
  const [firstLater] = laterPending;
  if (laterPending.length === 1 && firstLater !== undefined) {
    parts.push(`the content nested in block ${firstLater + 1}`);
  } else if (laterPending.length > 1) {
    parts.push(`the content nested in blocks ${laterPending.map((i) => i + 1).join(', ')}`);
  }
  if (writtenTopLevel < total) parts.push(describeTopLevel(blocks, writtenTopLevel));
  const last = parts.pop() ?? '';
  return parts.length === 0 ? last : `${parts.join(', ')} and ${last}`;
}

const BLOCK_KIND: Partial<Record<BlockTree['type'], string>> = {
  paragraph: 'paragraph',
  heading_1: 'heading',
  heading_2: 'heading',
  heading_3: 'heading',
  heading_4: 'heading',
  bulleted_list_item: 'list item',
  numbered_list_item: 'list item',
  to_do: 'to-do',
  toggle: 'toggle',
  quote: 'quote',
  callout: 'callout',
  code: 'code block',
  equation: 'equation',
  divider: 'divider',
  table: 'table',
  table_row: 'table row',
  image: 'image',
  bookmark: 'bookmark',
};

/** How many characters of a block's text name it in a description. */
const DESCRIPTION_SNIPPET_CHARS = 40;

/** `heading "Part 3"`, `list item "Install the…"`, `divider`. */
export function describeBlock(block: BlockTree): string {
  const kind = BLOCK_KIND[block.type] ?? block.type.replace(/_/g, ' ');
  const text = blockText(block).replace(/\s+/g, ' ').trim();
  if (text.length === 0) return kind;
  const snippet =
    text.length > DESCRIPTION_SNIPPET_CHARS ? `${text.slice(0, DESCRIPTION_SNIPPET_CHARS).trimEnd()}…` : text;
  return `${kind} "${snippet}"`;
}

function blockText(block: BlockTree): string {
  const record: Record<string, unknown> = block;
  const data = record[block.type];
  if (typeof data !== 'object' || data === null) return '';
  if ('rich_text' in data && Array.isArray(data.rich_text)) {
    return richTextToPlainText(data.rich_text as RichTextItemRequest[]);
  }
  if ('expression' in data && typeof data.expression === 'string') return data.expression;
  return '';
}

/**
 * True when writing this block takes no request of its own beyond the one carrying it: it has at
 * most 100 children and none of them has children. Such a block lands whole or not at all.
 */
export function landsWhole(block: BlockTree): boolean {
  const children = blockChildren(block);
  return children.length <= NOTION_CHILDREN_MAX && children.every((child) => blockChildren(child).length === 0);
}

/**
 * The fewest append requests any writer could use for this tree under Notion's limits, for
 * reporting ("3 requests for 250 blocks"). It counts, for the page and for every block whose
 * children cannot all ride in its own request (more than 100 of them, or one that is not
 * shallow), ⌈blocks appended there / 100⌉; and it is never below the tree's elements / 1,000 or
 * its bytes / 500 KB.
 */
export function minimumRequests(blocks: BlockTree[]): number {
  const roots = blocks.map((block, index) => planNode(block, index));
  const all = roots.flatMap(flatten);
  const byElements = Math.ceil(all.length / NOTION_REQUEST_MAX_ELEMENTS);
  const byBytes = Math.ceil(all.reduce((sum, node) => sum + node.ownBytes, 0) / NOTION_REQUEST_MAX_BYTES);
  return Math.max(jobRequests(roots), byElements, byBytes);
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

/** Requests for a job of these first-level blocks plus the follow-up jobs they force. */
function jobRequests(items: readonly PlanNode[]): number {
  if (items.length === 0) return 0;
  let count = Math.ceil(items.length / NOTION_CHILDREN_MAX);
  for (const node of items) count += jobRequests(node.children.slice(shallowPrefix(node)));
  return count;
}
