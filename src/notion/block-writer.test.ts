import { readFileSync } from 'node:fs';
import { APIErrorCode, APIResponseError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_LEDGER,
  topLevelIds,
  writeBlocks,
  type AppendFn,
  type AppendRequest,
  type WriteIo,
} from './block-writer';
import { minimumRequests } from './block-plan';
import { type WriteLedger, type BlockTree } from '../shared/notion-shapes';
import { toBlockTree } from './block-restore';
import type { ReadBlock } from './read-blocks';
import { WRITE_MAX_SENDS } from './checked-write';
import { NOTION_LANGUAGES } from './code-languages';
import {
  NOTION_CHILDREN_MAX,
  NOTION_EQUATION_MAX_CHARS,
  NOTION_NESTING_MAX_LEVELS,
  NOTION_REQUEST_MAX_BYTES,
  NOTION_REQUEST_MAX_ELEMENTS,
  NOTION_RICH_TEXT_MAX_ITEMS,
  NOTION_TEXT_MAX_CHARS,
  NOTION_URL_MAX_CHARS,
} from './limits';
import { blockChildren, markdownToBlocks, withChildren } from './markdown-to-blocks';

// ---- A fake Notion that enforces the real per-request limits and keeps the tree it was given ----

type Json = Record<string, unknown>;

interface Stored {
  id: string;
  type: string;
  /** Who created it: Inkling's integration ("bot") or a person. */
  createdBy: string;
  /** The block's data exactly as sent, without `children`. */
  data: Json;
  children: Stored[];
}

/** Notion's refusals, as the SDK throws them. */
function apiError(code: APIErrorCode, status: number, message: string): APIResponseError {
  return new APIResponseError({
    code,
    status,
    message,
    headers: new Headers(),
    rawBodyText: '{}',
    additional_data: undefined,
    request_id: undefined,
  });
}

class NotionValidationError extends Error {
  constructor(message: string) {
    super(message);
    return apiError(APIErrorCode.ValidationError, 400, message);
  }
}

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const BOT = 'bot-user';

const serverError = () => apiError(APIErrorCode.InternalServerError, 500, 'Internal server error');

class FakeNotion {
  readonly pages = new Map<string, Stored>();
  readonly requests: AppendRequest[] = [];
  /** From this (1-based) request on, every request fails with a 500. */
  failFrom: number | undefined;
  /** 1-based index of the request that lands but whose answer is lost (a dropped connection). */
  loseAnswerAt: number | undefined;
  /** Reads of a parent's children (to look for a request whose outcome is unknown). */
  lists = 0;
  /** Called before each request is handled, e.g. to abort mid-way. */
  beforeRequest: ((index: number) => void) | undefined;
  /** Called once a request has left for Notion, before it is applied. */
  whileInFlight: ((index: number) => void) | undefined;
  private nextId = 1;

  constructor(...pageIds: string[]) {
    for (const id of pageIds) this.pages.set(id, { id, type: 'page', createdBy: 'person', data: {}, children: [] });
  }

  readonly append: AppendFn = async (req, signal, dispatched) => {
    this.beforeRequest?.(this.requests.length + 1);
    if (signal?.aborted) throw signal.reason;
    await dispatched?.();
    this.whileInFlight?.(this.requests.length + 1);
    if (signal?.aborted) throw signal.reason;
    this.requests.push(structuredClone(req));
    if (this.failFrom !== undefined && this.requests.length >= this.failFrom) throw serverError();
    validateRequest(req);
    const parent = this.pages.get(req.blockId);
    if (!parent) throw apiError(APIErrorCode.ObjectNotFound, 404, `Could not find block with ID: ${req.blockId}.`);
    if (parent.type === 'table' && req.children.some((child) => (child as Json).type !== 'table_row')) {
      throw new NotionValidationError('A table only takes table_row children.');
    }
    const created = req.children.map((child) => this.store(child as Json));
    let at = parent.children.length;
    if (req.afterBlockId !== undefined) {
      at = parent.children.findIndex((child) => child.id === req.afterBlockId) + 1;
      if (at === 0) throw new NotionValidationError(`after_block ${req.afterBlockId} is not a child of the parent.`);
    }
    parent.children.splice(at, 0, ...created);
    await Promise.resolve();
    if (this.loseAnswerAt === this.requests.length) throw new TypeError('Failed to fetch');
    return { ids: created.map((block) => block.id) };
  };

  /** A person types blocks at the end of a page or block. */
  personAppends(parentId: string, blocks: BlockTree[]): void {
    this.pages.get(parentId)!.children.push(...blocks.map((block) => this.store(block as unknown as Json, 'person')));
  }

  /** How the writer reaches this fake: appends, children as Notion lists them, and the bot's id. */
  get io(): WriteIo {
    return {
      append: this.append,
      listChildren: async (id) => {
        this.lists++;
        return this.read(id).map(({ children: _nested, ...block }) => block as ReadBlock);
      },
      botId: async () => BOT,
    };
  }

  private store(block: Json, createdBy = BOT): Stored {
    const type = String(block.type);
    const { children = [], ...data } = (block[type] ?? {}) as Json & { children?: Json[] };
    const stored: Stored = {
      id: `block-${this.nextId++}`,
      type,
      createdBy,
      data,
      children: children.map((child) => this.store(child, createdBy)),
    };
    this.pages.set(stored.id, stored);
    return stored;
  }

  /** What was written under `id`, as request trees (to compare with the input). */
  tree(id: string): BlockTree[] {
    return (this.pages.get(id)?.children ?? []).map(storedToTree);
  }

  /** What was written under `id`, as `GET /v1/blocks/:id/children` would show it, children attached. */
  read(id: string): ReadBlock[] {
    return (this.pages.get(id)?.children ?? []).map(storedToRead);
  }
}

function storedToTree(stored: Stored): BlockTree {
  const block = { type: stored.type, [stored.type]: stored.data } as unknown as BlockTree;
  return withChildren(block, stored.children.map(storedToTree));
}

/** Adds the read-only fields and defaults the API returns. */
function storedToRead(stored: Stored): ReadBlock {
  const data: Json = { ...stored.data };
  for (const key of ['rich_text', 'caption'])
    if (Array.isArray(data[key])) data[key] = (data[key] as Json[]).map(readRichText);
  if (Array.isArray(data.cells)) data.cells = (data.cells as Json[][]).map((cell) => cell.map(readRichText));
  if ('rich_text' in data && !('color' in data)) data.color = 'default';
  if (stored.type.startsWith('heading_')) data.is_toggleable ??= false;
  if (stored.type === 'code') data.caption ??= [];
  if (stored.type === 'image') data.caption ??= [];
  const children = stored.children.map(storedToRead);
  const block = {
    object: 'block',
    id: stored.id,
    type: stored.type,
    [stored.type]: data,
    created_time: '2026-11-22T00:00:00.000Z',
    last_edited_time: '2026-11-22T00:00:00.000Z',
    created_by: { object: 'user', id: stored.createdBy },
    last_edited_by: { object: 'user', id: 'user-1' },
    has_children: children.length > 0,
    in_trash: false,
    archived: false,
    parent: { type: 'page_id', page_id: 'page' },
    ...(children.length > 0 ? { children } : {}),
  };
  return block as unknown as ReadBlock;
}

function readRichText(item: Json): Json {
  const text = item.text as { content: string; link?: { url: string } | null };
  return {
    type: 'text',
    text: { content: text.content, link: text.link ?? null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: 'default',
      ...(item.annotations as Json | undefined),
    },
    plain_text: text.content,
    href: text.link?.url ?? null,
  };
}

/** Throws like Notion's validator for anything one append request may not contain. */
function validateRequest(req: AppendRequest): void {
  const bytes = Buffer.byteLength(
    JSON.stringify({
      children: req.children,
      position: { type: 'after_block', after_block: { id: req.afterBlockId } },
    }),
  );
  if (bytes > NOTION_REQUEST_MAX_BYTES) throw new NotionValidationError(`Request body is ${bytes} bytes.`);
  let elements = 0;
  const visit = (blocks: unknown[], level: number, path: string): void => {
    if (blocks.length > NOTION_CHILDREN_MAX) {
      throw new NotionValidationError(`${path}.length should be ≤ 100, instead was ${blocks.length}.`);
    }
    blocks.forEach((value, i) => {
      elements++;
      if (!isRecord(value) || typeof value.type !== 'string' || !isRecord(value[value.type])) {
        throw new NotionValidationError(`${path}[${i}] is not a block.`);
      }
      const data = value[value.type] as Json;
      validateData(value.type, data, `${path}[${i}].${value.type}`);
      if (data.children !== undefined) {
        if (level >= NOTION_NESTING_MAX_LEVELS) {
          throw new NotionValidationError(`${path}[${i}].${value.type}.children should be not present.`);
        }
        visit(data.children as unknown[], level + 1, `${path}[${i}].${value.type}.children`);
      } else if (value.type === 'table') {
        throw new NotionValidationError(`${path}[${i}].table.children should be defined.`);
      }
    });
  };
  visit(req.children, 0, 'body.children');
  if (elements > NOTION_REQUEST_MAX_ELEMENTS) throw new NotionValidationError(`${elements} block elements.`);
}

function validateData(type: string, data: Json, path: string): void {
  const richTextArrays: [string, unknown][] = [];
  if ('rich_text' in data) richTextArrays.push([`${path}.rich_text`, data.rich_text]);
  if ('caption' in data) richTextArrays.push([`${path}.caption`, data.caption]);
  if (type === 'table_row')
    (data.cells as unknown[]).forEach((cell, i) => richTextArrays.push([`${path}.cells[${i}]`, cell]));
  for (const [where, items] of richTextArrays) {
    if (!Array.isArray(items)) throw new NotionValidationError(`${where} should be an array.`);
    if (items.length > NOTION_RICH_TEXT_MAX_ITEMS)
      throw new NotionValidationError(`${where}.length is ${items.length}.`);
    items.forEach((item: Json, i) => {
      const text = item.text as { content: string; link?: { url: string } } | undefined;
      if (!text) return;
      if (text.content.length > NOTION_TEXT_MAX_CHARS) {
        throw new NotionValidationError(
          `${where}[${i}].text.content.length should be ≤ 2000, instead was ${text.content.length}.`,
        );
      }
      if (text.link) assertValidUrl(text.link.url, ['http:', 'https:', 'mailto:', 'tel:'], 'Invalid URL for link.');
    });
  }
  if (type === 'code' && !(NOTION_LANGUAGES as readonly string[]).includes(String(data.language))) {
    throw new NotionValidationError(
      `${path}.language should be one of Notion's languages, instead was ${String(data.language)}.`,
    );
  }
  if (type === 'equation' && String(data.expression).length > NOTION_EQUATION_MAX_CHARS) {
    throw new NotionValidationError(`${path}.expression is too long.`);
  }
  if (type === 'image') assertValidUrl(String((data.external as Json).url), ['http:', 'https:'], 'Invalid image URL.');
  if (type === 'table_row' && !Array.isArray(data.cells)) throw new NotionValidationError(`${path}.cells missing.`);
}

function assertValidUrl(url: string, protocols: string[], message: string): void {
  if (url.length > NOTION_URL_MAX_CHARS) throw new NotionValidationError(message);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NotionValidationError(message);
  }
  if (!protocols.includes(parsed.protocol)) throw new NotionValidationError(message);
}

/** Every table's rows must have exactly table_width cells. */
function assertTableWidths(blocks: readonly BlockTree[]): void {
  for (const block of blocks) {
    if (block.type === 'table') {
      for (const row of block.table.children ?? []) {
        expect(row.type === 'table_row' && row.table_row.cells.length).toBe(block.table.table_width);
      }
    }
    assertTableWidths(blockChildren(block));
  }
}

// ---- Builders ----

const paragraph = (content: string): BlockTree => ({
  type: 'paragraph',
  paragraph: { rich_text: [{ type: 'text', text: { content } }] },
});
const heading = (content: string): BlockTree => ({
  type: 'heading_2',
  heading_2: { rich_text: [{ type: 'text', text: { content } }] },
});

/** 250 top-level blocks: a heading every 50 ("Part 1" … "Part 5"), paragraphs otherwise. */
function flatDocument(): BlockTree[] {
  return Array.from({ length: 250 }, (_, i) =>
    i % 50 === 0 ? heading(`Part ${i / 50 + 1}`) : paragraph(`Paragraph ${i + 1}`),
  );
}

/** A Markdown list `depth` levels deep with `width` items per level, using the given markers. */
function nestedList(depth: number, width: number, marker: (level: number, index: number) => string): string {
  const lines: string[] = [];
  const walk = (level: number, indent: string, label: string): void => {
    for (let i = 0; i < width; i++) {
      const m = marker(level, i);
      lines.push(`${indent}${m}item ${label}${i + 1}`);
      // Content starts after the list marker; a task box is part of the content.
      const contentOffset = m.replace(/\[.\] $/, '').length;
      if (level + 1 < depth) walk(level + 1, indent + ' '.repeat(contentOffset), `${label}${i + 1}.`);
    }
  };
  walk(0, '', '');
  return lines.join('\n');
}

const depthOf = (blocks: readonly BlockTree[]): number =>
  blocks.length === 0 ? 0 : 1 + Math.max(...blocks.map((block) => depthOf(blockChildren(block))));

const fixture = readFileSync(new URL('./fixtures/long-answer.md', import.meta.url), 'utf8');

// ---- Tests ----

describe('writeBlocks', () => {
  it('writes 250 flat blocks in exactly 3 requests, in order, and minimumRequests agrees', async () => {
    const notion = new FakeNotion('page');
    const blocks = flatDocument();
    const result = await writeBlocks('page', blocks, notion.io);

    expect(minimumRequests(blocks)).toBe(3);
    expect(result.failure).toBeUndefined();
    expect(result.requests).toBe(3);
    expect(notion.requests.map((req) => req.children.length)).toEqual([100, 100, 50]);
    // Each request after the first goes right after the blocks the one before it wrote.
    expect(notion.requests.every((req) => req.blockId === 'page')).toBe(true);
    expect(notion.requests.map((req) => req.afterBlockId)).toEqual([
      undefined,
      topLevelIds(result.ledger)[99],
      topLevelIds(result.ledger)[199],
    ]);
    expect(notion.tree('page')).toEqual(blocks);
    expect(topLevelIds(result.ledger)).toEqual(notion.pages.get('page')?.children.map((child) => child.id));
    expect(topLevelIds(result.ledger)).toHaveLength(250);
  });

  it('writes the long fixture (250 top-level blocks) in minimumRequests requests with its structure intact', async () => {
    const notion = new FakeNotion('page');
    const blocks = markdownToBlocks(fixture);
    const result = await writeBlocks('page', blocks, notion.io);

    expect(blocks).toHaveLength(250);
    expect(result.failure).toBeUndefined();
    expect(result.requests).toBe(minimumRequests(blocks));
    expect(result.requests).toBe(3);
    expect(notion.tree('page')).toEqual(blocks);
    assertTableWidths(notion.tree('page'));
  });

  it.each([
    ['bulleted', (_level: number) => '- '],
    ['numbered', (_level: number, i: number) => `${i + 1}. `],
    ['to-do', (level: number) => (level % 2 === 0 ? '- [ ] ' : '- [x] ')],
  ])('writes %s lists 5 levels deep with the structure preserved exactly', async (_name, marker) => {
    const notion = new FakeNotion('page');
    const blocks = markdownToBlocks(nestedList(5, 3, marker));
    expect(depthOf(blocks)).toBe(5);

    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(notion.tree('page')).toEqual(blocks);
    expect(result.requests).toBe(minimumRequests(blocks));
    // Every request stayed within two levels below its first level (checked by the fake), and the
    // deep levels were appended to blocks the writer had ids for.
    expect(notion.requests.some((req) => req.blockId !== 'page')).toBe(true);
  });

  it('keeps order and structure for a mixed deep tree: siblings after a deep branch, wide fan-out', async () => {
    const markdown = [
      '# Deep and wide',
      nestedList(6, 2, () => '- '),
      'A paragraph between lists.',
      nestedList(3, 120, (_l, i) => `${i + 1}. `)
        .split('\n')
        .slice(0, 260)
        .join('\n'),
      '> quote',
      '>',
      '> - with a list',
      '>   - nested',
      '>     - deeper',
      '>       - deepest',
    ].join('\n\n');
    const blocks = markdownToBlocks(markdown);
    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(notion.tree('page')).toEqual(blocks);
    expect(result.requests).toBe(minimumRequests(blocks));
    // A large tree (a few seconds on a busy 2-core machine): more room than the default 5 s.
  }, 30_000);

  it('writes a table with 150 rows: 100 rows with the table, the other 50 appended to the table', async () => {
    const rows = Array.from({ length: 149 }, (_, i) => `| row ${i + 1} | ${i + 1} |`);
    const blocks = markdownToBlocks(['| Name | Value |', '|---|---|', ...rows].join('\n'));
    expect(blocks).toHaveLength(1);
    const table = blocks[0];
    expect(table?.type === 'table' && table.table.children).toHaveLength(150);

    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(result.requests).toBe(2);
    expect(minimumRequests(blocks)).toBe(2);
    const [first, second] = notion.requests;
    expect(first?.blockId).toBe('page');
    expect(first?.children[0]).toMatchObject({ table: { children: expect.any(Array) } });
    expect((first?.children[0] as { table: { children: unknown[] } } | undefined)?.table.children).toHaveLength(100);
    expect(second?.blockId).toBe(topLevelIds(result.ledger)[0]);
    expect(second?.children).toHaveLength(50);
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('writes a 150-row table nested in a list item: the table becomes first-level under the item', async () => {
    const rows = Array.from({ length: 149 }, (_, i) => `  | ${i + 1} | row ${i + 1} |`);
    const blocks = markdownToBlocks(
      ['- Results:', '', '  | # | Row |', '  |---|---|', ...rows, '- After the table'].join('\n'),
    );
    expect(blocks).toHaveLength(2);
    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    // Page: 2 items; the item: its table with 100 rows; the table: 50 more rows.
    expect(notion.requests.map((req) => req.children.length)).toEqual([2, 1, 50]);
    expect(result.requests).toBe(minimumRequests(blocks));
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('looks in Notion when an answer does not match the request, and takes the blocks it finds there', async () => {
    const notion = new FakeNotion('page');
    const io: WriteIo = {
      ...notion.io,
      append: async (req, signal, dispatched) => {
        const { ids } = await notion.append(req, signal, dispatched);
        return { ids: ids.slice(0, 1) };
      },
    };
    const result = await writeBlocks('page', [paragraph('a'), paragraph('b')], io);
    expect(result.failure).toBeUndefined();
    expect(topLevelIds(result.ledger)).toEqual(notion.pages.get('page')?.children.map((child) => child.id));
    expect(notion.requests).toHaveLength(1);
  });

  it('splits by the 1,000-element limit when 100 top-level blocks carry many children', async () => {
    // 100 items × (1 + 19 children) = 2,000 elements: at least 2 requests although only 100 blocks.
    const markdown = Array.from({ length: 100 }, (_, i) =>
      [`- item ${i}`, ...Array.from({ length: 19 }, (_child, j) => `  - child ${i}.${j}`)].join('\n'),
    ).join('\n');
    const blocks = markdownToBlocks(markdown);
    expect(blocks).toHaveLength(100);
    expect(minimumRequests(blocks)).toBe(2);

    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(result.requests).toBe(2);
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('splits by the 500 KB limit when blocks are large', async () => {
    // 30 paragraphs of ~60 KB each (20,000 three-byte characters): ~1.8 MB in total.
    const blocks = markdownToBlocks(Array.from({ length: 30 }, (_, i) => `${i} ${'漢'.repeat(20_000)}`).join('\n\n'));
    expect(blocks).toHaveLength(30);
    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(result.requests).toBe(minimumRequests(blocks));
    expect(result.requests).toBe(4);
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('inserts after a given block and continues after the last block it wrote', async () => {
    const notion = new FakeNotion('page');
    await writeBlocks('page', [paragraph('before'), paragraph('after')], notion.io);
    const [beforeId] = notion.pages.get('page')?.children.map((child) => child.id) ?? [];

    const blocks = flatDocument();
    const result = await writeBlocks('page', blocks, notion.io, { afterBlockId: beforeId });
    expect(result.failure).toBeUndefined();
    expect(notion.tree('page')).toEqual([paragraph('before'), ...blocks, paragraph('after')]);
    const [first, second, third] = notion.requests.slice(1);
    expect(first?.afterBlockId).toBe(beforeId);
    expect(second?.afterBlockId).toBe(topLevelIds(result.ledger)[99]);
    expect(third?.afterBlockId).toBe(topLevelIds(result.ledger)[199]);
  });

  it('stops at a failed 2nd request: the ledger holds exactly the first request’s blocks, and says what did not land', async () => {
    const notion = new FakeNotion('page');
    notion.failFrom = 2;
    const blocks = flatDocument().map((block, i) => (i === 100 ? heading('Part 3') : block));
    const result = await writeBlocks('page', blocks, notion.io);

    // The 2nd request was sent three times, each time after one look showed it had not landed (a 500
    // is Notion's answer, so one look settles it); one more look found where the write begins.
    expect(result.requests).toBe(1 + WRITE_MAX_SENDS);
    expect(notion.lists).toBe(1 + WRITE_MAX_SENDS);
    expect(topLevelIds(result.ledger)).toEqual(notion.pages.get('page')?.children.map((child) => child.id));
    expect(topLevelIds(result.ledger)).toHaveLength(100);
    expect(result.failure?.error).toMatchObject({ message: 'Internal server error', status: 500 });
    expect(result.failure?.description).toBe('blocks 101–250 of 250 (from the heading "Part 3")');
  });

  it('carries on from the ledger: what landed is not sent again', async () => {
    const notion = new FakeNotion('page');
    notion.failFrom = 2;
    const blocks = flatDocument();
    let saved: WriteLedger = EMPTY_LEDGER;
    const first = await writeBlocks('page', blocks, notion.io, { save: async (ledger) => void (saved = ledger) });
    expect(first.failure).toBeDefined();
    expect(saved).toEqual(first.ledger);

    notion.failFrom = undefined;
    const rest = await writeBlocks('page', blocks, notion.io, { ledger: saved });
    expect(rest.failure).toBeUndefined();
    expect(rest.requests).toBe(2);
    expect(topLevelIds(rest.ledger)).toHaveLength(250);
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('carries a failed follow-up on under the block that landed: one table, with every row once', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `| row ${i + 1} | ${i + 1} |`);
    const blocks = markdownToBlocks(
      [
        ...Array.from({ length: 100 }, (_, i) => `Paragraph ${i + 1}.`),
        ['| Name | Value |', '|---|---|', ...rows].join('\n'),
        'After.',
      ].join('\n\n'),
    );
    const notion = new FakeNotion('page');
    notion.failFrom = 3;
    const first = await writeBlocks('page', blocks, notion.io);
    expect(first.failure?.description).toBe('the rest of the content nested in block 101 of 102 (the table)');

    notion.failFrom = undefined;
    const again = await writeBlocks('page', blocks, notion.io, { ledger: first.ledger });
    expect(again.failure).toBeUndefined();
    expect(again.requests).toBe(1);
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('finds a request whose answer was lost instead of sending it again', async () => {
    const notion = new FakeNotion('page');
    notion.loseAnswerAt = 2;
    const blocks = flatDocument();
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(notion.requests).toHaveLength(3);
    expect(notion.tree('page')).toEqual(blocks);
    expect(topLevelIds(result.ledger)).toEqual(notion.pages.get('page')?.children.map((child) => child.id));
  });

  it('looks for the request a stopped worker had in flight before sending it', async () => {
    const notion = new FakeNotion('page');
    const blocks = flatDocument();
    // Make the state a worker leaves when it dies with the 2nd request in flight: that request landed,
    // its answer never came back, and the 3rd was never sent.
    const full = await writeBlocks('page', blocks, notion.io);
    const page = notion.pages.get('page')!;
    page.children.splice(200);
    const ids = Object.fromEntries(Object.entries(full.ledger.ids).filter(([path]) => Number(path) < 100));
    const inFlight: WriteLedger = { ...full.ledger, ids, sent: { key: '@100', at: Date.now() } };
    const sentBefore = notion.requests.length;

    const resumed = await writeBlocks('page', blocks, notion.io, { ledger: inFlight });
    expect(resumed.failure).toBeUndefined();
    // The 2nd request was found where it landed; only the 3rd was sent.
    expect(notion.requests.length - sentBefore).toBe(1);
    expect(notion.tree('page')).toEqual(blocks);
    expect(topLevelIds(resumed.ledger)).toEqual(page.children.map((child) => child.id));
  });

  it('carries on after blocks a person added: the rest goes after Inkling’s last block, theirs stay last', async () => {
    const notion = new FakeNotion('page');
    notion.failFrom = 2;
    const blocks = flatDocument();
    const first = await writeBlocks('page', blocks, notion.io);
    notion.personAppends('page', [paragraph('My own note.')]);
    notion.failFrom = undefined;
    const again = await writeBlocks('page', blocks, notion.io, { ledger: first.ledger });
    expect(again.failure).toBeUndefined();
    expect(notion.tree('page')).toEqual([...blocks, paragraph('My own note.')]);
  });

  it('never takes a person’s block for its own, even when the text is the same', async () => {
    const notion = new FakeNotion('page');
    notion.personAppends('page', [paragraph('Same words.')]);
    const anchor = notion.pages.get('page')!.children[0]!.id;
    // A lost answer for a request that did NOT land: the only matching block is the person's.
    const ledger: WriteLedger = { ids: {}, anchor: null, sent: { key: '@0', at: Date.now() - 120_000 } };
    const result = await writeBlocks('page', [paragraph('Same words.')], notion.io, { ledger });
    expect(result.failure).toBeUndefined();
    expect(result.requests).toBe(1);
    expect(topLevelIds(result.ledger)).not.toContain(anchor);
    expect(notion.tree('page')).toEqual([paragraph('Same words.'), paragraph('Same words.')]);
  });

  it('describes a failure in a follow-up request for nested content', async () => {
    const blocks = markdownToBlocks(['# Intro', nestedList(4, 2, () => '- '), 'Closing words.'].join('\n\n'));
    const notion = new FakeNotion('page');
    notion.failFrom = 2;
    const result = await writeBlocks('page', blocks, notion.io);

    expect(topLevelIds(result.ledger)).toHaveLength(blocks.length);
    expect(result.failure?.description).toBe(
      'the rest of the content nested in block 2 of 4 (the list item "item 1") and the content nested in block 3',
    );
  });

  it('returns an API error as a failure instead of throwing', async () => {
    const notion = new FakeNotion('page');
    const result = await writeBlocks('missing-page', [paragraph('x')], { ...notion.io, listChildren: async () => [] });
    expect(topLevelIds(result.ledger)).toEqual([]);
    expect(result.failure?.description).toBe('block 1 of 1 (the paragraph "x")');
    expect(String(result.failure?.error)).toContain('Could not find block');
  });

  it('reports an abort before the first request as a failure, with no request made', async () => {
    const controller = new AbortController();
    controller.abort();
    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', flatDocument(), notion.io, { signal: controller.signal });
    expect(result.requests).toBe(0);
    expect(topLevelIds(result.ledger)).toEqual([]);
    expect(result.failure?.error).toMatchObject({ name: 'AbortError' });
    expect(result.failure?.description).toBe('blocks 1–250 of 250 (from the heading "Part 1")');
  });

  it('stops after an abort mid-way and keeps what was created', async () => {
    const controller = new AbortController();
    const notion = new FakeNotion('page');
    const progress: [number, number][] = [];
    const result = await writeBlocks('page', flatDocument(), notion.io, {
      signal: controller.signal,
      onProgress: (done, total) => {
        progress.push([done, total]);
        controller.abort();
      },
    });
    expect(progress).toEqual([[100, 250]]);
    expect(result.requests).toBe(1);
    expect(topLevelIds(result.ledger)).toHaveLength(100);
    expect(result.failure?.error).toMatchObject({ name: 'AbortError' });
    expect(result.failure?.description).toBe('blocks 101–250 of 250 (from the heading "Part 3")');
  });

  it('reports an abort before a request leaves, with nothing recorded as sent', async () => {
    const controller = new AbortController();
    const notion = new FakeNotion('page');
    notion.beforeRequest = (index) => {
      if (index === 2) controller.abort();
    };
    const result = await writeBlocks('page', flatDocument(), notion.io, { signal: controller.signal });
    expect(topLevelIds(result.ledger)).toHaveLength(100);
    expect(result.ledger.sent).toBeUndefined();
    expect(result.failure?.error).toMatchObject({ name: 'AbortError' });
  });

  it('keeps a request aborted in flight as sent, to be looked for when the write carries on', async () => {
    const controller = new AbortController();
    const notion = new FakeNotion('page');
    notion.whileInFlight = (index) => {
      if (index === 2) controller.abort();
    };
    const result = await writeBlocks('page', flatDocument(), notion.io, { signal: controller.signal });
    expect(topLevelIds(result.ledger)).toHaveLength(100);
    expect(result.ledger.sent).toMatchObject({ key: '@100' });
    expect(result.failure?.error).toMatchObject({ name: 'AbortError' });
  });

  it('reports progress over every block, nested ones included', async () => {
    const blocks = markdownToBlocks(nestedList(4, 3, () => '- '));
    const notion = new FakeNotion('page');
    const progress: number[] = [];
    await writeBlocks('page', blocks, notion.io, { onProgress: (done, total) => progress.push(done / total) });
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual(progress.toSorted((a, b) => a - b));
  });

  it('does nothing for an empty document', async () => {
    const notion = new FakeNotion('page');
    expect(await writeBlocks('page', [], notion.io)).toEqual({ ledger: EMPTY_LEDGER, requests: 0 });
    expect(minimumRequests([])).toBe(0);
  });
});

describe('round trip through Notion', () => {
  const representative = [
    '# Release notes',
    'This release has **bold changes**, *small fixes*, ~~old bugs~~ and `inline code`, plus a [link](https://example.com/docs).\nA second line.',
    '## Steps',
    [
      '1. Install the update',
      '2. Restart the app',
      '   - Check the version',
      '     - It should be 2.0',
      '       - Or newer',
      '3. Done',
    ].join('\n'),
    ['- [ ] Write the announcement', '- [x] Tag the release', '  More about tagging.'].join('\n'),
    ['> Upgrade before Friday.', '>', '> Older versions stop syncing.'].join('\n'),
    ['```ts', 'const version = "2.0";', '', 'console.log(version);', '```'].join('\n'),
    ['| Platform | Status |', '| --- | --- |', '| macOS | **ready** |', '| Windows | pending |'].join('\n'),
    ['$$', 'E=mc^2', '$$'].join('\n'),
    '---',
    'It costs $5 and $10.',
  ].join('\n\n');

  it('markdown → blocks → Notion holds exactly those blocks, and reads back into them', async () => {
    const blocks = markdownToBlocks(representative);
    const notion = new FakeNotion('page');
    const result = await writeBlocks('page', blocks, notion.io);
    expect(result.failure).toBeUndefined();
    expect(notion.tree('page')).toEqual(blocks);
    expect(JSON.stringify(blocks)).toContain('It costs $5 and $10.');
  });

  it('the long fixture survives the round trip too', async () => {
    const blocks = markdownToBlocks(fixture);
    const notion = new FakeNotion('page');
    await writeBlocks('page', blocks, notion.io);
    expect(notion.tree('page')).toEqual(blocks);
  });

  it('restores a page read back from Notion into an identical tree (Undo of a replace)', async () => {
    const blocks = markdownToBlocks(`${representative}\n\n${nestedList(5, 2, () => '- ')}`);
    const notion = new FakeNotion('page', 'copy');
    await writeBlocks('page', blocks, notion.io);

    const restored = notion.read('page').map(toBlockTree);
    const result = await writeBlocks('copy', restored, notion.io);
    expect(result.failure).toBeUndefined();
    expect(notion.tree('copy')).toEqual(restored);
  });
});
