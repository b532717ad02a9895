// The plan of a block write: a tree of any size and depth cut into as few append requests as
// Notion's per-request limits allow (block-writer.ts sends them).
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
import { blockChildren, toBlockRequest, withChildren } from './markdown-to-blocks';
import { type BlockTree, type BlockPath } from '../shared/notion-shapes';
import { jsonByteLength } from './rich-text';

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

export function planNode(block: BlockTree, topIndex: number): PlanNode {
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
  return shallowPrefix(
    node,
    (child) => node.ownBytes + child.fullBytes + 2 * CHILDREN_KEY_BYTES <= REQUEST_BLOCK_BYTES,
  );
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
export function entryRequest({ node, inline }: Entry): BlockObjectRequest {
  const carried = node.children.slice(0, inline).map((child) =>
    withChildren(
      child.block,
      child.children.map((leaf) => withChildren(leaf.block, undefined)),
    ),
  );
  return toBlockRequest(withChildren(node.block, carried));
}

/** One append request of a write, planned before anything is sent. */
export interface PlannedRequest {
  /** Its name within the write: the parent's path and the first child's index ("3.120@100"). */
  key: string;
  /** The block the request appends to: '' for the write's parent itself. */
  parentPath: BlockPath;
  /** The request's first-level blocks, with their paths. */
  entries: Array<Entry & { path: BlockPath }>;
  /**
   * For a parent's first request into a block Inkling created: how many children that block was
   * created with (they came inline), which the request's blocks land after.
   */
  landsAfterInline: number;
  /** Blocks the request writes, every level counted. */
  elements: number;
}

/** Every request of the write in the order they are sent: depth-first, so the page fills in reading order. */
export function planRequests(roots: readonly PlanNode[]): PlannedRequest[] {
  const requests: PlannedRequest[] = [];
  const job = (
    parentPath: BlockPath,
    items: ReadonlyArray<{ node: PlanNode; path: BlockPath }>,
    landsAfterInline: number,
  ): void => {
    for (let start = 0; start < items.length;) {
      const packed = packRequest(
        items.map((item) => item.node),
        start,
      );
      const entries = packed.map((entry, k) => ({ ...entry, path: items[start + k]!.path }));
      requests.push({
        key: `${parentPath}@${start}`,
        parentPath,
        entries,
        landsAfterInline: start === 0 ? landsAfterInline : 0,
        elements: entries.reduce((sum, entry) => sum + entryCost(entry.node, entry.inline).elements, 0),
      });
      for (const entry of entries) {
        const rest = entry.node.children.slice(entry.inline);
        if (rest.length > 0)
          job(
            entry.path,
            rest.map((node, j) => ({ node, path: `${entry.path}.${entry.inline + j}` })),
            entry.inline,
          );
      }
      start += entries.length;
    }
  };
  job(
    '',
    roots.map((node, i) => ({ node, path: String(i) })),
    0,
  );
  return requests;
}

export const topIndexOf = (path: BlockPath): number => Number(path.split('.')[0]);

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
