// Writes a block tree of any size and depth under a parent, in order, in the requests block-plan.ts
// plans, resumably. (Over 300 lines on purpose: the write and how it finds a request that landed —
// also for Undo, settleSent — share one notion of where a request's blocks go.)
//
// A write is resumable by identity. Before anything is sent, the whole tree is planned into requests
// (the same plan every time for the same blocks), each block named by its place in the tree ("3",
// "3.120"). The ledger keeps the id of every first-level block each request created, and the request
// in flight; it is saved before each request is sent and after it lands. Carrying a write on (after a
// failure, a Cancel, or a worker that died) skips every request whose blocks are recorded, sends each
// follow-up to the block id it belongs under, and inserts top-level blocks after Inkling's own last
// one: nothing is deleted, and blocks a person added meanwhile stay where they are. A request whose
// outcome is unknown is looked for among the blocks Inkling's integration created after its anchor
// before it is sent again (checked-write.ts).
import type { BlockObjectRequest } from '@notionhq/client';
import type { ReadBlock } from './read-blocks';
import { lookForWrite, writeOnce, valueOrConflict, type WriteCheck } from './checked-write';
import { blockChildren } from './markdown-to-blocks';
import { type BlockTree, type RichTextItemRequest, type WriteLedger, type BlockPath } from '../shared/notion-shapes';
import { richTextToPlainText } from './rich-text';
import { entryRequest, planNode, planRequests, topIndexOf, type PlannedRequest } from './block-plan';

export interface AppendRequest {
  blockId: string;
  children: BlockObjectRequest[];
  /** Insert after this block; absent = append at the end of `blockId`'s children. */
  afterBlockId?: string;
}

/**
 * One PATCH /v1/blocks/{blockId}/children. Resolves with the ids of the new FIRST-LEVEL blocks, in
 * order. `dispatched` is awaited the moment the request leaves for Notion.
 */
export type AppendFn = (
  req: AppendRequest,
  signal?: AbortSignal,
  dispatched?: () => Promise<void>,
) => Promise<{ ids: string[] }>;

export const EMPTY_LEDGER: WriteLedger = { ids: {} };

/** How a write reaches Notion. */
export interface WriteIo {
  append: AppendFn;
  /** A page's or block's children now, to look for a request whose outcome is unknown. */
  listChildren(blockId: string): Promise<ReadBlock[]>;
  /** The integration's own user id in Notion: only blocks it created can be Inkling's. */
  botId(): Promise<string>;
}

export interface WriteFailure {
  error: unknown;
  /** Which part did not land, for people: `blocks 101–250 of 250 (from the heading "Part 3")`. */
  description: string;
}

export interface WriteResult {
  ledger: WriteLedger;
  /** Append requests sent by this call, including one that failed. */
  requests: number;
  failure?: WriteFailure;
}

export interface WriteOptions {
  /** Where an earlier attempt got to; a new write starts from EMPTY_LEDGER. */
  ledger?: WriteLedger;
  /** Saves the ledger. Awaited before each request is sent and after each one lands. */
  save?: (ledger: WriteLedger) => Promise<void>;
  /** Insert the first blocks after this child of the parent instead of at the end. */
  afterBlockId?: string;
  signal?: AbortSignal;
  /** Blocks written so far (every level counts) out of the tree's total, after each request. */
  onProgress?: (done: number, total: number) => void;
  /** Tests shorten how long a request whose answer was lost is waited for. */
  landingWindowMs?: number;
}

/** The top-level blocks a write created, in order: deleting them undoes it. */
export function topLevelIds(ledger: WriteLedger): string[] {
  return Object.entries(ledger.ids)
    .filter(([path]) => !path.includes('.'))
    .toSorted(([a], [b]) => Number(a) - Number(b))
    .map(([, id]) => id);
}

function withoutSent(ledger: WriteLedger): WriteLedger {
  const { sent: _settled, ...rest } = ledger;
  return rest;
}

/**
 * Writes `blocks` under `parentId` (a page or block id), in order, at the end or after
 * `opts.afterBlockId`, carrying on from `opts.ledger`. Never throws for API errors or an abort: a
 * failure stops the write and is returned with the ledger so far and what did not land.
 */
export async function writeBlocks(
  parentId: string,
  blocks: BlockTree[],
  io: WriteIo,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  const plan = planRequests(blocks.map((block, index) => planNode(block, index)));
  const total = plan.reduce((sum, request) => sum + request.elements, 0);
  let ledger: WriteLedger = structuredClone(opts.ledger ?? EMPTY_LEDGER);
  let requests = 0;
  const save = async (next: WriteLedger): Promise<void> => {
    ledger = next;
    await opts.save?.(next);
  };
  const isDone = (request: PlannedRequest) => request.entries.every((entry) => ledger.ids[entry.path] !== undefined);
  let done = plan.filter(isDone).reduce((sum, request) => sum + request.elements, 0);
  /** Per parent path: the id of the last block written under it, which the next request goes after. */
  const lastUnder = new Map<BlockPath, string>();
  let botId: Promise<string> | undefined;

  try {
    for (const request of plan) {
      if (isDone(request)) {
        lastUnder.set(request.parentPath, ledger.ids[request.entries.at(-1)!.path]!);
        continue;
      }
      opts.signal?.throwIfAborted();
      const blockId = request.parentPath === '' ? parentId : ledger.ids[request.parentPath];
      if (blockId === undefined) throw new Error(`The block at ${request.parentPath} was not written.`);
      if (request.parentPath === '' && ledger.anchor === undefined) {
        const children = await io.listChildren(parentId);
        await save({ ...ledger, anchor: opts.afterBlockId ?? children.at(-1)?.id ?? null });
      }
      const after = lastUnder.get(request.parentPath) ?? (request.parentPath === '' ? opts.afterBlockId : undefined);
      const children = request.entries.map(entryRequest);
      const check = async (): Promise<WriteCheck<string[]>> => {
        botId ??= io.botId();
        return lookForRequest(request, blockId, after, ledger, io, await botId);
      };
      const ids = valueOrConflict(
        await writeOnce({
          send: async (dispatched) => {
            requests++;
            const result = await io.append(
              { blockId, children, ...(after === undefined ? {} : { afterBlockId: after }) },
              opts.signal,
              dispatched,
            );
            if (result.ids.length !== children.length)
              throw new Error(`Notion returned ${result.ids.length} block ids for ${children.length} new blocks.`);
            return result.ids;
          },
          check,
          sent: (at) => save({ ...ledger, sent: { key: request.key, at } }),
          notLanded: () => save(withoutSent(ledger)),
          ...(ledger.sent?.key === request.key ? { sentAt: ledger.sent.at } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.landingWindowMs === undefined ? {} : { landingWindowMs: opts.landingWindowMs }),
        }),
      );
      const recorded = { ...ledger.ids };
      request.entries.forEach((entry, k) => (recorded[entry.path] = ids[k]!));
      await save({ ...withoutSent(ledger), ids: recorded });
      lastUnder.set(request.parentPath, ids.at(-1)!);
      done += request.elements;
      opts.onProgress?.(done, total);
    }
  } catch (error) {
    return {
      ledger,
      requests,
      failure: {
        error,
        description: describeNotWritten(
          blocks,
          plan.filter((request) => !isDone(request)),
        ),
      },
    };
  }
  return { ledger, requests };
}

/** Whether a planned request's blocks are under `blockId` (after `after`), and their ids. */
async function lookForRequest(
  request: PlannedRequest,
  blockId: string,
  after: string | undefined,
  ledger: WriteLedger,
  io: WriteIo,
  botId: string,
): Promise<WriteCheck<string[]>> {
  const ids = findLanded(
    await io.listChildren(blockId),
    request.entries.map((entry) => entry.node.block),
    {
      after: after ?? (request.parentPath === '' ? (ledger.anchor ?? null) : null),
      skip: request.landsAfterInline,
      known: new Set(Object.values(ledger.ids)),
      botId,
    },
  );
  return ids ? { state: 'landed', value: ids } : { state: 'absent' };
}

/**
 * Settles the request a write left in flight (`ledger.sent`) without sending anything: its blocks are
 * looked for until Notion's landing window closes and recorded if they landed. Undo runs this first,
 * so blocks of a request whose answer never came back (a Cancel, a worker that died) are Inkling's too.
 */
export async function settleSent(
  parentId: string,
  blocks: BlockTree[],
  io: WriteIo,
  ledger: WriteLedger,
  opts: { signal?: AbortSignal; landingWindowMs?: number } = {},
): Promise<WriteLedger> {
  const sent = ledger.sent;
  if (!sent) return ledger;
  const lastUnder = new Map<BlockPath, string>();
  for (const request of planRequests(blocks.map((block, index) => planNode(block, index)))) {
    if (request.key !== sent.key) {
      const last = ledger.ids[request.entries.at(-1)!.path];
      if (last !== undefined) lastUnder.set(request.parentPath, last);
      continue;
    }
    const blockId = request.parentPath === '' ? parentId : ledger.ids[request.parentPath];
    if (blockId === undefined) break;
    const botId = await io.botId();
    const found = await lookForWrite(
      {
        check: () => lookForRequest(request, blockId, lastUnder.get(request.parentPath), ledger, io, botId),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.landingWindowMs === undefined ? {} : { landingWindowMs: opts.landingWindowMs }),
      },
      sent.at,
    );
    if (found.state !== 'landed') break;
    const ids = { ...ledger.ids };
    request.entries.forEach((entry, k) => (ids[entry.path] = found.value[k]!));
    return { ...withoutSent(ledger), ids };
  }
  return withoutSent(ledger);
}

/**
 * Where the blocks of a request landed, if they did: a run of blocks matching the planned ones, each
 * created by Inkling's integration and not already known, after `after` (or after the first `skip`
 * children when there is no such block). Null when there is none.
 */
function findLanded(
  children: readonly ReadBlock[],
  planned: readonly BlockTree[],
  where: { after: string | null; skip: number; known: ReadonlySet<string>; botId: string },
): string[] | null {
  const anchorAt = where.after === null ? -1 : children.findIndex((child) => child.id === where.after);
  const from = anchorAt >= 0 ? anchorAt + 1 : Math.min(where.skip, children.length);
  for (let start = from; start + planned.length <= children.length; start++) {
    const run = children.slice(start, start + planned.length);
    const matches = run.every(
      (child, k) => !where.known.has(child.id) && child.created_by.id === where.botId && sameBlock(child, planned[k]!),
    );
    if (matches) return run.map((child) => child.id);
  }
  return null;
}

const readRich = (items: unknown): string => (items as Array<{ plain_text: string }>).map((t) => t.plain_text).join('');
const plannedRich = (items: unknown): string => richTextToPlainText(items as RichTextItemRequest[]);

/** A block read from Notion is the planned one: same type, same content as far as it shows. */
function sameBlock(read: ReadBlock, planned: BlockTree): boolean {
  const readData = (read as unknown as Record<string, BlockData | undefined>)[read.type];
  const plannedData = (planned as unknown as Record<string, BlockData | undefined>)[planned.type];
  return read.type === planned.type && identityText(readData, readRich) === identityText(plannedData, plannedRich);
}

type BlockData = Record<string, unknown>;

/**
 * A block read from Notion, with its children attached (readBlockTree), still holds exactly what was
 * planned for it: nobody edited its text or added, removed or changed anything inside it.
 */
export function holdsPlanned(read: ReadBlock, planned: BlockTree): boolean {
  const children = read.children ?? [];
  const plannedChildren = blockChildren(planned);
  return (
    sameBlock(read, planned) &&
    children.length === plannedChildren.length &&
    children.every((child, i) => holdsPlanned(child, plannedChildren[i]!))
  );
}

/** What tells one block from another of its type: its text, expression, cells, width or URL. */
function identityText(data: BlockData | undefined, rich: (items: unknown) => string): string {
  if (!data) return '';
  if (Array.isArray(data.rich_text)) return `${data.checked === true ? '[x] ' : ''}${rich(data.rich_text)}`;
  if (typeof data.expression === 'string') return data.expression;
  if (Array.isArray(data.cells)) return data.cells.map(rich).join('|');
  if (typeof data.table_width === 'number') return String(data.table_width);
  const external = data.external as { url?: string } | undefined;
  return typeof external?.url === 'string' ? external.url : '';
}

/**
 * What did not land, for people: `blocks 101–250 of 250 (from the heading "Part 3")`, or `the rest
 * of the content nested in block 12 of 250 (the list item "Install") and blocks 14–250 of 250 (…)`.
 */
function describeNotWritten(blocks: readonly BlockTree[], missing: readonly PlannedRequest[]): string {
  const firstTopLevel = missing.find((request) => request.parentPath === '');
  const rootFrom = firstTopLevel ? topIndexOf(firstTopLevel.entries[0]!.path) : blocks.length;
  const nested = [
    ...new Set(missing.filter((request) => request.parentPath !== '').map((request) => topIndexOf(request.parentPath))),
  ].filter((index) => index < rootFrom);
  const parts: string[] = [];
  const [firstNested, ...laterNested] = nested;
  if (firstNested !== undefined) {
    const top = blocks[firstNested];
    parts.push(
      `the rest of the content nested in block ${firstNested + 1} of ${blocks.length} (the ${top ? describeBlock(top) : 'block'})`,
    );
  }
  if (laterNested.length === 1) parts.push(`the content nested in block ${laterNested[0]! + 1}`);
  else if (laterNested.length > 1)
    parts.push(`the content nested in blocks ${laterNested.map((i) => i + 1).join(', ')}`);
  if (rootFrom < blocks.length) parts.push(describeTopLevel(blocks, rootFrom));
  const last = parts.pop() ?? '';
  return parts.length === 0 ? last : `${parts.join(', ')} and ${last}`;
}

/** `blocks 101–250 of 250 (from the heading "Part 3")` */
function describeTopLevel(blocks: readonly BlockTree[], start: number): string {
  const total = blocks.length;
  const first = blocks[start];
  const what = first ? describeBlock(first) : 'block';
  if (start === total - 1) return `block ${total} of ${total} (the ${what})`;
  return `blocks ${start + 1}–${total} of ${total} (from the ${what})`;
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
