// Blocks through the real @notionhq/client: append (positions, nesting, limits and Notion's exact
// refusals), list with pagination, retrieve, update, delete.
import { APIResponseError, collectPaginatedAPI, type BlockObjectRequest, type Client } from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNotionHarness, type NotionHarness } from './harness.ts';
import { FIXTURES } from './index.ts';

let h: NotionHarness;
let notion: Client;
let pageId: string;

beforeAll(async () => {
  h = await startNotionHarness();
  notion = h.client();
});
afterAll(() => h.close());
beforeEach(() => {
  h.api.reset();
  h.api.clearRequestLog();
  pageId = h.api.createPage({ title: 'Scratch' });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

async function apiError(promise: Promise<unknown>): Promise<APIResponseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!APIResponseError.isAPIResponseError(error))
    throw new Error(`Expected an APIResponseError, got ${String(error)}`);
  return error;
}

const text = (content: string) => [{ type: 'text' as const, text: { content } }];
const para = (content: string): BlockObjectRequest => ({ paragraph: { rich_text: text(content) } });
const toggle = (content: string, children?: BlockObjectRequest[]): Loose => ({
  toggle: { rich_text: text(content), ...(children ? { children } : {}) },
});
const link = (url: string): Loose => [{ paragraph: { rich_text: [{ text: { content: 'link', link: { url } } }] } }];
const append = (children: Loose[], extra: Loose = {}) =>
  notion.blocks.children.append({ block_id: pageId, children, ...extra });
const contents = () =>
  h.api
    .getBlockTree(pageId)
    .map((b) =>
      (b[b.type] as { rich_text: Array<{ plain_text: string }> }).rich_text.map((r) => r.plain_text).join(''),
    );

describe('appending blocks', () => {
  it('answers with only the new first-level blocks, fully shaped', async () => {
    const res: Loose = await append([para('one'), toggle('two', [para('nested')])]);
    expect(res).toMatchObject({ object: 'list', type: 'block', block: {}, has_more: false, next_cursor: null });
    expect(res.results).toHaveLength(2);
    expect(res.results[0]).toMatchObject({
      object: 'block',
      parent: { type: 'page_id', page_id: pageId },
      type: 'paragraph',
      has_children: false,
      in_trash: false,
      archived: false,
      created_by: { object: 'user', id: FIXTURES.botUserId },
      paragraph: {
        color: 'default',
        rich_text: [{ plain_text: 'one', href: null, annotations: { bold: false, color: 'default' } }],
      },
    });
    expect(res.results[1]).toMatchObject({ type: 'toggle', has_children: true });
    const nested: Loose = await notion.blocks.children.list({ block_id: res.results[1].id });
    expect(nested.results[0]).toMatchObject({
      type: 'paragraph',
      parent: { type: 'block_id', block_id: res.results[1].id },
    });
  });

  it('refuses heading_4 before 2026-03-11 and serves one written since as unsupported there', async () => {
    const old = await apiError(append([{ heading_4: { rich_text: text('H4') } }]));
    expect(old.message).toContain('body.children[0].heading_3 should be defined');
    expect(old.message).not.toContain('heading_4');
    const current = h.client(FIXTURES.token, { notionVersion: '2026-03-11' });
    await current.blocks.children.append({ block_id: pageId, children: [{ heading_4: { rich_text: text('H4') } }] });
    const [seenByOld]: Loose[] = (await notion.blocks.children.list({ block_id: pageId })).results;
    expect(seenByOld).toMatchObject({ type: 'unsupported', unsupported: {} });
    expect(seenByOld.heading_4).toBeUndefined();
    const [seenByCurrent]: Loose[] = (await current.blocks.children.list({ block_id: pageId })).results;
    expect(seenByCurrent).toMatchObject({ type: 'heading_4', heading_4: { is_toggleable: false } });
  });

  it('places blocks at the end, at the start, after a block (position and the deprecated after)', async () => {
    const first: Loose = await append([para('a'), para('b')]);
    await append([para('after a')], { position: { type: 'after_block', after_block: { id: first.results[0].id } } });
    await append([para('start')], { position: { type: 'start' } });
    await append([para('end')], { position: { type: 'end' } });
    await append([para('after b')], { after: first.results[1].id });
    expect(contents()).toEqual(['start', 'a', 'after a', 'b', 'after b', 'end']);
    const error = await apiError(
      append([para('x')], {
        position: { type: 'after_block', after_block: { id: FIXTURES.playgroundHeadingBlockId } },
      }),
    );
    expect(error.code).toBe('validation_error');
  });

  it('takes every writable block type and serves Notion’s shapes (heading_4 on 2026-03-11)', async () => {
    const current = h.client(FIXTURES.token, { notionVersion: '2026-03-11' });
    const res: Loose = await current.blocks.children.append({
      block_id: pageId,
      children: [
        { heading_1: { rich_text: text('H1') } },
        { heading_4: { rich_text: text('H4'), is_toggleable: true, children: [para('inside')] } },
        { bulleted_list_item: { rich_text: text('bullet') } },
        { numbered_list_item: { rich_text: text('number') } },
        { to_do: { rich_text: text('todo'), checked: true } },
        { quote: { rich_text: text('quote'), color: 'gray_background' } },
        { callout: { rich_text: text('callout') } },
        { code: { rich_text: text('const x = 1;'), language: 'typescript' } },
        { equation: { expression: 'e=mc^2' } },
        { divider: {} },
        { table_of_contents: {} },
        { breadcrumb: {} },
        { bookmark: { url: 'https://example.com' } },
        { embed: { url: 'https://example.com/embed' } },
        { image: { type: 'external', external: { url: 'https://example.com/a.png' } } },
        { link_to_page: { type: 'page_id', page_id: FIXTURES.playgroundPageId } },
        {
          table: {
            table_width: 2,
            has_column_header: true,
            children: [{ table_row: { cells: [text('k'), text('v')] } }, { table_row: { cells: [text('a'), []] } }],
          },
        },
        {
          column_list: {
            children: [{ column: { children: [para('left')] } }, { column: { children: [para('right')] } }],
          },
        },
      ] as Loose,
    });
    const byType = Object.fromEntries(res.results.map((b: Loose) => [b.type, b[b.type]]));
    expect(byType.heading_4).toMatchObject({ is_toggleable: true, color: 'default' });
    expect(byType.to_do).toMatchObject({ checked: true });
    expect(byType.callout.icon).toEqual({ type: 'emoji', emoji: '💡' });
    expect(byType.code).toMatchObject({ language: 'typescript', caption: [] });
    expect(byType.equation).toEqual({ expression: 'e=mc^2' });
    expect(byType.table).toEqual({ table_width: 2, has_column_header: true, has_row_header: false });
    expect(byType.image).toEqual({ caption: [], type: 'external', external: { url: 'https://example.com/a.png' } });
    expect(byType.bookmark).toEqual({ caption: [], url: 'https://example.com' });
    const tree = h.api.getBlockTree(pageId);
    const table = tree.find((b) => b.type === 'table');
    expect(table?.children.map((r) => (r.table_row as Loose).cells.length)).toEqual([2, 2]);
    const columns = tree.find((b) => b.type === 'column_list');
    expect(columns?.children.map((c) => c.type)).toEqual(['column', 'column']);
  });

  it('refuses more than 100 children', async () => {
    const error = await apiError(append(Array.from({ length: 101 }, (_, i) => para(`p${i}`))));
    expect(error.code).toBe('validation_error');
    expect(error.message).toBe('body failed validation: body.children.length should be ≤ `100`, instead was `101`.');
    await expect(append(Array.from({ length: 100 }, (_, i) => para(`p${i}`)))).resolves.toBeTruthy();
  });

  it('refuses a third level of nesting in one request', async () => {
    const error = await apiError(append([toggle('1', [toggle('2', [toggle('3', [para('4')])])])]));
    expect(error.message).toMatch(
      /^body failed validation: body\.children\[0\]\.toggle\.children\[0\]\.toggle\.children\[0\]\.toggle\.children should be not present, instead was `\[.*`\.$/,
    );
    // Two levels are fine; deeper content goes in a later call under the returned ids.
    const res: Loose = await append([toggle('1', [toggle('2', [para('3')])])]);
    const level2: Loose = await notion.blocks.children.list({ block_id: res.results[0].id });
    const level3: Loose = await notion.blocks.children.list({ block_id: level2.results[0].id });
    await notion.blocks.children.append({ block_id: level3.results[0].id, children: [para('4')] });
    // Columns are layout, not nesting.
    await expect(
      append([
        {
          column_list: {
            children: [{ column: { children: [toggle('a', [para('b')])] } }, { column: { children: [para('c')] } }],
          },
        },
      ]),
    ).resolves.toBeTruthy();
  });

  it('refuses a text item over 2000 characters, also in pages.create', async () => {
    const long = 'x'.repeat(2001);
    const error = await apiError(append([para(long)]));
    expect(error.message).toBe(
      'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    );
    const nested = await apiError(
      append([para('ok'), toggle('t', [{ bulleted_list_item: { rich_text: [...text('a'), ...text(long)] } }])]),
    );
    expect(nested.message).toBe(
      'body failed validation: body.children[1].toggle.children[0].bulleted_list_item.rich_text[1].text.content.length should be ≤ `2000`, instead was `2001`.',
    );
    const onCreate = await apiError(
      notion.pages.create({
        parent: { page_id: pageId },
        properties: { title: { title: text('t') } },
        children: [para(long)],
      }),
    );
    expect(onCreate.message).toBe(
      'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    );
    await expect(append([para('x'.repeat(2000))])).resolves.toBeTruthy();
    // Length counts UTF-16 code units, as JavaScript does: 1000 emoji are 2000 units.
    await expect(append([para('😀'.repeat(1000))])).resolves.toBeTruthy();
    expect((await apiError(append([para(`${'😀'.repeat(1000)}x`)]))).message).toContain('instead was `2001`');
  });

  it('refuses more than 100 rich text items, and long equations', async () => {
    const items = Array.from({ length: 101 }, () => text('a')[0]);
    expect((await apiError(append([{ paragraph: { rich_text: items } }]))).message).toBe(
      'body failed validation: body.children[0].paragraph.rich_text.length should be ≤ `100`, instead was `101`.',
    );
    expect((await apiError(append([{ equation: { expression: 'x'.repeat(1001) } }]))).message).toBe(
      'body failed validation: body.children[0].equation.expression.length should be ≤ `1000`, instead was `1001`.',
    );
  });

  it('refuses a code language Notion does not list, naming the allowed ones', async () => {
    const error = await apiError(append([{ code: { rich_text: text('x'), language: 'ts' as Loose } }]));
    expect(error.code).toBe('validation_error');
    expect(
      error.message.startsWith(
        'body failed validation: body.children[0].code.language should be `"abap"`, `"abc"`, `"agda"`',
      ),
    ).toBe(true);
    expect(error.message.endsWith('`"yaml"`, or `"java/c/c++/c#"`, instead was `"ts"`.')).toBe(true);
    expect(error.message).toContain('`"plain text"`');
    await expect(append([{ code: { rich_text: text('x'), language: 'plain text' } }])).resolves.toBeTruthy();
  });

  it('refuses link URLs that are not absolute http(s)/mailto/… URLs', async () => {
    for (const url of ['www.example.com', '/relative/path', 'javascript:alert(1)', '']) {
      const error = await apiError(append(link(url)));
      expect(error.message).toBe('Invalid URL for link.');
    }
    expect((await apiError(append(link(`https://example.com/${'a'.repeat(2000)}`)))).message).toBe(
      'body failed validation: body.children[0].paragraph.rich_text[0].text.link.url.length should be ≤ `2000`, instead was `2020`.',
    );
    await expect(append(link('mailto:ada@example.com'))).resolves.toBeTruthy();
  });

  it('checks table rows against table_width, including rows appended later', async () => {
    const bad = await apiError(
      append([{ table: { table_width: 3, children: [{ table_row: { cells: [text('a'), text('b')] } }] } }]),
    );
    expect(bad.code).toBe('validation_error');
    const res: Loose = await append([
      { table: { table_width: 2, children: [{ table_row: { cells: [text('a'), text('b')] } }] } },
    ]);
    const tableId = res.results[0].id;
    await notion.blocks.children.append({
      block_id: tableId,
      children: [{ table_row: { cells: [text('c'), text('d')] } }],
    });
    expect(
      (
        await apiError(
          notion.blocks.children.append({ block_id: tableId, children: [{ table_row: { cells: [text('e')] } }] }),
        )
      ).code,
    ).toBe('validation_error');
    expect((await apiError(notion.blocks.children.append({ block_id: tableId, children: [para('no')] }))).code).toBe(
      'validation_error',
    );
  });

  it('refuses unknown block types, unknown keys, and children where none can go', async () => {
    const unknown = await apiError(append([{ sparkle: { rich_text: [] } }]));
    expect(
      unknown.message.startsWith(
        'body failed validation. Fix one:\nbody.children[0].embed should be defined, instead was `undefined`.',
      ),
    ).toBe(true);
    const extraKey = await apiError(append([{ paragraph: { rich_text: text('a'), bold: true } }]));
    expect(extraKey.message).toBe(
      'body failed validation: body.children[0].paragraph.bold should be not present, instead was `true`.',
    );
    const annotationsInText = await apiError(
      append([{ paragraph: { rich_text: [{ text: { content: 'a', annotations: { bold: true } } }] } }]),
    );
    expect(annotationsInText.message).toBe(
      'body failed validation: body.children[0].paragraph.rich_text[0].text.annotations should be not present, instead was `{"bold":true}`.',
    );
    const res: Loose = await append([{ code: { rich_text: text('x'), language: 'python' } }]);
    expect(
      (await apiError(notion.blocks.children.append({ block_id: res.results[0].id, children: [para('x')] }))).code,
    ).toBe('validation_error');
  });

  it('refuses more than 1000 blocks, or a body over 500 KB, in one request', async () => {
    const many = Array.from({ length: 100 }, (_, i) =>
      toggle(
        `t${i}`,
        Array.from({ length: 10 }, (_unused, j) => para(`${i}.${j}`)),
      ),
    );
    expect((await apiError(append(many))).code).toBe('validation_error');
    const big = Array.from({ length: 100 }, () => ({
      paragraph: { rich_text: Array.from({ length: 3 }, () => text('x'.repeat(2000))[0]) },
    }));
    const error = await apiError(append(big));
    expect(error.code).toBe('validation_error');
    expect(error.message).toMatch(/^body failed validation: body should be at most 500KB/);
  });

  it('refuses appending to a trashed page', async () => {
    await notion.pages.update({ page_id: pageId, in_trash: true });
    const error = await apiError(append([para('x')]));
    expect(error.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.");
  });

  it('renders mentions with the mentioned title, or Untitled when it is not shared', async () => {
    const res: Loose = await append([
      {
        paragraph: {
          rich_text: [
            { mention: { page: { id: FIXTURES.playgroundPageId } } },
            { mention: { page: { id: FIXTURES.privatePageId } } },
            { mention: { user: { id: FIXTURES.personUserId } } },
            { mention: { date: { start: '2026-01-31' } } },
            { equation: { expression: 'x^2' } },
          ],
        },
      },
    ]);
    expect(res.results[0].paragraph.rich_text.map((r: Loose) => r.plain_text)).toEqual([
      'Inkling Playground',
      'Untitled',
      '@Ada Lovelace',
      '2026-01-31',
      'x^2',
    ]);
    expect(res.results[0].paragraph.rich_text[0].href).toBe(
      `https://www.notion.so/${FIXTURES.playgroundPageId.replace(/-/g, '')}`,
    );
  });
});

describe('listing, retrieving, updating and deleting blocks', () => {
  it('pages through children with page_size and cursors', async () => {
    await append(Array.from({ length: 100 }, (_, i) => para(`p${i}`)));
    await append(Array.from({ length: 50 }, (_, i) => para(`p${100 + i}`)));
    const first: Loose = await notion.blocks.children.list({ block_id: pageId, page_size: 40 });
    expect(first).toMatchObject({ object: 'list', type: 'block', has_more: true });
    expect(first.results).toHaveLength(40);
    expect(first.next_cursor).toBe(
      (await notion.blocks.children.list({ block_id: pageId, page_size: 41 })).results[40]?.id,
    );
    const all = await collectPaginatedAPI(notion.blocks.children.list, { block_id: pageId, page_size: 40 });
    expect(all.map((b: Loose) => b.paragraph.rich_text[0].plain_text)).toEqual(
      Array.from({ length: 150 }, (_, i) => `p${i}`),
    );
    expect(h.api.requestLog.filter((r) => r.route === 'GET /v1/blocks/:id/children').length).toBe(6);

    const badCursor = await h.raw('GET', `/v1/blocks/${pageId}/children?start_cursor=bogus`);
    expect((await badCursor.json()).message).toBe(
      'query failed validation: query.start_cursor should be a valid uuid or `undefined`, instead was `"bogus"`.',
    );
    expect((await apiError(notion.blocks.children.list({ block_id: pageId, page_size: 101 }))).code).toBe(
      'validation_error',
    );
  });

  it('lists the playground’s seeded content with has_children flags', async () => {
    const res: Loose = await notion.blocks.children.list({ block_id: FIXTURES.playgroundPageId });
    expect(res.results.map((b: Loose) => b.type)).toEqual([
      'heading_2',
      'paragraph',
      'child_database',
      'child_database',
      'child_page',
    ]);
    expect(res.results.map((b: Loose) => b.has_children)).toEqual([false, false, false, false, false]);
    expect(res.results[0].id).toBe(FIXTURES.playgroundHeadingBlockId);
  });

  it('retrieves a page as a child_page block and a block as itself', async () => {
    const page: Loose = await notion.blocks.retrieve({ block_id: pageId });
    expect(page).toMatchObject({
      type: 'child_page',
      child_page: { title: 'Scratch' },
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
    });
    const heading: Loose = await notion.blocks.retrieve({ block_id: FIXTURES.playgroundHeadingBlockId });
    expect(heading).toMatchObject({ type: 'heading_2', heading_2: { is_toggleable: false } });
  });

  it('updates a block’s content', async () => {
    const res: Loose = await append([{ to_do: { rich_text: text('task') } }]);
    const updated: Loose = await notion.blocks.update({ block_id: res.results[0].id, to_do: { checked: true } });
    expect(updated.to_do).toMatchObject({ checked: true, rich_text: [{ plain_text: 'task' }] });
    const retyped = await apiError(
      notion.blocks.update({ block_id: res.results[0].id, paragraph: { rich_text: text('x') } } as Loose),
    );
    expect(retyped.code).toBe('validation_error');
  });

  it('deletes (trashes) a block: answered with in_trash true, gone from listings, not editable', async () => {
    const res: Loose = await append([para('keep'), toggle('drop', [para('child')])]);
    const deleted: Loose = await notion.blocks.delete({ block_id: res.results[1].id });
    expect(deleted).toMatchObject({
      id: res.results[1].id,
      object: 'block',
      in_trash: true,
      archived: true,
      type: 'toggle',
    });
    const list: Loose = await notion.blocks.children.list({ block_id: pageId });
    expect(list.results.map((b: Loose) => b.id)).toEqual([res.results[0].id]);
    expect(contents()).toEqual(['keep']);
    const again = await apiError(notion.blocks.delete({ block_id: res.results[1].id }));
    expect(again.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.");
    const under = await apiError(notion.blocks.children.append({ block_id: res.results[1].id, children: [para('x')] }));
    expect(under.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.");
    const retrieved: Loose = await notion.blocks.retrieve({ block_id: res.results[1].id });
    expect(retrieved.in_trash).toBe(true);
  });

  it('deleting a page’s block trashes the page', async () => {
    await notion.blocks.delete({ block_id: pageId });
    const page: Loose = await notion.pages.retrieve({ page_id: pageId });
    expect(page.in_trash).toBe(true);
  });
});
