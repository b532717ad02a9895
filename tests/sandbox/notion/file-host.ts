// Notion-hosted files and the S3 bucket that serves them (https://prod-files-secure.s3.us-west-2.amazonaws.com):
// every read of a file through the API signs a fresh SigV4-style GET URL valid for an hour, and the bucket
// answers it as S3 does — the bytes with S3's headers, or S3's XML errors (403 for an expired, tampered or
// unknown URL: S3 says AccessDenied rather than 404 to a caller who may not list the bucket). No CORS rules:
// the extension fetches these from its background page through its host permission.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SandboxRequest } from '../http-util.ts';

export const FILE_HOST = 'prod-files-secure.s3.us-west-2.amazonaws.com';
/** Seconds a signed URL is valid for, as Notion signs them. */
export const FILE_URL_EXPIRES_SECONDS = 3600;
/** Shaped like an AWS access key id; the sandbox signs with a secret of its own. */
const ACCESS_KEY_ID = 'AKIAINKLINGSANDBOX00';
const REGION = 'us-west-2';
const AUTH_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
];

/** A file a test attaches, as a person would upload it in Notion. */
export interface FileUpload {
  name: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface HostedFile {
  /** The object key: `<workspace id>/<file id>/<name>`. */
  key: string;
  name: string;
  mimeType: string;
  bytes: Buffer;
  /** Hex SHA-256 of the bytes: the same digest the model emulators log for what reaches them. */
  sha256: string;
  etag: string;
  uploadedAt: number;
}

/** One GET or HEAD on the bucket: the key asked for (decoded path, no leading slash) and the status answered. */
export interface FileDownload {
  method: string;
  key: string;
  status: number;
  at: number;
}

/** A signed URL as Notion serves it: `file: {url, expiry_time}`. */
export interface SignedFile {
  url: string;
  expiry_time: string;
}

interface Issued {
  key: string;
  date: string;
  credential: string;
}

/** 20260131T120000Z */
function amzDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

function parseAmzDate(date: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** S3 prints times without milliseconds. */
const s3Time = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000', '');

const xmlEscape = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export class FileHost {
  readonly downloads: FileDownload[] = [];
  readonly #files = new Map<string, HostedFile>();
  /** Every URL signed so far, by signature: what it was signed for. */
  readonly #issued = new Map<string, Issued>();
  readonly #secret = randomBytes(32);
  #seq = 0;
  /** How far the bucket's clock is ahead of the wall clock: expireAll moves it on an hour. */
  #skewMs = 0;

  now(): number {
    return Date.now() + this.#skewMs;
  }

  /** Stores an uploaded file under a new key in the workspace's folder. */
  add(workspaceId: string, upload: FileUpload): HostedFile {
    const bytes = Buffer.from(upload.bytes);
    const file: HostedFile = {
      key: `${workspaceId}/${randomUUID()}/${upload.name}`,
      name: upload.name,
      mimeType: upload.mimeType,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      uploadedAt: this.now(),
    };
    this.#files.set(file.key, file);
    return file;
  }

  /** A fresh signed GET URL for the file, valid for an hour from now (a new signature on every call). */
  sign(file: HostedFile): SignedFile {
    const now = this.now();
    const date = amzDate(now);
    const credential = `${ACCESS_KEY_ID}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`;
    const signature = createHmac('sha256', this.#secret).update(`${file.key}\n${date}\n${++this.#seq}`).digest('hex');
    this.#issued.set(signature, { key: file.key, date, credential });
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': credential,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(FILE_URL_EXPIRES_SECONDS),
      'X-Amz-Signature': signature,
      'X-Amz-SignedHeaders': 'host',
      'x-id': 'GetObject',
    });
    const path = file.key.split('/').map(encodeURIComponent).join('/');
    const expiresAt = (parseAmzDate(date) ?? now) + FILE_URL_EXPIRES_SECONDS * 1000;
    return { url: `https://${FILE_HOST}/${path}?${query}`, expiry_time: new Date(expiresAt).toISOString() };
  }

  /** The file a URL on the bucket points at, whatever its signature or age (for writes that send a file back). */
  fileAt(url: string): HostedFile | undefined {
    try {
      const parsed = new URL(url);
      return parsed.hostname === FILE_HOST ? this.#files.get(keyOf(parsed)) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every URL signed so far stops working, as if an hour passed; URLs signed from now on work. */
  expireAll(): void {
    this.#skewMs += (FILE_URL_EXPIRES_SECONDS + 1) * 1000;
  }

  clear(): void {
    this.#files.clear();
    this.#issued.clear();
    this.downloads.length = 0;
    this.#skewMs = 0;
  }

  /** Answers one request to the bucket. */
  handle(req: SandboxRequest, res: ServerResponse): void {
    const key = keyOf(req.url);
    const reply = this.#answer(req, key);
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(56).toString('base64');
    const headers: Record<string, string> = {
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId,
      date: new Date(this.now()).toUTCString(),
      server: 'AmazonS3',
    };
    if (req.method === 'GET' || req.method === 'HEAD') {
      this.downloads.push({ method: req.method, key, status: reply.status, at: Date.now() });
    }
    if ('file' in reply) {
      const { file } = reply;
      res.writeHead(200, {
        ...headers,
        'last-modified': new Date(file.uploadedAt).toUTCString(),
        etag: file.etag,
        'x-amz-server-side-encryption': 'AES256',
        'accept-ranges': 'bytes',
        'content-type': file.mimeType,
        'content-length': String(file.bytes.length),
      });
      res.end(req.method === 'HEAD' ? undefined : file.bytes);
      return;
    }
    const fields = Object.entries(reply.fields ?? {})
      .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
      .join('');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${reply.code}</Code><Message>${xmlEscape(reply.message)}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
    // A HEAD answer has no body, so S3 sends the status alone.
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'application/xml',
      ...(req.method === 'HEAD' ? {} : { 'content-length': String(Buffer.byteLength(xml)) }),
    });
    res.end(req.method === 'HEAD' ? undefined : xml);
  }

  #answer(
    req: SandboxRequest,
    key: string,
  ):
    | { status: 200; file: HostedFile }
    | { status: number; code: string; message: string; fields?: Record<string, string> } {
    const q = req.url.searchParams;
    if (req.method === 'OPTIONS')
      return { status: 403, code: 'CORSResponse', message: 'CORS is not enabled for this bucket.' };
    const given = AUTH_PARAMS.filter((name) => q.has(name));
    if (given.length === 0) return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    if (given.length < AUTH_PARAMS.length) {
      return {
        status: 400,
        code: 'AuthorizationQueryParametersError',
        message:
          'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      };
    }
    const date = q.get('X-Amz-Date') ?? '';
    const expires = q.get('X-Amz-Expires') ?? '';
    const signedAt = parseAmzDate(date);
    if (signedAt === undefined || !/^\d+$/.test(expires)) {
      return {
        status: 400,
        code: 'AuthorizationQueryParametersError',
        message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
      };
    }
    const now = this.now();
    const expiresAt = signedAt + Number(expires) * 1000;
    if (now > expiresAt) {
      return {
        status: 403,
        code: 'AccessDenied',
        message: 'Request has expired',
        fields: { 'X-Amz-Expires': expires, Expires: s3Time(expiresAt), ServerTime: s3Time(now) },
      };
    }
    const file = this.#files.get(key);
    if (!file) return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    const signature = q.get('X-Amz-Signature') ?? '';
    const issued = this.#issued.get(signature);
    const credential = q.get('X-Amz-Credential') ?? '';
    const intact =
      issued !== undefined &&
      issued.key === key &&
      issued.date === date &&
      issued.credential === credential &&
      expires === String(FILE_URL_EXPIRES_SECONDS) &&
      (req.method === 'GET' || req.method === 'HEAD');
    if (!intact) {
      return {
        status: 403,
        code: 'SignatureDoesNotMatch',
        message:
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        fields: {
          AWSAccessKeyId: credential.split('/')[0] ?? '',
          StringToSign: `AWS4-HMAC-SHA256\n${date}\n${credential.split('/').slice(1).join('/')}`,
          SignatureProvided: signature,
        },
      };
    }
    return { status: 200, file };
  }
}

/** The object key a URL names: its path without the leading slash, each segment decoded. */
function keyOf(url: URL): string {
  return url.pathname
    .slice(1)
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}
