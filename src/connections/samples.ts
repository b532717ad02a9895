// The seed app's templates, made for the user: a sample page and a sample database (Topic, Generate,
// Output, Category) under a page they pick — already connected, ready to try.
import type { Client } from '@notionhq/client';
import { retrieveDatabase } from '../notion/target';
import { type Target } from '../shared/notion-shapes';

export const SAMPLE_PAGE_TITLE = 'Inkling sample page';
export const SAMPLE_DATABASE_TITLE = 'Inkling sample database';

const SAMPLE_TOPICS = ['Learning is fun', 'Notion is best tool', 'Social media is a boon'];

export async function createSamplePage(client: Client, parentPageId: string): Promise<Target> {
  const page = await client.pages.create({
    parent: { type: 'page_id', page_id: parentPageId },
    properties: { title: { title: [{ type: 'text', text: { content: SAMPLE_PAGE_TITLE } }] } },
    children: [
      {
        type: 'paragraph',
        paragraph: {
          rich_text: [
            {
              type: 'text',
              text: {
                content:
                  'Open Inkling on this page, write a prompt such as “Write me a blog on Notion in 100 words”, and Generate.',
              },
            },
          ],
        },
      },
    ],
  });
  return { kind: 'page', id: page.id, title: SAMPLE_PAGE_TITLE, url: 'url' in page ? page.url : '' };
}

export async function createSampleDatabase(client: Client, parentPageId: string): Promise<Target> {
  const database = await client.databases.create({
    parent: { type: 'page_id', page_id: parentPageId },
    title: [{ type: 'text', text: { content: SAMPLE_DATABASE_TITLE } }],
    initial_data_source: {
      properties: {
        Topic: { title: {} },
        Generate: { checkbox: {} },
        Output: { rich_text: {} },
        Category: {
          select: {
            options: [
              { name: 'Learning', color: 'blue' },
              { name: 'Tools', color: 'green' },
              { name: 'Society', color: 'orange' },
            ],
          },
        },
      },
    },
  });
  const target = await retrieveDatabase(client, database.id);
  for (const topic of SAMPLE_TOPICS) {
    await client.pages.create({
      parent: { type: 'data_source_id', data_source_id: target.dataSourceId },
      properties: { Topic: { title: [{ type: 'text', text: { content: topic } }] }, Generate: { checkbox: true } },
    });
  }
  return target;
}
