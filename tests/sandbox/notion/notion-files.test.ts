// Notion-hosted files through the real @notionhq/client: a files property and image blocks serve a freshly
// signed S3 URL on every read, the emulated bucket serves the bytes for it, and refuses expired, tampered
// and unknown URLs with S3's own XML errors.
import { collectPaginatedAPI, type Client } from '@notionhq/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faultBody } from '../faults.ts';
import { startNotionHarness, type NotionHarness } from './harness.ts';
import { FIXTURES } from './index.ts';
import { bigPng, SAMPLE_PDF, SAMPLE_PNG, samplePdf } from './sample-files.ts';

let h: NotionHarness;
let notion: Client;

beforeAll(async () => {
  h = await startNotionHarness();
  notion = h.client();
});
afterAll(() => h.close());
beforeEach(() => h.api.reset());

// Property values are a wide union; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

// The fixtures' "Empty row", whose files property starts empty.
const ROW = FIXTURES.allTypesRowIds[FIXTURES.allTypesRowIds.length - 1] ?? '';
const PHOTO = { name: 'photo.png', mimeType: 'image/png', bytes: SAMPLE_PNG };
const SIGNED_URL =
  /^https:\/\/prod-files-secure\.s3\.us-west-2\.amazonaws\.com\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/photo\.png\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=AKIA[A-Z0-9]{16}%2F\d{8}%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=\d{8}T\d{6}Z&X-Amz-Expires=3600&X-Amz-Signature=[0-9a-f]{64}&X-Amz-SignedHeaders=host&x-id=GetObject$/;

async function attachments(client: Client = notion): Promise<Loose[]> {
  const page: Loose = await client.pages.retrieve({ page_id: ROW });
  return page.properties.Attachments.files;
}

/** The XML error's fields, by element name. */
async function s3Error(res: Response): Promise<Record<string, string>> {
  expect(res.headers.get('content-type')).toBe('application/xml');
  const xml = await res.text();
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  return Object.fromEntries([...xml.matchAll(/<([\w-]+)>([^<]*)<\/\1>/g)].map((m) => [m[1], m[2]]));
}

describe('a files property with a Notion-hosted file', () => {
  it('serves a fresh signed URL, valid for an hour, on every read', async () => {
    const attached = h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [first] = await attachments();
    const [second] = await attachments();
    expect(first).toMatchObject({ name: 'photo.png', type: 'file' });
    expect(first.file.url).toMatch(SIGNED_URL);
    expect(second.file.url).toMatch(SIGNED_URL);
    expect(second.file.url).not.toBe(first.file.url);
    expect(new URL(first.file.url).pathname).toBe(`/${attached.key}`);
    expect(attached.key.startsWith(`${FIXTURES.workspaceId}/`)).toBe(true);
    const date = new URL(first.file.url).searchParams.get('X-Amz-Date') ?? '';
    const signedAt = Date.parse(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(Date.parse(first.file.expiry_time) - signedAt).toBe(3_600_000);
    expect(Math.abs(signedAt - Date.now())).toBeLessThan(5_000);
  });

  it('is signed the same way in a query, the property item endpoint and an older API version', async () => {
    h.api.attachFile(ROW, 'Attachments', PHOTO);
    const query: Loose = await notion.dataSources.query({ data_source_id: FIXTURES.allTypesDataSourceId });
    const row = query.results.find((r: Loose) => r.id === ROW);
    const item: Loose = await notion.pages.properties.retrieve({ page_id: ROW, property_id: 'Attachments' });
    const [old] = await attachments(h.client(undefined, { notionVersion: '2022-06-28' }));
    const urls = [row.properties.Attachments.files[0].file.url, item.files[0].file.url, old.file.url];
    for (const url of urls) expect(url).toMatch(SIGNED_URL);
    expect(new Set(urls).size).toBe(3);
    for (const url of urls) expect((await h.fetchFile(url)).status).toBe(200);
  });

  it('lets the bucket serve the bytes with S3 headers, and logs each download', async () => {
    const attached = h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [file] = await attachments();
    const res = await h.fetchFile(file.file.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(SAMPLE_PNG.length));
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(SAMPLE_PNG))).toBe(true);
    const head = await h.fetchFile(file.file.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(SAMPLE_PNG.length));
    expect(h.api.fileDownloads.map(({ method, key, status }) => ({ method, key, status }))).toEqual([
      { method: 'GET', key: attached.key, status: 200 },
      { method: 'HEAD', key: attached.key, status: 200 },
    ]);
    expect(attached).toMatchObject({ name: 'photo.png', mimeType: 'image/png', bytes: SAMPLE_PNG.length });
    expect(attached.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps files in order, after the ones already there', async () => {
    h.api.attachFile(ROW, 'Attachments', PHOTO);
    h.api.attachFile(ROW, 'Attachments', { name: 'report.pdf', mimeType: 'application/pdf', bytes: SAMPLE_PDF });
    const files = await attachments();
    expect(files.map((f: Loose) => f.name)).toEqual(['photo.png', 'report.pdf']);
    const pdf = await h.fetchFile(files[1].file.url);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('refuses a property that is not a files property, or is not there', () => {
    expect(() => h.api.attachFile(ROW, 'Score', PHOTO)).toThrow('Score is a number property, not a files property');
    expect(() => h.api.attachFile(ROW, 'Nope', PHOTO)).toThrow('Nope is not a property of All Types');
    expect(() => h.api.attachFile(FIXTURES.playgroundPageId, 'Attachments', PHOTO)).toThrow('not a database row');
  });

  it('keeps a hosted file sent back with its url, fresh or expired, beside a new external one', async () => {
    h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [file] = await attachments();
    h.api.expireFileUrls();
    await notion.pages.update({
      page_id: ROW,
      properties: {
        Attachments: {
          files: [file, { name: 'spec.txt', type: 'external', external: { url: 'https://example.org/spec.txt' } }],
        },
      },
    });
    const files = await attachments();
    expect(files[0]).toMatchObject({ name: 'photo.png', type: 'file' });
    expect(files[0].file.url).not.toBe(file.file.url);
    expect((await h.fetchFile(files[0].file.url)).status).toBe(200);
    expect(files[1]).toEqual({ name: 'spec.txt', type: 'external', external: { url: 'https://example.org/spec.txt' } });
  });
});

describe('the bucket refusing a URL', () => {
  it('answers an expired URL with S3’s AccessDenied “Request has expired”, and a fresh read with a working one', async () => {
    h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [before] = await attachments();
    h.api.expireFileUrls();
    const res = await h.fetchFile(before.file.url);
    expect(res.status).toBe(403);
    const error = await s3Error(res);
    expect(error).toMatchObject({ Code: 'AccessDenied', Message: 'Request has expired', 'X-Amz-Expires': '3600' });
    expect(Date.parse(error.ServerTime ?? '')).toBeGreaterThan(Date.parse(error.Expires ?? ''));
    expect(error.RequestId).toMatch(/^[0-9A-F]{16}$/);
    expect(error.HostId).toBeTruthy();
    const [after] = await attachments();
    expect((await h.fetchFile(after.file.url)).status).toBe(200);
    expect(h.api.fileDownloads.map((d) => d.status)).toEqual([403, 200]);
  });

  it('answers a tampered signature with SignatureDoesNotMatch', async () => {
    h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [file] = await attachments();
    const url = new URL(file.file.url);
    url.searchParams.set('X-Amz-Signature', 'f'.repeat(64));
    const res = await h.fetchFile(url.href);
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toMatchObject({ Code: 'SignatureDoesNotMatch', SignatureProvided: 'f'.repeat(64) });
  });

  it('answers a URL without query authentication, half of it, or for an unknown key as S3 does', async () => {
    const attached = h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [file] = await attachments();
    const bare = await h.fetchFile(`https://prod-files-secure.s3.us-west-2.amazonaws.com/${attached.key}`);
    expect(bare.status).toBe(403);
    expect(await s3Error(bare)).toMatchObject({ Code: 'AccessDenied', Message: 'Access Denied' });
    const half = new URL(file.file.url);
    half.searchParams.delete('X-Amz-Signature');
    const partial = await h.fetchFile(half.href);
    expect(partial.status).toBe(400);
    expect((await s3Error(partial)).Code).toBe('AuthorizationQueryParametersError');
    const other = new URL(file.file.url);
    other.pathname = `/${FIXTURES.workspaceId}/00000000-0000-4000-8000-000000000000/photo.png`;
    const unknown = await h.fetchFile(other.href);
    expect(unknown.status).toBe(403);
    expect((await s3Error(unknown)).Code).toBe('AccessDenied');
  });

  it('forgets every file, URL and download on reset', async () => {
    h.api.attachFile(ROW, 'Attachments', PHOTO);
    const [file] = await attachments();
    await h.fetchFile(file.file.url);
    h.api.reset();
    expect(h.api.fileDownloads).toEqual([]);
    expect(await attachments()).toEqual([]);
    expect((await h.fetchFile(file.file.url)).status).toBe(403);
  });

  it('words injected faults as S3 does', () => {
    const { contentType, text } = faultBody('prod-files-secure.s3.us-west-2.amazonaws.com', 503);
    expect(contentType).toBe('application/xml');
    expect(text).toContain('<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>');
  });
});

const playgroundBlocks = () =>
  collectPaginatedAPI(notion.blocks.children.list, { block_id: FIXTURES.playgroundPageId });

describe('an image block holding a Notion-hosted image', () => {
  it('is a `file` image whose URL is signed anew on each list and fetches', async () => {
    const { blockId } = h.api.appendImageFile(FIXTURES.playgroundPageId, PHOTO);
    const first: Loose = (await playgroundBlocks()).find((b) => b.id === blockId);
    const second: Loose = (await playgroundBlocks()).find((b) => b.id === blockId);
    expect(first.type).toBe('image');
    expect(first.image).toMatchObject({ caption: [], type: 'file' });
    expect(Object.keys(first.image)).toEqual(['caption', 'type', 'file']);
    expect(first.image.file.url).toMatch(SIGNED_URL);
    expect(second.image.file.url).not.toBe(first.image.file.url);
    const res = await h.fetchFile(second.image.file.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });
});

describe('sample files', () => {
  it('pads a PNG to an exact size and counts PDF pages', () => {
    expect(bigPng(25 * 1024 * 1024).length).toBe(25 * 1024 * 1024);
    const pdf = Buffer.from(samplePdf('x', 3)).toString('latin1');
    expect(pdf.match(/\/Type \/Page\b(?!s)/g)).toHaveLength(3);
    expect(pdf.endsWith('%%EOF\n')).toBe(true);
  });
});
