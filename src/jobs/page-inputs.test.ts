// {{page}} in a database run, against the in-process Notion API, its file bucket and the model servers:
// Preview reads each row's page as the run does, and the images uploaded to a row's page go to GPT
// with its call — named in the page's text instead of their signed addresses, best effort within the
// row's limit, read again once when an address expired, asked alone in a packed run, and not sent to an
// OpenAI-compatible server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MODEL_BOUND_LIMITS, runBase } from '../../tests/sandbox/job-world.ts';
import { routeFileHost, type FileHostRoute } from '../../tests/sandbox/file-host-route.ts';
import { useJobWorld } from '../../tests/sandbox/use-job-world.ts';
import { bigPng, SAMPLE_JPEG, SAMPLE_PNG } from '../../tests/sandbox/notion/sample-files.ts';
import { retrieveDatabase } from '../notion/target';
import type { DatabaseRunSetup } from '../shared/intents';
import { MAX_PAGE_IMAGES } from '../shared/attachments';
import type { EngineLimits } from '../shared/limit-presets';
import { checkSetup } from './database-setup';
import { previewRows } from './database-preview';
import { runDatabaseJob } from './database-job';
import { createJob, readRows } from './job-store';
import { databaseJob } from './start';

const world = useJobWorld();
let bucket: FileHostRoute;

beforeAll(async () => {
  bucket = await routeFileHost(world.notion);
});
afterAll(() => bucket.close());
beforeEach(() => bucket.reset());

const png = (name: string, bytes = SAMPLE_PNG) => ({ name, mimeType: 'image/png', bytes });
const paragraph = (text: string) => ({ paragraph: { rich_text: [{ text: { content: text } }] } });

/** Products whose pages hold what `pages` gives each row; the run fills Description from {{page}}. */
async function products(pages: Array<(pageId: string) => void>) {
  const db = world.notion.createDatabase({
    title: `Products ${Date.now()}`,
    properties: { Name: 'title', Description: 'rich_text' },
    rows: pages.map((_, i) => ({ Name: `Product ${i + 1}` })),
  });
  for (const [i, fill] of pages.entries()) fill(db.rowIds[i]!);
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  const setup: DatabaseRunSetup = {
    databaseId: db.databaseId,
    template: 'Describe the product on this page: {{page}}',
    outputs: [{ id: properties.find((p) => p.name === 'Description')!.id }],
    selection: 'all',
    overwrite: false,
    untick: false,
  };
  return { db, setup };
}

async function run(setup: DatabaseRunSetup, provider: 'openai' | 'compatible' = 'openai', limits?: EngineLimits) {
  const checked = await checkSetup(world.client(), setup);
  const job = await createJob(databaseJob(runBase(checked, 'local'), checked, setup));
  const done = await runDatabaseJob(
    job as Parameters<typeof runDatabaseJob>[0],
    world.context(undefined, limits, provider),
  );
  return { done, rows: await readRows(done.id, done.chunks) };
}

const callFor = (text: string) => {
  const calls = world.models.calls.filter((c) => c.prompt.includes(text));
  expect(calls).toHaveLength(1);
  return calls[0]!;
};

describe('{{page}} in Preview', () => {
  it('reads each row’s page, as the run does', async () => {
    const { setup } = await products([
      (id) => world.notion.appendBlocks(id, [paragraph('A lamp of brass, called heliotrope.')]),
    ]);
    const checked = await checkSetup(world.client(), setup);
    const { rows } = await previewRows(checked, setup, world.context(), 3);
    expect(rows.map((r) => r.reason)).toEqual([undefined]);
    expect(world.models.calls).toHaveLength(1);
    expect(world.models.calls[0]!.prompt).toContain('A lamp of brass, called heliotrope.');
  });
});

describe('the images on a row’s page', () => {
  it('go to GPT with the row’s call, named in the page’s text instead of their addresses', async () => {
    let lamp = { sha256: '' };
    const { db, setup } = await products([
      (id) => {
        world.notion.appendBlocks(id, [
          paragraph('Brass lamp.'),
          { image: { external: { url: 'https://cdn.example/elsewhere.png' } } },
        ]);
        lamp = world.notion.appendImageFile(id, png('lamp.png'));
      },
      (id) => world.notion.appendBlocks(id, [paragraph('Oak table.')]),
    ]);
    const { done } = await run(setup);
    expect(done.counts).toMatchObject({ total: 2, written: 2 });
    const withImage = callFor('Brass lamp.');
    expect(withImage.attachments).toEqual([
      { kind: 'image', mimeType: 'image/png', bytes: SAMPLE_PNG.length, sha256: lamp.sha256 },
    ]);
    expect(withImage.prompt).toContain('![](lamp.png)');
    expect(withImage.prompt).toContain('![](https://cdn.example/elsewhere.png)');
    expect(withImage.prompt).not.toContain('X-Amz');
    expect(withImage.prompt).not.toContain('not attached');
    expect(callFor('Oak table.').attachments).toEqual([]);
    // Only Notion's file host is reached: an image linked from elsewhere is never fetched.
    expect(bucket.fetchedHosts).not.toContain('cdn.example');
    expect(world.notion.fileDownloads.map((d) => d.status)).toEqual([200]);
    expect(db.rowIds).toHaveLength(2);
  });

  it('go best effort: one too large, of a type not sent, or past the count is left out and named to the model', async () => {
    const { setup } = await products([
      (id) => {
        world.notion.appendBlocks(id, [paragraph('A gallery.')]);
        world.notion.appendImageFile(id, png('poster.png', bigPng(11 * 1024 * 1024)));
        world.notion.appendImageFile(id, { name: 'photo.heic', mimeType: 'image/heic', bytes: new Uint8Array(64) });
        for (let i = 1; i <= MAX_PAGE_IMAGES; i++) world.notion.appendImageFile(id, png(`shot ${i}.png`));
        world.notion.appendImageFile(id, { name: 'last.jpg', mimeType: 'image/jpeg', bytes: SAMPLE_JPEG });
      },
    ]);
    const { done } = await run(setup);
    expect(done.counts).toMatchObject({ total: 1, written: 1 });
    const call = callFor('A gallery.');
    expect(call.attachments).toHaveLength(MAX_PAGE_IMAGES);
    expect(call.prompt).toContain(
      'Images on the page that are not attached: “poster.png” (too large); “photo.heic” (a type that cannot be sent); “last.jpg” (past 20 images).',
    );
  });

  it('are read again once when an address expires between the page’s read and the download', async () => {
    const { setup } = await products([
      (id) => {
        world.notion.appendBlocks(id, [paragraph('Brass lamp.')]);
        world.notion.appendImageFile(id, png('lamp.png'));
      },
    ]);
    let first = true;
    bucket.beforeBucket = () => {
      if (first) world.notion.expireFileUrls();
      first = false;
    };
    world.notion.clearRequestLog();
    const { done } = await run(setup);
    expect(done.counts).toMatchObject({ written: 1 });
    expect(world.notion.fileDownloads.map((d) => d.status)).toEqual([403, 200]);
    const reads = world.notion.requestLog.filter((e) => e.route === 'GET /v1/pages/:id/markdown');
    expect(reads).toHaveLength(2);
    expect(callFor('Brass lamp.').attachments).toHaveLength(1);
  });

  it('that cannot be reached fail the row with what to do, nothing paid for', async () => {
    const { setup } = await products([(id) => void world.notion.appendImageFile(id, png('lamp.png'))]);
    bucket.beforeBucket = () => {
      throw new Error('connection reset');
    };
    const { done, rows } = await run(setup);
    expect(done.counts).toMatchObject({ failed: 1, written: 0 });
    expect(rows[0]!.reason).toBe(
      'Inkling could not download the image “lamp.png” on this row’s page from Notion (connection reset). Retry failed tries again.',
    );
    expect(world.models.calls).toEqual([]);
  });

  it('send a row alone in a packed run, while the rows without images are still packed', async () => {
    const { db, setup } = await products([
      (id) => world.notion.appendBlocks(id, [paragraph('Oak table.')]),
      (id) => {
        world.notion.appendBlocks(id, [paragraph('Brass lamp.')]);
        world.notion.appendImageFile(id, png('lamp.png'));
      },
      (id) => world.notion.appendBlocks(id, [paragraph('Wool rug.')]),
    ]);
    const { done } = await run(setup, 'openai', MODEL_BOUND_LIMITS);
    expect(done.counts).toMatchObject({ total: 3, written: 3 });
    expect(world.models.calls).toHaveLength(2);
    const pack = callFor('Oak table.');
    expect(pack.prompt).toContain('Wool rug.');
    expect(pack.attachments).toEqual([]);
    expect(callFor('Brass lamp.').attachments).toHaveLength(1);
    expect(db.rowIds).toHaveLength(3);
  });

  it('are not sent to an OpenAI-compatible server, only named to the model as not attached', async () => {
    const { setup } = await products([
      (id) => {
        world.notion.appendBlocks(id, [paragraph('Brass lamp.')]);
        world.notion.appendImageFile(id, png('lamp.png'));
      },
    ]);
    const { done } = await run(setup, 'compatible');
    expect(done.counts).toMatchObject({ written: 1 });
    const call = callFor('Brass lamp.');
    expect(call.attachments).toEqual([]);
    expect(call.prompt).toContain('Images on the page that are not attached: “lamp.png”.');
    expect(world.notion.fileDownloads).toEqual([]);
  });
});
