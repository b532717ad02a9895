// Uploading files as a person does in Notion's app (the API cannot: the sandbox has no file_upload
// endpoint): into a row's files property, or as an image block on a page. The bytes go to the bucket
// (file-host.ts); the API then serves them as Notion-hosted files with a freshly signed URL per read.
import { isObject } from './content.ts';
import type { FileUpload } from './file-host.ts';
import { fileHostOf, hostedFileValue, withSignedFile } from './file-values.ts';
import { normalizeId } from './ids.ts';
import * as ops from './operations.ts';
import type { OpContext } from './operations.ts';
import { findProperty } from './properties.ts';
import { plainText } from './store.ts';

/** What a test needs to recognise the file later: in the bucket's download log and in what a model received. */
export interface AttachedFile {
  /** The object key in the bucket (`FileDownload.key`). */
  key: string;
  name: string;
  mimeType: string;
  /** Size in bytes. */
  bytes: number;
  /** Hex SHA-256 of the bytes, as the model emulators log each attachment. */
  sha256: string;
}

function checkUpload(upload: FileUpload): void {
  if (!upload.name) throw new Error('A file needs a name');
  if (!upload.mimeType.includes('/')) throw new Error(`${upload.mimeType} is not a MIME type`);
}

/** Appends a Notion-hosted file to a row's files property, as its last file. */
export function attachFile(ctx: OpContext, pageId: string, propertyName: string, upload: FileUpload): AttachedFile {
  checkUpload(upload);
  const { store } = ctx;
  const page = store.page(normalizeId(pageId) ?? '');
  if (!page) throw new Error(`No page with id ${pageId}`);
  const ds = store.rowSource(page);
  if (!ds) throw new Error(`${pageId} is not a database row, so it has no files property`);
  const prop = findProperty(ds.properties, propertyName);
  if (!prop) throw new Error(`${propertyName} is not a property of ${plainText(ds.title)}`);
  if (prop.type !== 'files') throw new Error(`${propertyName} is a ${prop.type} property, not a files property`);
  const host = fileHostOf(store);
  const hosted = host.add(store.workspaceId, upload);
  const current = (page.values.get(prop.id) as unknown[] | undefined) ?? [];
  page.values.set(prop.id, [...current, hostedFileValue(host, hosted)]);
  store.touch(page, ctx.actor);
  return describe(hosted);
}

/** Appends an image block holding a Notion-hosted image to a page or block; returns its block id too. */
export function appendImageFile(
  ctx: OpContext,
  parentId: string,
  upload: FileUpload,
): AttachedFile & { blockId: string } {
  checkUpload(upload);
  const { store } = ctx;
  // Made as an external image, then given the hosted file: the API itself can only write external ones.
  const result = ops.appendBlockChildren(ctx, normalizeId(parentId) ?? parentId, {
    children: [{ image: { external: { url: 'https://www.notion.so/images/placeholder.png' } } }],
  });
  const first = (result.results as unknown[])[0];
  const block = store.block(String(isObject(first) ? first.id : ''));
  if (!block) throw new Error(`Could not add an image to ${parentId}`);
  const host = fileHostOf(store);
  const hosted = host.add(store.workspaceId, upload);
  block.data = withSignedFile(host, hosted, { caption: [], type: 'file' });
  return { ...describe(hosted), blockId: block.id };
}

function describe(hosted: {
  key: string;
  name: string;
  mimeType: string;
  bytes: Buffer;
  sha256: string;
}): AttachedFile {
  return {
    key: hosted.key,
    name: hosted.name,
    mimeType: hosted.mimeType,
    bytes: hosted.bytes.length,
    sha256: hosted.sha256,
  };
}
