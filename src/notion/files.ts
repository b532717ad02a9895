// Files uploaded to Notion, as a row's files column holds them: each with a signed address on Notion's
// file host that lasts about an hour, so a file is downloaded right before the model call that sends it,
// from an address read just then. Links to files elsewhere are not downloaded: Inkling reaches only the
// hosts its manifest names, and the row's prompt carries those links as text.
import type { PageObjectResponse } from '@notionhq/client';

/** Where Notion serves uploaded files from (also in the manifest's host permissions). */
export const NOTION_FILE_HOST = 'prod-files-secure.s3.us-west-2.amazonaws.com';

export interface NotionFile {
  name: string;
  url: string;
}

/** The files uploaded to Notion in a row's files column (external links left out), in the cell's order. */
export function uploadedFiles(page: PageObjectResponse, column: string): NotionFile[] {
  const value = page.properties[column];
  if (value?.type !== 'files') return [];
  return value.files.flatMap((f) => (f.type === 'file' ? [{ name: f.name, url: f.file.url }] : []));
}

/** Why a download gave nothing: gone or expired (read the address again), too large, or not reached. */
export class FileDownloadError extends Error {
  constructor(
    readonly reason: 'expired' | 'too_large' | 'unreachable',
    message: string,
    /** For too_large: the size the host declared, when it did. */
    readonly size?: number,
  ) {
    super(message);
    this.name = 'FileDownloadError';
  }
}

/**
 * Downloads a file from Notion's file host, at most `maxBytes` of it: a larger one is refused from its
 * declared size before anything is read, or as soon as it passes the limit.
 */
export async function downloadFile(url: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const address = new URL(url);
  // Only Notion's own file host: a row's cell never sends Inkling anywhere else.
  if (address.protocol !== 'https:' || address.hostname !== NOTION_FILE_HOST)
    throw new FileDownloadError('unreachable', `not on Notion's file host (${address.hostname})`);
  let response: Response;
  try {
    response = await fetch(address, { signal: signal ?? null, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new FileDownloadError('unreachable', error instanceof Error ? error.message : String(error));
  }
  // S3 answers 403 for an address past its time (or one it cannot match), and for one no longer there.
  if (response.status === 403 || response.status === 404)
    throw new FileDownloadError('expired', `Notion's file host answered ${response.status}`);
  if (!response.ok || !response.body)
    throw new FileDownloadError('unreachable', `Notion's file host answered ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new FileDownloadError('too_large', 'too large', declared);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FileDownloadError('too_large', 'too large');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
