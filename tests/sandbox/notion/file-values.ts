// Files in property values and image blocks: external links as given, and Notion-hosted files, whose
// stored value signs a fresh URL each time it is read (see file-host.ts). The signing happens in a getter,
// so every serialization of a page, a query result, a property item or a block list — in whatever API
// version — carries a new URL without the renderers knowing about hosted files.
import { expectObject, expectString, expectUrl, onlyKeys } from './content.ts';
import { failed, fixOne, lengthAtMost, validation } from './errors.ts';
import { FileHost, type HostedFile, type SignedFile } from './file-host.ts';
import type { Store } from './store.ts';

const MAX_FILE_NAME = 100;

const hosts = new WeakMap<Store, FileHost>();

/** The bucket holding a workspace's uploaded files (one per store, made on first use). */
export function fileHostOf(store: Store): FileHost {
  let host = hosts.get(store);
  if (!host) {
    host = new FileHost();
    hosts.set(store, host);
  }
  return host;
}

/** `{url, expiry_time}` signed anew on every read of `file`. */
export function withSignedFile<T extends Record<string, unknown>>(
  host: FileHost,
  hosted: HostedFile,
  fields: T,
): T & { file: SignedFile } {
  return Object.defineProperty({ ...fields }, 'file', {
    enumerable: true,
    get: () => host.sign(hosted),
  }) as T & { file: SignedFile };
}

/** A Notion-hosted file as a files property holds it: `{name, type: 'file', file: {url, expiry_time}}`. */
export function hostedFileValue(host: FileHost, hosted: HostedFile, name = hosted.name): Record<string, unknown> {
  return withSignedFile(host, hosted, { name, type: 'file' });
}

/**
 * One item of a files property write. An external link is stored as given. A `file` item whose url is one
 * of this workspace's signed URLs (fresh or expired: the key names the file) keeps that file, as Notion
 * keeps a hosted file sent back with its url; any other `file` url is stored as given.
 */
export function parseFile(value: unknown, path: string, store: Store): Record<string, unknown> {
  const file = expectObject(value, path);
  onlyKeys(file, ['name', 'type', 'external', 'file', 'file_upload'], path);
  if (file.file_upload !== undefined)
    throw validation(`File uploads are not available in this workspace (${path}.file_upload).`);
  const kind = file.type ?? (file.external !== undefined ? 'external' : file.file !== undefined ? 'file' : undefined);
  if (kind !== 'external' && kind !== 'file') throw fixOne([`${path}.external`, `${path}.file`, `${path}.file_upload`]);
  const body = expectObject(file[kind], `${path}.${kind}`);
  const url = expectUrl(body.url, `${path}.${kind}.url`);
  const hosted = kind === 'file' ? fileHostOf(store).fileAt(url) : undefined;
  const name =
    file.name === undefined
      ? (hosted?.name ?? (url.split(/[?#]/)[0]?.split('/').pop() || 'file'))
      : expectString(file.name, `${path}.name`);
  if (name.length > MAX_FILE_NAME) throw failed(`${path}.name.length`, lengthAtMost(MAX_FILE_NAME), name.length);
  if (hosted) return hostedFileValue(fileHostOf(store), hosted, name);
  return kind === 'external'
    ? { name, type: 'external', external: { url } }
    : {
        name,
        type: 'file',
        file: { url, expiry_time: typeof body.expiry_time === 'string' ? body.expiry_time : null },
      };
}
