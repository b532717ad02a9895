// The workspace every test starts from: "Inkling Sandbox", with a shared playground page, the sample
// "Topics" database (with its default view and a filtered one), an "All Types" database with every
// property type, and a private page the integration cannot see. Ids, timestamps and derived ids
// (blocks, options) are constants, so a reset gives back exactly the same objects.
import { stableId } from './ids.ts';
import * as ops from './operations.ts';
import type { OpContext } from './operations.ts';
import type { Store } from './store.ts';

export const FIXTURES = {
  /** An internal integration secret (`ntn_` + 46 characters). */
  token: 'ntn_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2is',
  /** A personal access token: no ntn_/secret_ prefix, same workspace and bot. */
  personalAccessToken: 'pat-AjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlS',
  /** An integration secret in the pre-2024 `secret_` format, still valid. */
  legacyToken: 'secret_XpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZD',
  /** Syntactically fine but unknown: 401. */
  invalidToken: 'ntn_000000000000000000000000000000000000000000000a',

  workspaceId: 'a0000000-0000-4000-8000-000000000001',
  workspaceName: 'Inkling Sandbox',
  botUserId: 'b0000000-0000-4000-8000-000000000001',
  botName: 'Inkling',
  personUserId: 'b0000000-0000-4000-8000-000000000002',
  personName: 'Ada Lovelace',
  personEmail: 'ada@inkling.test',

  /** Shared with the integration; parent of everything else that is shared. */
  playgroundPageId: 'c0000000-0000-4000-8000-000000000001',
  playgroundHeadingBlockId: 'c0000000-0000-4000-8000-0000000000b1',
  playgroundParagraphBlockId: 'c0000000-0000-4000-8000-0000000000b2',

  topicsDatabaseId: 'd0000000-0000-4000-8000-000000000001',
  topicsDataSourceId: 'd5000000-0000-4000-8000-000000000001',
  /** "Learning is fun" (Generate ✓), "Notion is best tool" (✓), "Social media is a boon" (✗). */
  topicsRowIds: [
    'e0000000-0000-4000-8000-000000000001',
    'e0000000-0000-4000-8000-000000000002',
    'e0000000-0000-4000-8000-000000000003',
  ],
  /** Topics' "Default view" (every row); like every default view's, its id is the database's hex reversed. */
  topicsDefaultViewId: '10000000-0000-0008-0004-00000000000d',
  /** Topics' view "To generate": the rows with Generate ticked (the first two). */
  topicsToGenerateViewId: 'd9000000-0000-4000-8000-000000000001',

  allTypesDatabaseId: 'd0000000-0000-4000-8000-000000000002',
  allTypesDataSourceId: 'd5000000-0000-4000-8000-000000000002',
  allTypesRowIds: [
    'e0000000-0000-4000-8000-000000000011',
    'e0000000-0000-4000-8000-000000000012',
    'e0000000-0000-4000-8000-000000000013',
  ],
  /** All Types' "Default view". */
  allTypesDefaultViewId: '20000000-0000-0008-0004-00000000000d',

  /** Exists, but not shared: 404 for it and everything below it. */
  privatePageId: 'f0000000-0000-4000-8000-000000000001',
  privateChildPageId: 'f0000000-0000-4000-8000-000000000002',
} as const;

/** Fixture objects are dated from here, one minute apart. */
const FIXTURE_EPOCH = Date.parse('2026-10-01T09:00:00.000Z');

const text = (content: string): Array<Record<string, unknown>> => [{ type: 'text', text: { content } }];

/**
 * Page content as people write meeting notes: a heading, then three sections that fold, each with
 * bullets, one of which has a sub-point. Reading it by blocks takes 7 requests (the page, each toggle,
 * each first bullet); Notion's Markdown endpoint takes 1.
 */
export const MEETING_NOTE = [
  { heading_2: { rich_text: text('Notes') } },
  ...['Budget', 'Hiring', 'Launch'].map((topic) => ({
    toggle: {
      rich_text: text(topic),
      children: [
        {
          bulleted_list_item: {
            rich_text: text(`${topic}: first`),
            children: [{ paragraph: { rich_text: text('why') } }],
          },
        },
        { bulleted_list_item: { rich_text: text(`${topic}: costs $5 * 2`) } },
      ],
    },
  })),
];

/** Empties the store and seeds the fixture workspace. */
export function seedFixtures(store: Store): void {
  store.clear();
  store.workspaceId = FIXTURES.workspaceId;
  store.workspaceName = FIXTURES.workspaceName;
  store.botUserId = FIXTURES.botUserId;
  store.users.set(FIXTURES.botUserId, { id: FIXTURES.botUserId, type: 'bot', name: FIXTURES.botName, avatarUrl: null });
  store.users.set(FIXTURES.personUserId, {
    id: FIXTURES.personUserId,
    type: 'person',
    name: FIXTURES.personName,
    email: FIXTURES.personEmail,
    avatarUrl: null,
  });

  let tick = 0;
  store.clock = () => FIXTURE_EPOCH + tick++ * 60_000;
  let serial = 0;
  const ctx: OpContext = {
    store,
    version: '2026-03-11',
    seeding: true,
    actor: FIXTURES.personUserId,
    newId: () => stableId('fixture', String(serial++)),
  };

  try {
    seedPlayground(ctx);
    seedTopics(ctx);
    seedAllTypes(ctx);
    seedPrivate(ctx);
    // Last, so that the minute it is stamped with moves no other fixture's timestamps.
    seedViews(ctx);
  } finally {
    store.clock = () => Date.now();
  }
}

function seedPlayground(ctx: OpContext): void {
  ops.createPage(
    ctx,
    {
      parent: { workspace: true },
      icon: { emoji: '🧪' },
      properties: { title: { title: text('Inkling Playground') } },
    },
    undefined,
    FIXTURES.playgroundPageId,
  );
  ctx.store.shareFlags.set(FIXTURES.playgroundPageId, true);
  const fixed = [FIXTURES.playgroundHeadingBlockId, FIXTURES.playgroundParagraphBlockId];
  const newId = ctx.newId;
  ops.appendBlockChildren(
    { ...ctx, newId: () => fixed.shift() ?? (newId as () => string)() },
    FIXTURES.playgroundPageId,
    {
      children: [
        { heading_2: { rich_text: text('Welcome to the Inkling playground') } },
        {
          paragraph: {
            rich_text: text(
              'Inkling writes AI-generated content into pages and databases shared with it. Try it here.',
            ),
          },
        },
      ],
    },
  );
}

function seedTopics(ctx: OpContext): void {
  ops.createDatabase(
    ctx,
    {
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
      title: text('Topics'),
      initial_data_source: {
        properties: { Topic: { title: {} }, Generate: { checkbox: {} }, Output: { rich_text: {} } },
      },
    },
    { databaseId: FIXTURES.topicsDatabaseId, dataSourceId: FIXTURES.topicsDataSourceId },
  );
  const rows: Array<[string, boolean]> = [
    ['Learning is fun', true],
    ['Notion is best tool', true],
    ['Social media is a boon', false],
  ];
  rows.forEach(([topic, generate], i) => {
    ops.createPage(
      ctx,
      {
        parent: { type: 'data_source_id', data_source_id: FIXTURES.topicsDataSourceId },
        properties: { Topic: { title: text(topic) }, Generate: { checkbox: generate } },
      },
      undefined,
      FIXTURES.topicsRowIds[i],
    );
  });
}

function seedViews(ctx: OpContext): void {
  ops.addView(ctx, {
    databaseId: FIXTURES.topicsDatabaseId,
    name: 'To generate',
    filter: { property: 'Generate', checkbox: { equals: true } },
    id: FIXTURES.topicsToGenerateViewId,
  });
}

function seedAllTypes(ctx: OpContext): void {
  ops.createDatabase(
    ctx,
    {
      parent: { type: 'page_id', page_id: FIXTURES.playgroundPageId },
      title: text('All Types'),
      description: text('Every property type Notion has, with a few rows.'),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Score: { number: { format: 'number' } },
          Priority: {
            select: {
              options: [
                { name: 'High', color: 'red' },
                { name: 'Medium', color: 'yellow' },
                { name: 'Low', color: 'green' },
              ],
            },
          },
          Tags: {
            multi_select: {
              options: [
                { name: 'ai', color: 'blue' },
                { name: 'notion', color: 'purple' },
                { name: 'writing', color: 'orange' },
              ],
            },
          },
          Stage: {
            status: {
              options: [
                { name: 'Not started', color: 'default' },
                { name: 'In progress', color: 'blue' },
                { name: 'Done', color: 'green' },
              ],
            },
          },
          Due: { date: {} },
          Owner: { people: {} },
          Attachments: { files: {} },
          Done: { checkbox: {} },
          Website: { url: {} },
          Contact: { email: {} },
          Phone: { phone_number: {} },
          'Double score': { formula: { expression: 'prop("Score") * 2' } },
          Topic: { relation: { data_source_id: FIXTURES.topicsDataSourceId, single_property: {} } },
          'Topic count': {
            rollup: { function: 'count', relation_property_name: 'Topic', rollup_property_name: 'Topic' },
          },
          Created: { created_time: {} },
          'Created by': { created_by: {} },
          Edited: { last_edited_time: {} },
          'Edited by': { last_edited_by: {} },
          ID: { unique_id: { prefix: 'AT' } },
        },
      },
    },
    { databaseId: FIXTURES.allTypesDatabaseId, dataSourceId: FIXTURES.allTypesDataSourceId },
  );
  const [learning, notion] = FIXTURES.topicsRowIds;
  const rows: Array<Record<string, unknown>> = [
    {
      Name: { title: text('Everything filled in') },
      Notes: {
        rich_text: [
          { text: { content: 'Bold start. ' }, annotations: { bold: true } },
          { text: { content: 'Then a link', link: { url: 'https://example.com' } } },
        ],
      },
      Score: { number: 42 },
      Priority: { select: { name: 'High' } },
      Tags: { multi_select: [{ name: 'ai' }, { name: 'writing' }] },
      Stage: { status: { name: 'In progress' } },
      Due: { date: { start: '2026-12-01', end: null } },
      Owner: { people: [{ id: FIXTURES.personUserId }] },
      Attachments: { files: [{ name: 'brief.pdf', external: { url: 'https://example.com/brief.pdf' } }] },
      Done: { checkbox: true },
      Website: { url: 'https://inkling.test' },
      Contact: { email: 'ada@inkling.test' },
      Phone: { phone_number: '+1 555 0100' },
      Topic: { relation: [{ id: learning }, { id: notion }] },
    },
    {
      Name: { title: text('Half filled') },
      Score: { number: 7.5 },
      Priority: { select: { name: 'Low' } },
      Tags: { multi_select: [{ name: 'notion' }] },
      Stage: { status: { name: 'Not started' } },
      Due: { date: { start: '2026-11-15T10:00:00.000+01:00', end: '2026-11-15T12:00:00.000+01:00' } },
      Topic: { relation: [{ id: learning }] },
    },
    { Name: { title: text('Empty row') } },
  ];
  rows.forEach((properties, i) => {
    ops.createPage(
      ctx,
      { parent: { type: 'data_source_id', data_source_id: FIXTURES.allTypesDataSourceId }, properties },
      undefined,
      FIXTURES.allTypesRowIds[i],
    );
  });
}

function seedPrivate(ctx: OpContext): void {
  ops.createPage(
    ctx,
    {
      parent: { workspace: true },
      properties: { title: { title: text('Private notes') } },
      children: [{ paragraph: { rich_text: text('Nothing here is shared with any integration.') } }],
    },
    undefined,
    FIXTURES.privatePageId,
  );
  ops.createPage(
    ctx,
    { parent: { page_id: FIXTURES.privatePageId }, properties: { title: { title: text('Diary') } } },
    undefined,
    FIXTURES.privateChildPageId,
  );
}
