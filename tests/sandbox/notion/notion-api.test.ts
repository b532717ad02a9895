// The Notion emulator through the real @notionhq/client 5.26.0: auth, databases and data sources,
// queries, pages and their properties, search, sharing, wrong-kind ids, rate limits, HTTP edge cases.
import {
  APIErrorCode,
  APIResponseError,
  collectAllDataSourceRows,
  collectPaginatedAPI,
  extractNotionId,
  isFullPage,
  Client,
  LogLevel,
  UnknownHTTPResponseError,
  type PageObjectResponse,
} from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNotionHarness, type NotionHarness } from './harness.ts';
import { compactId, defaultViewIdFor, FIXTURES } from './index.ts';

let h: NotionHarness;
let notion: Client;

beforeAll(async () => {
  h = await startNotionHarness();
  notion = h.client();
});
afterAll(() => h.close());
beforeEach(() => {
  h.api.reset();
  h.api.setRateLimit(0);
  h.api.clearRequestLog();
});

/** The APIResponseError a call rejects with. */
async function apiError(promise: Promise<unknown>): Promise<APIResponseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!APIResponseError.isAPIResponseError(error))
    throw new Error(`Expected an APIResponseError, got ${String(error)}`);
  return error;
}

// Property values are a wide union; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
function props(page: unknown): Record<string, Loose> {
  if (!isFullPage(page as PageObjectResponse)) throw new Error('not a full page');
  return (page as PageObjectResponse).properties as Record<string, Loose>;
}
const plain = (items: Array<{ plain_text: string }>): string => items.map((i) => i.plain_text).join('');
const text = (content: string) => [{ type: 'text' as const, text: { content } }];

describe('auth and users', () => {
  it('answers users.me with the workspace bot', async () => {
    const me: Loose = await notion.users.me({});
    expect(me).toMatchObject({
      object: 'user',
      id: FIXTURES.botUserId,
      type: 'bot',
      bot: {
        owner: { type: 'workspace', workspace: true },
        workspace_name: 'Inkling Sandbox',
        workspace_id: FIXTURES.workspaceId,
      },
    });
    expect(me.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes a personal access token and a legacy secret_ token for the same workspace', async () => {
    for (const token of [FIXTURES.personalAccessToken, FIXTURES.legacyToken]) {
      const me: Loose = await h.client(token).users.me({});
      expect(me.bot.workspace_name).toBe('Inkling Sandbox');
    }
  });

  it('refuses an unknown token with 401 unauthorized', async () => {
    const error = await apiError(h.client(FIXTURES.invalidToken).users.me({}));
    expect(error.code).toBe(APIErrorCode.Unauthorized);
    expect(error.status).toBe(401);
    expect(error.message).toBe('API token is invalid.');
    expect(JSON.parse(error.body)).toMatchObject({ object: 'error', status: 401, code: 'unauthorized' });
    expect(error.request_id).toBeTruthy();
  });

  it('refuses a request without Notion-Version (missing_version, not an SDK enum code)', async () => {
    const res = await h.raw('GET', '/v1/users/me', { headers: { 'notion-version': '' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ object: 'error', code: 'missing_version' });
  });

  it('lists users and retrieves one', async () => {
    const users = await notion.users.list({});
    expect(users.results.map((u) => u.id)).toEqual([FIXTURES.botUserId, FIXTURES.personUserId]);
    const ada: Loose = await notion.users.retrieve({ user_id: FIXTURES.personUserId });
    expect(ada).toMatchObject({ name: 'Ada Lovelace', type: 'person', person: { email: FIXTURES.personEmail } });
  });
});

describe('HTTP edge cases', () => {
  it('answers an unknown route or method with invalid_request_url', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['DELETE', `/v1/pages/${FIXTURES.playgroundPageId}`],
      ['POST', `/v1/databases/${FIXTURES.topicsDatabaseId}/query`],
    ] as const) {
      const res = await h.raw(method, path);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_request_url', message: 'Invalid request URL.' });
    }
    expect(h.api.requestLog.at(-1)?.route).toBe(`POST /v1/databases/${FIXTURES.topicsDatabaseId}/query`);
  });

  it('answers malformed JSON with invalid_json', async () => {
    const res = await h.raw('PATCH', `/v1/pages/${FIXTURES.topicsRowIds[0]}`, { body: '{"properties": ' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_json', message: 'Error parsing JSON body.' });
  });

  it('refuses an id that is not a UUID in the path', async () => {
    const error = await apiError(notion.pages.retrieve({ page_id: 'not-an-id' }));
    expect(error.code).toBe('validation_error');
    expect(error.message).toBe(
      'path failed validation: path.page_id should be a valid uuid, instead was `"not-an-id"`.',
    );
  });

  it('refuses unknown body keys as Notion does', async () => {
    const res = await h.raw('PATCH', `/v1/pages/${FIXTURES.topicsRowIds[0]}`, {
      body: JSON.stringify({ colour: 'red' }),
    });
    expect(await res.json()).toMatchObject({
      code: 'validation_error',
      message: 'body failed validation: body.colour should be not present, instead was `"red"`.',
    });
  });

  it('accepts ids without dashes and logs requests per route', async () => {
    const compact = FIXTURES.playgroundPageId.replace(/-/g, '');
    const page = await notion.pages.retrieve({ page_id: compact });
    expect(page.id).toBe(FIXTURES.playgroundPageId);
    await notion.blocks.children.list({ block_id: compact });
    expect(h.api.requestCounts).toEqual({ 'GET /v1/pages/:id': 1, 'GET /v1/blocks/:id/children': 1 });
    expect(h.api.requestLog[0]).toMatchObject({ method: 'GET', status: 200, token: FIXTURES.token });
  });

  it('drops `archived` and refuses it in requests on Notion-Version 2026-03-11', async () => {
    const next = h.client(FIXTURES.token, { notionVersion: '2026-03-11' });
    const page: Loose = await next.pages.retrieve({ page_id: FIXTURES.playgroundPageId });
    expect(page.in_trash).toBe(false);
    expect('archived' in page).toBe(false);
    const res = await h.raw('PATCH', `/v1/pages/${FIXTURES.topicsRowIds[2]}`, {
      headers: { 'notion-version': '2026-03-11' },
      body: JSON.stringify({ archived: true }),
    });
    expect((await res.json()).message).toBe(
      'body failed validation: body.archived should be not present, instead was `true`.',
    );
  });
});

describe('databases and data sources', () => {
  it('retrieves the Topics database, then its data source schema', async () => {
    const db: Loose = await notion.databases.retrieve({ database_id: FIXTURES.topicsDatabaseId });
    expect(db).toMatchObject({
      object: 'database',
      id: FIXTURES.topicsDatabaseId,
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
      in_trash: false,
      archived: false,
      is_inline: false,
      data_sources: [{ id: FIXTURES.topicsDataSourceId, name: 'Topics' }],
    });
    expect(db.properties).toBeUndefined();
    expect(plain(db.title)).toBe('Topics');

    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: db.data_sources[0].id });
    expect(ds).toMatchObject({
      object: 'data_source',
      parent: { type: 'database_id', database_id: FIXTURES.topicsDatabaseId },
      database_parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
    });
    expect(Object.keys(ds.properties)).toEqual(['Topic', 'Generate', 'Output']);
    expect(ds.properties.Topic).toEqual({ id: 'title', name: 'Topic', description: null, type: 'title', title: {} });
    expect(ds.properties.Generate).toMatchObject({ type: 'checkbox', checkbox: {} });
    expect(ds.properties.Output).toMatchObject({ type: 'rich_text', rich_text: {} });
  });

  it('describes every property type in All Types', async () => {
    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: FIXTURES.allTypesDataSourceId });
    const types = Object.values(ds.properties as Record<string, { type: string }>).map((p) => p.type);
    expect(new Set(types)).toEqual(
      new Set([
        'title',
        'rich_text',
        'number',
        'select',
        'multi_select',
        'status',
        'date',
        'people',
        'files',
        'checkbox',
        'url',
        'email',
        'phone_number',
        'formula',
        'relation',
        'rollup',
        'created_time',
        'created_by',
        'last_edited_time',
        'last_edited_by',
        'unique_id',
      ]),
    );
    expect(ds.properties.Priority.select.options.map((o: Loose) => [o.name, o.color])).toEqual([
      ['High', 'red'],
      ['Medium', 'yellow'],
      ['Low', 'green'],
    ]);
    expect(ds.properties.Stage.status.groups.map((g: Loose) => g.name)).toEqual(['To-do', 'In progress', 'Complete']);
    expect(ds.properties.Topic.relation).toMatchObject({
      data_source_id: FIXTURES.topicsDataSourceId,
      database_id: FIXTURES.topicsDatabaseId,
      type: 'single_property',
    });
    expect(ds.properties['Topic count'].rollup).toMatchObject({
      function: 'count',
      relation_property_name: 'Topic',
      rollup_property_name: 'Topic',
    });
    expect(ds.properties.ID.unique_id).toEqual({ prefix: 'AT' });
    // Property ids are short and served URL-encoded; the title's is always "title".
    for (const prop of Object.values(ds.properties as Record<string, { id: string; type: string }>)) {
      expect(prop.id).toBe(prop.type === 'title' ? 'title' : encodeURIComponent(decodeURIComponent(prop.id)));
    }
  });

  it('serves computed values on All Types rows', async () => {
    const row = props(await notion.pages.retrieve({ page_id: FIXTURES.allTypesRowIds[0] }));
    expect(row['Double score'].formula).toEqual({ type: 'number', number: 84 });
    expect(row['Topic count'].rollup).toEqual({ type: 'number', number: 2, function: 'count' });
    expect(row.ID.unique_id).toEqual({ prefix: 'AT', number: 1 });
    expect(row.Created.created_time).toMatch(/^2026-10-01T09:\d\d:00\.000Z$/);
    expect(row['Created by'].created_by).toEqual({ object: 'user', id: FIXTURES.personUserId });
    expect(row.Topic).toMatchObject({
      relation: [{ id: FIXTURES.topicsRowIds[0] }, { id: FIXTURES.topicsRowIds[1] }],
      has_more: false,
    });
  });

  it('creates a database under the playground page with initial_data_source, shown as a child_database block', async () => {
    const db: Loose = await notion.databases.create({
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
      title: text('Connections'),
      is_inline: false,
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Source: { relation: { data_source_id: FIXTURES.topicsDataSourceId, single_property: {} } },
          Score: { number: { format: 'number' } },
          Kind: { select: { options: [{ name: 'A', color: 'blue' }] } },
          Why: { rich_text: {} },
          Done: { checkbox: {} },
        },
      },
    });
    expect(db).toMatchObject({ object: 'database', parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId } });
    const dataSourceId = db.data_sources[0].id;
    expect(db.data_sources).toEqual([{ id: dataSourceId, name: 'Connections' }]);

    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
    expect(Object.keys(ds.properties)).toEqual(['Name', 'Source', 'Score', 'Kind', 'Why', 'Done']);
    expect(ds.properties.Kind.select.options[0]).toMatchObject({ name: 'A', color: 'blue' });

    const children = await collectPaginatedAPI(notion.blocks.children.list, { block_id: FIXTURES.playgroundPageId });
    const last: Loose = children.at(-1);
    expect(last).toMatchObject({ id: db.id, type: 'child_database', child_database: { title: 'Connections' } });

    const row: Loose = await notion.pages.create({
      parent: { type: 'data_source_id', data_source_id: dataSourceId },
      properties: {
        Name: { title: text('link') },
        Source: { relation: [{ id: FIXTURES.topicsRowIds[0] }] },
        Kind: { select: { name: 'A' } },
      },
    });
    expect(row.parent).toEqual({ type: 'data_source_id', data_source_id: dataSourceId, database_id: db.id });
    expect(h.api.queryRows(dataSourceId)).toHaveLength(1);
  });

  it('updates a data source schema: add, rename, delete, new select options', async () => {
    const ds: Loose = await notion.dataSources.update({
      data_source_id: FIXTURES.topicsDataSourceId,
      properties: {
        Output: { name: 'Result' },
        Status: { select: { options: [{ name: 'Draft', color: 'gray' }] } },
        Generate: null,
      },
    });
    expect(Object.keys(ds.properties)).toEqual(['Topic', 'Result', 'Status']);
    const again: Loose = await notion.dataSources.update({
      data_source_id: FIXTURES.topicsDataSourceId,
      properties: { Status: { select: { options: [{ name: 'Final', color: 'green' }] } } },
    });
    expect(again.properties.Status.select.options.map((o: Loose) => o.name)).toEqual(['Draft', 'Final']);
    const row = props(await notion.pages.retrieve({ page_id: FIXTURES.topicsRowIds[0] }));
    expect(Object.keys(row)).toEqual(['Topic', 'Result', 'Status']);

    const error = await apiError(
      notion.dataSources.update({ data_source_id: FIXTURES.topicsDataSourceId, properties: { Topic: null } }),
    );
    expect(error.code).toBe('validation_error');
  });

  it('trashes and restores a database', async () => {
    const trashed: Loose = await notion.databases.update({ database_id: FIXTURES.topicsDatabaseId, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true, archived: true });
    const row: Loose = await notion.pages.retrieve({ page_id: FIXTURES.topicsRowIds[0] });
    expect(row.in_trash).toBe(true);
    const restored: Loose = await notion.databases.update({ database_id: FIXTURES.topicsDatabaseId, in_trash: false });
    expect(restored.in_trash).toBe(false);
  });
});

describe('querying a data source', () => {
  let dataSourceId: string;
  beforeEach(() => {
    ({ dataSourceId } = h.api.createDatabase({
      title: 'Bulk',
      properties: {
        Name: 'title',
        N: 'number',
        Even: 'checkbox',
        Note: 'rich_text',
        Kind: { select: { options: [{ name: 'x' }, { name: 'y' }] } },
      },
      rows: Array.from({ length: 250 }, (_, i) => ({
        Name: `Row ${String(i).padStart(3, '0')}`,
        N: i,
        Even: i % 2 === 0,
        Note: i % 3 === 0 ? '' : `note ${i}`,
        Kind: i < 5 ? 'y' : 'x',
      })),
    }));
  });

  it('pages through 250 rows 100 at a time with opaque cursors', async () => {
    const first = await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 100 });
    expect(first).toMatchObject({
      object: 'list',
      type: 'page_or_data_source',
      has_more: true,
      request_status: { type: 'complete' },
    });
    expect(first.results).toHaveLength(100);
    expect(first.next_cursor).toMatch(/^[0-9a-f-]{36}$/);
    const second = await notion.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 100,
      start_cursor: first.next_cursor ?? undefined,
    });
    const third = await notion.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 100,
      start_cursor: second.next_cursor ?? undefined,
    });
    expect([second.results.length, third.results.length]).toEqual([100, 50]);
    expect(third).toMatchObject({ has_more: false, next_cursor: null });
    const names = [...first.results, ...second.results, ...third.results].map((p) => plain(props(p).Name.title));
    expect(names).toEqual(Array.from({ length: 250 }, (_, i) => `Row ${String(i).padStart(3, '0')}`));

    const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: dataSourceId });
    expect(new Set(all.map((p) => p.id)).size).toBe(250);
    const allRows = await collectAllDataSourceRows(notion, { data_source_id: dataSourceId });
    expect(allRows).toHaveLength(250);
  });

  it('refuses page_size over 100', async () => {
    const error = await apiError(notion.dataSources.query({ data_source_id: dataSourceId, page_size: 101 }));
    expect(error.message).toBe('body failed validation: body.page_size should be ≤ `100`, instead was `101`.');
  });

  const count = async (filter: Loose) =>
    (await collectPaginatedAPI(notion.dataSources.query, { data_source_id: dataSourceId, filter })).length;
  const query = (filter: Loose) => notion.dataSources.query({ data_source_id: dataSourceId, filter });

  it('filters by checkbox, is_empty and and/or compounds', async () => {
    expect(await count({ property: 'Even', checkbox: { equals: true } })).toBe(125);
    expect(await count({ property: 'Even', checkbox: { does_not_equal: true } })).toBe(125);
    expect(await count({ property: 'Note', rich_text: { is_empty: true } })).toBe(84);
    expect(await count({ property: 'Note', rich_text: { is_not_empty: true } })).toBe(166);
    expect(await count({ property: 'Name', title: { contains: 'row 01' } })).toBe(10);
    expect(await count({ property: 'N', number: { greater_than_or_equal_to: 200 } })).toBe(50);
    expect(await count({ property: 'Kind', select: { equals: 'y' } })).toBe(5);
    expect(
      await count({
        and: [
          { property: 'Even', checkbox: { equals: true } },
          {
            or: [
              { property: 'N', number: { less_than: 10 } },
              { property: 'N', number: { greater_than_or_equal_to: 240 } },
            ],
          },
        ],
      }),
    ).toBe(10);
    expect(await count({ timestamp: 'created_time', created_time: { on_or_after: '2000-01-01' } })).toBe(250);
  });

  it('refuses filters Notion refuses', async () => {
    expect((await apiError(query({ property: 'Colour', checkbox: { equals: true } }))).message).toBe(
      'Could not find property with name or id: Colour',
    );
    expect((await apiError(query({ property: 'N', rich_text: { is_empty: true } }))).message).toBe(
      'The property type in the database does not match the property type of the filter provided: database property number does not match filter rich_text',
    );
    const tooDeep = { and: [{ or: [{ and: [{ property: 'Even', checkbox: { equals: true } }] }] }] };
    expect((await apiError(query(tooDeep))).code).toBe('validation_error');
  });

  it('sorts by property and by timestamp', async () => {
    const byN = await notion.dataSources.query({
      data_source_id: dataSourceId,
      sorts: [{ property: 'N', direction: 'descending' }],
      page_size: 3,
    });
    expect(byN.results.map((p) => props(p).N.number)).toEqual([249, 248, 247]);
    const byKind = await notion.dataSources.query({
      data_source_id: dataSourceId,
      sorts: [
        { property: 'Kind', direction: 'ascending' },
        { property: 'N', direction: 'descending' },
      ],
      page_size: 2,
    });
    // Select options sort in schema order (x before y).
    expect(byKind.results.map((p) => props(p).N.number)).toEqual([249, 248]);
    const newest = await notion.dataSources.query({
      data_source_id: dataSourceId,
      sorts: [{ timestamp: 'created_time', direction: 'descending' }],
      page_size: 1,
    });
    expect(newest.results).toHaveLength(1);
    expect(
      (
        await apiError(
          notion.dataSources.query({
            data_source_id: dataSourceId,
            sorts: [{ property: 'X', direction: 'ascending' }],
          }),
        )
      ).message,
    ).toBe('Could not find sort property with name or id: X');
  });

  it('returns only the asked-for properties with filter_properties', async () => {
    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
    const res = await notion.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 1,
      filter_properties: [ds.properties.N.id, 'title'],
    });
    expect(Object.keys(props(res.results[0]))).toEqual(['Name', 'N']);
    const page = await notion.pages.retrieve({
      page_id: res.results[0]?.id ?? '',
      filter_properties: [ds.properties.Even.id],
    });
    expect(Object.keys(props(page))).toEqual(['Even']);
  });

  it('leaves trashed rows out, and keeps paging when rows change under a cursor', async () => {
    const first = await notion.dataSources.query({
      data_source_id: dataSourceId,
      page_size: 100,
      filter: { property: 'Even', checkbox: { equals: true } },
    });
    // The row the cursor points at stops matching: paging resumes where it was.
    await notion.pages.update({ page_id: first.next_cursor ?? '', properties: { Even: { checkbox: false } } });
    await notion.pages.update({ page_id: first.results[0]?.id ?? '', in_trash: true });
    const rest = await collectPaginatedAPI(notion.dataSources.query, {
      data_source_id: dataSourceId,
      start_cursor: first.next_cursor ?? undefined,
      filter: { property: 'Even', checkbox: { equals: true } },
    });
    expect(rest).toHaveLength(24);
    const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: dataSourceId });
    expect(all).toHaveLength(249);
    expect(h.api.queryRows(dataSourceId)).toHaveLength(249);
  });
});

describe('pages', () => {
  const dsParent = { type: 'data_source_id' as const, data_source_id: FIXTURES.allTypesDataSourceId };

  it('creates a row with every writable property type and reads it back', async () => {
    const created = await notion.pages.create({
      parent: dsParent,
      properties: {
        Name: { title: text('Fresh row') },
        Notes: {
          rich_text: [
            { text: { content: 'one ' } },
            { text: { content: 'two', link: { url: 'https://example.org' } }, annotations: { italic: true } },
          ],
        },
        Score: { number: 3.5 },
        Priority: { select: { name: 'Medium' } },
        Tags: { multi_select: [{ name: 'notion' }, { name: 'ai' }] },
        Stage: { status: { name: 'Done' } },
        Due: { date: { start: '2026-02-01T09:00:00+02:00', end: null, time_zone: null } },
        Owner: { people: [{ id: FIXTURES.personUserId }] },
        Attachments: { files: [{ name: 'spec.txt', external: { url: 'https://example.org/spec.txt' } }] },
        Done: { checkbox: true },
        Website: { url: 'https://example.org' },
        Contact: { email: 'x@example.org' },
        Phone: { phone_number: '+44 20 7946 0000' },
        Topic: { relation: [{ id: FIXTURES.topicsRowIds[2] }] },
      },
    });
    const p = props(await notion.pages.retrieve({ page_id: created.id }));
    expect(plain(p.Name.title)).toBe('Fresh row');
    expect(p.Notes.rich_text[1]).toEqual({
      type: 'text',
      text: { content: 'two', link: { url: 'https://example.org' } },
      annotations: { bold: false, italic: true, strikethrough: false, underline: false, code: false, color: 'default' },
      plain_text: 'two',
      href: 'https://example.org',
    });
    expect(p.Score.number).toBe(3.5);
    expect(p.Priority.select).toMatchObject({ name: 'Medium', color: 'yellow' });
    expect(p.Tags.multi_select.map((o: Loose) => o.name)).toEqual(['notion', 'ai']);
    expect(p.Stage.status).toMatchObject({ name: 'Done', color: 'green' });
    expect(p.Due.date).toEqual({ start: '2026-02-01T09:00:00+02:00', end: null, time_zone: null });
    expect(p.Owner.people[0]).toMatchObject({ object: 'user', id: FIXTURES.personUserId, name: 'Ada Lovelace' });
    expect(p.Attachments.files).toEqual([
      { name: 'spec.txt', type: 'external', external: { url: 'https://example.org/spec.txt' } },
    ]);
    expect(p.Done.checkbox).toBe(true);
    expect(p.Website.url).toBe('https://example.org');
    expect(p.Contact.email).toBe('x@example.org');
    expect(p.Phone.phone_number).toBe('+44 20 7946 0000');
    expect(p.Topic.relation).toEqual([{ id: FIXTURES.topicsRowIds[2] }]);
    expect(p['Double score'].formula).toEqual({ type: 'number', number: 7 });
    expect(p.ID.unique_id).toEqual({ prefix: 'AT', number: 4 });
    expect(p['Created by'].created_by.id).toBe(FIXTURES.botUserId);

    const page: Loose = await notion.pages.retrieve({ page_id: created.id });
    expect(page).toMatchObject({
      object: 'page',
      in_trash: false,
      archived: false,
      parent: { ...dsParent, database_id: FIXTURES.allTypesDatabaseId },
    });
    expect(page.url).toBe(`https://www.notion.so/Fresh-row-${created.id.replace(/-/g, '')}`);
    expect(extractNotionId(page.url)).toBe(created.id);
  });

  it('creates a page under a page, with content, as a child_page of it', async () => {
    const page: Loose = await notion.pages.create({
      parent: { page_id: FIXTURES.playgroundPageId },
      properties: { title: { title: text('Draft: AI & you') } },
      children: [{ paragraph: { rich_text: text('Hello') } }],
    });
    expect(page.url).toBe(`https://www.notion.so/Draft-AI-you-${page.id.replace(/-/g, '')}`);
    expect(Object.keys(page.properties)).toEqual(['title']);
    const blocks: Loose[] = await collectPaginatedAPI(notion.blocks.children.list, {
      block_id: FIXTURES.playgroundPageId,
    });
    expect(blocks.at(-1)).toMatchObject({
      id: page.id,
      type: 'child_page',
      child_page: { title: 'Draft: AI & you' },
      has_children: true,
    });
    expect(h.api.getBlockTree(page.id)).toMatchObject([{ type: 'paragraph' }]);
  });

  it('refuses a workspace parent for an internal integration', async () => {
    const error = await apiError(
      notion.pages.create({ parent: { workspace: true, type: 'workspace' }, properties: {} }),
    );
    expect(error.code).toBe('validation_error');
  });

  it('updates every writable property type', async () => {
    const id = FIXTURES.allTypesRowIds[2];
    await notion.pages.update({
      page_id: id,
      properties: {
        Name: { title: text('Renamed') },
        Notes: { rich_text: text('note') },
        Score: { number: -1 },
        Priority: { select: { name: 'High' } },
        Tags: { multi_select: [{ name: 'writing' }] },
        Stage: { status: { name: 'In progress' } },
        Due: { date: { start: '2027-01-01' } },
        Owner: { people: [{ id: FIXTURES.personUserId }] },
        Attachments: { files: [{ name: 'a.png', external: { url: 'https://example.org/a.png' } }] },
        Done: { checkbox: true },
        Website: { url: 'https://a.example' },
        Contact: { email: 'a@a.example' },
        Phone: { phone_number: '123' },
        Topic: { relation: [{ id: FIXTURES.topicsRowIds[0] }] },
      },
    });
    let p = props(await notion.pages.retrieve({ page_id: id }));
    expect([
      plain(p.Name.title),
      plain(p.Notes.rich_text),
      p.Score.number,
      p.Priority.select.name,
      p.Stage.status.name,
    ]).toEqual(['Renamed', 'note', -1, 'High', 'In progress']);
    expect([
      p.Tags.multi_select.length,
      p.Due.date.start,
      p.Owner.people.length,
      p.Attachments.files.length,
      p.Done.checkbox,
    ]).toEqual([1, '2027-01-01', 1, 1, true]);
    expect([
      p.Website.url,
      p.Contact.email,
      p.Phone.phone_number,
      p.Topic.relation.length,
      p['Topic count'].rollup.number,
    ]).toEqual(['https://a.example', 'a@a.example', '123', 1, 1]);
    // Clearing.
    await notion.pages.update({
      page_id: id,
      properties: {
        Score: { number: null },
        Priority: { select: null },
        Tags: { multi_select: [] },
        Due: { date: null },
        Website: { url: null },
        Topic: { relation: [] },
      },
    });
    p = props(await notion.pages.retrieve({ page_id: id }));
    expect([
      p.Score.number,
      p.Priority.select,
      p.Tags.multi_select,
      p.Due.date,
      p.Website.url,
      p.Topic.relation,
    ]).toEqual([null, null, [], null, null, []]);
  });

  it('takes property ids as keys', async () => {
    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: FIXTURES.topicsDataSourceId });
    await notion.pages.update({
      page_id: FIXTURES.topicsRowIds[0],
      properties: { [ds.properties.Output.id]: { rich_text: text('by id') } },
    });
    const p = props(await notion.pages.retrieve({ page_id: FIXTURES.topicsRowIds[0] }));
    expect(plain(p.Output.rich_text)).toBe('by id');
  });

  it('adds an unknown select option to the schema, and refuses commas', async () => {
    await notion.pages.update({
      page_id: FIXTURES.allTypesRowIds[1],
      properties: { Priority: { select: { name: 'Urgent' } }, Tags: { multi_select: [{ name: 'new-tag' }] } },
    });
    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: FIXTURES.allTypesDataSourceId });
    expect(ds.properties.Priority.select.options.map((o: Loose) => o.name)).toEqual([
      'High',
      'Medium',
      'Low',
      'Urgent',
    ]);
    expect(ds.properties.Tags.multi_select.options.map((o: Loose) => o.name)).toContain('new-tag');

    const error = await apiError(
      notion.pages.update({
        page_id: FIXTURES.allTypesRowIds[1],
        properties: { Priority: { select: { name: 'High, really' } } },
      }),
    );
    expect(error.code).toBe('validation_error');
    expect(error.message).toBe('Invalid select option, commas not allowed: High, really');
  });

  it('refuses unknown properties, computed properties, wrong value types and unknown statuses', async () => {
    const update = (properties: Loose) =>
      apiError(notion.pages.update({ page_id: FIXTURES.allTypesRowIds[0], properties }));
    expect((await update({ Nope: { rich_text: [] } })).message).toBe('Nope is not a property that exists.');
    const computed = await update({ 'Double score': { formula: { expression: '1' } } });
    expect(computed.code).toBe('validation_error');
    expect(computed.message).toContain(
      'body failed validation. Fix one:\nbody.properties.Double score.title should be defined, instead was `undefined`.',
    );
    expect((await update({ Created: { created_time: '2020-01-01' } })).code).toBe('validation_error');
    expect((await update({ Score: { rich_text: text('5') } })).message).toBe('Score is expected to be number.');
    expect((await update({ Stage: { status: { name: 'Shipped' } } })).message).toBe(
      'Invalid status option. Status option "Shipped" does not exist.',
    );
    expect((await update({ Notes: { rich_text: [{ text: { content: 'x'.repeat(2001) } }] } })).message).toBe(
      'body failed validation: body.properties.Notes.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
    );
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ name: `t${i}` }));
    expect((await update({ Tags: { multi_select: tooMany } })).message).toBe(
      'body failed validation: body.properties.Tags.multi_select.length should be ≤ `100`, instead was `101`.',
    );
    // Nothing of a refused request is stored.
    const ds: Loose = await notion.dataSources.retrieve({ data_source_id: FIXTURES.allTypesDataSourceId });
    expect(ds.properties.Tags.multi_select.options).toHaveLength(3);
  });

  it('trashes a row (in_trash and the deprecated archived), refuses edits while trashed, restores it', async () => {
    const id = FIXTURES.topicsRowIds[1];
    const trashed: Loose = await notion.pages.update({ page_id: id, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true, archived: true });
    const error = await apiError(
      notion.pages.update({ page_id: id, properties: { Output: { rich_text: text('x') } } }),
    );
    expect(error.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.");
    const rows = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: FIXTURES.topicsDataSourceId });
    expect(rows).toHaveLength(2);
    const restored: Loose = await notion.pages.update({ page_id: id, archived: false });
    expect(restored.in_trash).toBe(false);
  });

  it('reads long relation values through pages.properties.retrieve', async () => {
    const { dataSourceId: targets, rowIds } = h.api.createDatabase({
      title: 'Targets',
      properties: { Name: 'title' },
      rows: Array.from({ length: 30 }, (_, i) => ({ Name: `t${i}` })),
    });
    const {
      rowIds: [source],
    } = h.api.createDatabase({
      title: 'Sources',
      properties: { Name: 'title', Links: { relation: { data_source_id: targets, single_property: {} } } },
      rows: [{ Name: 's', Links: rowIds }],
    });
    const page = props(await notion.pages.retrieve({ page_id: source ?? '' }));
    expect(page.Links.relation).toHaveLength(25);
    expect(page.Links.has_more).toBe(true);
    // Relation values come back as a paginated property_item list.
    const retrieve = notion.pages.properties.retrieve as Loose;
    const items = await collectPaginatedAPI(retrieve, { page_id: source ?? '', property_id: page.Links.id } as Loose);
    expect(items).toHaveLength(30);
  });
});

const DAY = 86_400_000;
/** A calendar day relative to today, as a date property holds it. */
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/** Leads: five rows that realistic views pick differently; created 40, 3, 1, 60 and 2 days ago. */
function leads() {
  return h.api.createDatabase({
    title: 'Leads',
    properties: {
      Company: 'title',
      Tier: { select: { options: [{ name: 'Hot' }, { name: 'Warm' }, { name: 'Cold' }] } },
      Tags: { multi_select: { options: [{ name: 'vip' }, { name: 'eu' }] } },
      Contacted: 'checkbox',
      Note: 'rich_text',
      Score: 'number',
      'Next call': 'date',
    },
    rows: [
      { Company: 'Acme', Tier: 'Hot', Tags: ['vip'], Note: 'Call back', Score: 42, 'Next call': day(-2) },
      { Company: 'Globex', Tier: 'Cold', Contacted: true, Score: 5, 'Next call': day(-20) },
      { Company: 'Initech', Tier: 'Warm', Tags: ['vip', 'eu'], Note: 'Renewal due', Score: 15 },
      { Company: 'Umbrella', Tier: 'Hot', Tags: ['eu'], Contacted: true, Note: 'Met', Score: 8, 'Next call': day(3) },
      { Company: 'Hooli' },
    ],
    rowsCreatedAt: (i) => Date.now() - [40, 3, 1, 60, 2][i]! * DAY,
  });
}
const companies = (rows: { results: unknown[] }) => rows.results.map((r) => plain(props(r).Company.title));

describe('views', () => {
  it('serves a view with its filter and sorts, which a query applies to show exactly its rows', async () => {
    const db = leads();
    const viewId = h.api.createView({
      databaseId: db.databaseId,
      name: 'Not cold, best first',
      type: 'board',
      filter: { property: 'Tier', select: { does_not_equal: 'Cold' } },
      sorts: [{ property: 'Score', direction: 'descending' }],
    });
    const view: Loose = await notion.views.retrieve({ view_id: compactId(viewId) });
    expect(view).toEqual({
      object: 'view',
      id: viewId,
      parent: { type: 'database_id', database_id: db.databaseId },
      name: 'Not cold, best first',
      type: 'board',
      created_time: expect.stringMatching(/:00\.000Z$/),
      last_edited_time: expect.stringMatching(/:00\.000Z$/),
      created_by: { object: 'user', id: FIXTURES.personUserId },
      last_edited_by: { object: 'user', id: FIXTURES.personUserId },
      url: `https://www.notion.so/${compactId(db.databaseId)}?v=${compactId(viewId)}`,
      data_source_id: db.dataSourceId,
      filter: { property: 'Tier', select: { does_not_equal: 'Cold' } },
      sorts: [{ property: 'Score', direction: 'descending' }],
      quick_filters: null,
      configuration: null,
      request_id: expect.any(String),
    });
    const rows = await notion.dataSources.query({
      data_source_id: view.data_source_id,
      filter: view.filter,
      sorts: view.sorts,
    });
    // Hooli has no tier, so it is not Cold; it has no score, so it comes last.
    expect(companies(rows)).toEqual(['Acme', 'Initech', 'Umbrella', 'Hooli']);
    expect(h.api.requestCounts['GET /v1/views/:id']).toBe(1);
  });

  it('runs the filters views are made of, each to exactly the rows it shows', async () => {
    const db = leads();
    const views: Array<[string, Record<string, unknown>, string[]]> = [
      ['Not contacted', { property: 'Contacted', checkbox: { equals: false } }, ['Acme', 'Initech', 'Hooli']],
      ['Hot', { property: 'Tier', select: { equals: 'Hot' } }, ['Acme', 'Umbrella']],
      ['VIP', { property: 'Tags', multi_select: { contains: 'vip' } }, ['Acme', 'Initech']],
      ['Renewals', { property: 'Note', rich_text: { contains: 'RENEWAL' } }, ['Initech']],
      ['No note', { property: 'Note', rich_text: { is_empty: true } }, ['Globex', 'Hooli']],
      ['With a note', { property: 'Note', rich_text: { is_not_empty: true } }, ['Acme', 'Initech', 'Umbrella']],
      ['Big', { property: 'Score', number: { greater_than: 10 } }, ['Acme', 'Initech']],
      ['Calls ahead', { property: 'Next call', date: { on_or_after: day(0) } }, ['Umbrella']],
      ['Called lately', { property: 'Next call', date: { past_week: {} } }, ['Acme']],
      ['New', { timestamp: 'created_time', created_time: { past_week: {} } }, ['Globex', 'Initech', 'Hooli']],
      [
        'Hot or VIP, to contact',
        {
          and: [
            { property: 'Contacted', checkbox: { equals: false } },
            {
              or: [
                { property: 'Tier', select: { equals: 'Hot' } },
                { property: 'Tags', multi_select: { contains: 'vip' } },
              ],
            },
          ],
        },
        ['Acme', 'Initech'],
      ],
    ];
    const shown: Record<string, string[]> = {};
    for (const [name, filter] of views) {
      const view: Loose = await notion.views.retrieve({
        view_id: h.api.createView({ databaseId: db.databaseId, name, filter }),
      });
      shown[name] = companies(await notion.dataSources.query({ data_source_id: db.dataSourceId, filter: view.filter }));
    }
    expect(shown).toEqual(Object.fromEntries(views.map(([name, , rows]) => [name, rows])));
    // The sandbox's own reading of a view agrees with the API's.
    const hot = h.api.listViews(db.databaseId).find((v) => v.name === 'Hot')!;
    expect(h.api.queryRows(db.dataSourceId, hot).map((r) => plain(r.properties.Company!.title as Loose))).toEqual([
      'Acme',
      'Umbrella',
    ]);
  });

  it('refuses to make a view whose filter names a property the database does not have', () => {
    const db = leads();
    expect(() =>
      h.api.createView({
        databaseId: db.databaseId,
        name: 'Broken',
        filter: { property: 'Region', select: { equals: 'EU' } },
      }),
    ).toThrow('Could not find property with name or id: Region');
  });

  it('gives every database a default view with no filter, the fixtures a filtered one, and reset brings them back', async () => {
    const topics: Loose = await notion.views.retrieve({ view_id: FIXTURES.topicsDefaultViewId });
    expect(topics).toMatchObject({
      name: 'Default view',
      type: 'table',
      filter: null,
      sorts: null,
      data_source_id: FIXTURES.topicsDataSourceId,
    });
    expect(h.api.getView(FIXTURES.allTypesDefaultViewId)).toMatchObject({ name: 'Default view', filter: null });
    const toGenerate: Loose = await notion.views.retrieve({ view_id: FIXTURES.topicsToGenerateViewId });
    const rows = await notion.dataSources.query({
      data_source_id: FIXTURES.topicsDataSourceId,
      filter: toGenerate.filter,
    });
    expect(rows.results.map((r) => r.id)).toEqual(FIXTURES.topicsRowIds.slice(0, 2));

    const seeded = leads();
    expect(h.api.getView(seeded.defaultViewId)).toMatchObject({
      name: 'Default view',
      data_source_id: seeded.dataSourceId,
    });
    const made: Loose = await notion.databases.create({
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
      title: text('Made by the API'),
      initial_data_source: { properties: { Name: { title: {} } } },
    });
    const madeViews = await notion.views.list({ database_id: made.id });
    expect(madeViews.results).toEqual([{ object: 'view', id: defaultViewIdFor(made.id) }]);
    expect(h.api.getView(defaultViewIdFor(made.id))).toMatchObject({
      name: 'Default view',
      created_by: { id: FIXTURES.botUserId },
    });

    const extra = h.api.createView({ databaseId: FIXTURES.topicsDatabaseId, name: 'Made in a test' });
    h.api.deleteView(FIXTURES.topicsToGenerateViewId);
    h.api.reset();
    expect(h.api.getView(extra)).toBeUndefined();
    expect(h.api.listViews(FIXTURES.topicsDatabaseId).map((v) => v.id)).toEqual([
      FIXTURES.topicsDefaultViewId,
      FIXTURES.topicsToGenerateViewId,
    ]);
  });

  it('lists a database’s views, the default first, page by page, by database or by data source', async () => {
    const db = leads();
    const made = ['Hot', 'Warm', 'Cold'].map((name) => h.api.createView({ databaseId: db.databaseId, name }));
    const all = [db.defaultViewId, ...made];
    const first = await notion.views.list({ database_id: db.databaseId, page_size: 3 });
    expect(first).toMatchObject({ object: 'list', type: 'view', view: {}, has_more: true, next_cursor: made[2] });
    expect(first.results).toEqual(all.slice(0, 3).map((id) => ({ object: 'view', id })));
    const second = await notion.views.list({ database_id: compactId(db.databaseId), start_cursor: first.next_cursor! });
    expect(second).toMatchObject({ results: [{ object: 'view', id: made[2] }], has_more: false, next_cursor: null });
    const byDataSource = await collectPaginatedAPI(notion.views.list, {
      data_source_id: db.dataSourceId,
      page_size: 1,
    });
    expect(byDataSource.map((v) => v.id)).toEqual(all);
    expect(h.api.requestCounts['GET /v1/views']).toBe(6);

    const neither = await apiError(notion.views.list({}));
    expect(neither.code).toBe(APIErrorCode.ValidationError);
    expect(neither.message).toBe(
      'query failed validation. Fix one:\nquery.database_id should be defined, instead was `undefined`.\nquery.data_source_id should be defined, instead was `undefined`.',
    );
    const both = await apiError(notion.views.list({ database_id: db.databaseId, data_source_id: db.dataSourceId }));
    expect(both.code).toBe(APIErrorCode.ValidationError);
    const hidden = h.api.createDatabase({ title: 'Hidden', properties: { Name: 'title' }, shared: false });
    expect((await apiError(notion.views.list({ database_id: hidden.databaseId }))).code).toBe(
      APIErrorCode.ObjectNotFound,
    );
  });

  it('answers object_not_found for a view unknown, deleted, of a database not shared or in the trash; validation_error for a malformed id', async () => {
    const notFound = async (viewId: string) => {
      const error = await apiError(notion.views.retrieve({ view_id: viewId }));
      expect(error.code).toBe(APIErrorCode.ObjectNotFound);
      return error.message;
    };
    const viewId = h.api.createView({ databaseId: FIXTURES.topicsDatabaseId, name: 'Soon gone' });
    h.api.deleteView(viewId);
    expect(await notFound(viewId)).toBe(
      `Could not find view with ID: ${viewId}. Make sure the relevant pages and databases are shared with your integration.`,
    );
    await notFound(FIXTURES.topicsRowIds[0]);
    const hidden = h.api.createDatabase({ title: 'Hidden', properties: { Name: 'title' }, shared: false });
    await notFound(h.api.createView({ databaseId: hidden.databaseId, name: 'Mine' }));
    await notFound(hidden.defaultViewId);
    await notion.databases.update({ database_id: FIXTURES.topicsDatabaseId, in_trash: true });
    await notFound(FIXTURES.topicsToGenerateViewId);
    await notion.databases.update({ database_id: FIXTURES.topicsDatabaseId, in_trash: false });
    expect((await notion.views.retrieve({ view_id: FIXTURES.topicsToGenerateViewId })).id).toBe(
      FIXTURES.topicsToGenerateViewId,
    );

    const malformed = await apiError(notion.views.retrieve({ view_id: 'not-a-view' }));
    expect(malformed.code).toBe(APIErrorCode.ValidationError);
    expect(malformed.message).toBe(
      'path failed validation: path.view_id should be a valid uuid, instead was `"not-a-view"`.',
    );
  });

  it('runs a view query: the view’s rows as page references, paged through, until it is deleted', async () => {
    const db = leads();
    const viewId = h.api.createView({
      databaseId: db.databaseId,
      name: 'With a note',
      filter: { property: 'Note', rich_text: { is_not_empty: true } },
      sorts: [{ property: 'Company', direction: 'descending' }],
    });
    const [acme, , initech, umbrella] = db.rowIds;
    const query = await notion.views.queries.create({ view_id: viewId, page_size: 2 });
    expect(query).toMatchObject({
      object: 'view_query',
      view_id: viewId,
      total_count: 3,
      results: [
        { object: 'page', id: umbrella },
        { object: 'page', id: initech },
      ],
      has_more: true,
      next_cursor: acme,
    });
    expect(Date.parse(query.expires_at) - Date.now()).toBeGreaterThan(14 * 60_000);
    const rest = await notion.views.queries.results({
      view_id: viewId,
      query_id: query.id,
      start_cursor: query.next_cursor!,
    });
    expect(rest).toMatchObject({
      object: 'list',
      type: 'page',
      results: [{ object: 'page', id: acme }],
      has_more: false,
    });
    expect(await notion.views.queries.delete({ view_id: viewId, query_id: query.id })).toMatchObject({
      object: 'view_query',
      id: query.id,
      deleted: true,
    });
    const gone = await apiError(notion.views.queries.results({ view_id: viewId, query_id: query.id }));
    expect(gone.code).toBe(APIErrorCode.ObjectNotFound);
  });
});

describe('sharing and wrong kinds of id', () => {
  it('answers 404 for an unshared page and its descendants', async () => {
    for (const id of [FIXTURES.privatePageId, FIXTURES.privateChildPageId]) {
      const error = await apiError(notion.pages.retrieve({ page_id: id }));
      expect(error.code).toBe(APIErrorCode.ObjectNotFound);
      expect(error.status).toBe(404);
      expect(error.message).toBe(
        `Could not find page with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    }
    expect((await apiError(notion.blocks.children.list({ block_id: FIXTURES.privatePageId }))).message).toMatch(
      /^Could not find block with ID/,
    );
    expect(
      (await apiError(notion.databases.retrieve({ database_id: '00000000-0000-4000-8000-000000000000' }))).message,
    ).toMatch(/^Could not find database with ID: 00000000-0000-4000-8000-000000000000\./);
  });

  it('follows share toggles, inherited by descendants', async () => {
    h.api.share(FIXTURES.privatePageId, true);
    await expect(notion.pages.retrieve({ page_id: FIXTURES.privateChildPageId })).resolves.toMatchObject({
      id: FIXTURES.privateChildPageId,
    });
    h.api.share(FIXTURES.playgroundPageId, false);
    expect((await apiError(notion.databases.retrieve({ database_id: FIXTURES.topicsDatabaseId }))).status).toBe(404);
  });

  it('answers 400 validation_error for a page id given as a database and vice versa', async () => {
    const asDb = await apiError(notion.databases.retrieve({ database_id: FIXTURES.playgroundPageId }));
    expect(asDb.status).toBe(400);
    expect(asDb.message).toBe(
      `Provided ID ${FIXTURES.playgroundPageId} is a page, not a database. Use the retrieve page API instead, or pass the ID of a database.`,
    );
    const asPage = await apiError(notion.pages.retrieve({ page_id: FIXTURES.topicsDatabaseId }));
    expect(asPage.message).toBe(
      `Provided ID ${FIXTURES.topicsDatabaseId} is a database, not a page. Use the retrieve database API instead.`,
    );
    const dbAsSource = await apiError(notion.dataSources.retrieve({ data_source_id: FIXTURES.topicsDatabaseId }));
    expect(dbAsSource.code).toBe('validation_error');
    expect(dbAsSource.message).toContain('is a database, not a data source');
    const sourceAsDb = await apiError(notion.databases.retrieve({ database_id: FIXTURES.topicsDataSourceId }));
    expect(sourceAsDb.message).toContain('is a data source, not a database');
  });
});

describe('search', () => {
  it('finds shared pages and data sources by title, never unshared ones', async () => {
    const all = await collectPaginatedAPI(notion.search, {});
    const titles = all.map((r: Loose) =>
      r.object === 'data_source'
        ? plain(r.title)
        : plain(Object.values(r.properties as Record<string, Loose>).find((p) => p.type === 'title').title),
    );
    expect(titles).toEqual(expect.arrayContaining(['Inkling Playground', 'Topics', 'All Types', 'Learning is fun']));
    expect(titles).not.toContain('Private notes');
    expect(titles).not.toContain('Diary');

    const sources = await notion.search({ filter: { property: 'object', value: 'data_source' } });
    expect(sources.results.map((r) => r.object)).toEqual(['data_source', 'data_source']);
    const topics = await notion.search({ query: 'topic', filter: { property: 'object', value: 'data_source' } });
    expect(topics.results.map((r) => r.id)).toEqual([FIXTURES.topicsDataSourceId]);
    const pages = await notion.search({ query: 'notion is', filter: { property: 'object', value: 'page' } });
    expect(pages.results.map((r) => r.id)).toEqual([FIXTURES.topicsRowIds[1]]);
    const paged = await notion.search({ page_size: 2 });
    expect(paged).toMatchObject({ has_more: true });
    expect(paged.results).toHaveLength(2);
  });

  it('refuses the pre-2025 "database" filter value', async () => {
    const res = await h.raw('POST', '/v1/search', {
      body: JSON.stringify({ filter: { property: 'object', value: 'database' } }),
    });
    expect((await res.json()).message).toBe(
      'body failed validation: body.filter.value should be `"page"` or `"data_source"`, instead was `"database"`.',
    );
  });
});

describe('rate limiting', () => {
  it('answers 429 rate_limited with a Retry-After once the budget is spent', async () => {
    h.api.setRateLimit(1, 2);
    await notion.users.me({});
    await notion.users.me({});
    const error = await apiError(notion.users.me({}));
    expect(error.code).toBe(APIErrorCode.RateLimited);
    expect(error.status).toBe(429);
    expect(error.message).toBe('You have been rate limited. Please try again in a few minutes.');
    expect(error.additional_data).toEqual({ rate_limit_reason: 'public_api_request_rate_limit' });
    const retryAfter = Number((error.headers as Headers).get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    // Budgets are per token.
    await expect(h.client(FIXTURES.personalAccessToken).users.me({})).resolves.toMatchObject({ type: 'bot' });
  });

  it('lets the SDK retry after Retry-After', async () => {
    h.api.setRateLimit(1, 1);
    const retrying = new Client({
      auth: FIXTURES.token,
      baseUrl: h.baseUrl,
      retry: { maxRetries: 2 },
      logLevel: LogLevel.ERROR,
    });
    await retrying.users.me({});
    const started = Date.now();
    await retrying.users.me({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.api.requestLog.map((r) => r.status)).toEqual([200, 429, 200]);
  });
});

describe('the unknown-code path of the SDK', () => {
  it('reports missing_version as UnknownHTTPResponseError, as with the real API', async () => {
    // A fetch wrapper that drops the header the SDK always sends.
    const bare = new Client({
      auth: FIXTURES.token,
      baseUrl: h.baseUrl,
      retry: false,
      logLevel: LogLevel.ERROR,
      fetch: (url, init) => {
        const headers = { ...(init?.headers as Record<string, string>) };
        delete headers['Notion-Version'];
        return fetch(url, { ...init, headers });
      },
    });
    const error = await bare.users.me({}).catch((e: unknown) => e);
    expect(UnknownHTTPResponseError.isUnknownHTTPResponseError(error)).toBe(true);
  });
});
