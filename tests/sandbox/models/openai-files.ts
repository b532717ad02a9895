// api.openai.com's Files API, as far as the Batch API needs it: upload (multipart, `purpose` and
// `file`), retrieve, list, content and delete. Batches read their input here and write their output
// and error files here (purpose `batch_output`). Shapes: openai@7.57.0 resources/files.d.ts.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { randomId, unixNow } from './engine.ts';
import { openaiError, openaiHeaders, sendError } from './openai-common.ts';
import type { ErrorReply } from './openai-common.ts';

const PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);
/** Files uploaded for batches expire after 30 days unless the upload says otherwise. */
const BATCH_FILE_TTL_S = 30 * 24 * 3600;

export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: Buffer;
  createdAt: number;
  expiresAt?: number;
}

export function fileObject(f: StoredFile): Record<string, unknown> {
  return {
    object: 'file',
    id: f.id,
    purpose: f.purpose,
    filename: f.filename,
    bytes: f.bytes.length,
    created_at: f.createdAt,
    expires_at: f.expiresAt ?? null,
    status: 'processed',
    status_details: null,
  };
}

export function noSuchFile(id: string, param: string): ErrorReply {
  return openaiError(404, `No such File object: ${id}`, 'invalid_request_error', param, null);
}

const missing = (param: string): ErrorReply =>
  openaiError(
    400,
    `Missing required parameter: '${param}'.`,
    'invalid_request_error',
    param,
    'missing_required_parameter',
  );

export class FileStore {
  readonly files = new Map<string, StoredFile>();

  add(filename: string, purpose: string, bytes: Buffer): StoredFile {
    const createdAt = unixNow();
    const file: StoredFile = {
      id: randomId('file-', 11),
      filename,
      purpose,
      bytes,
      createdAt,
      ...(purpose === 'batch' || purpose === 'batch_output' ? { expiresAt: createdAt + BATCH_FILE_TTL_S } : {}),
    };
    this.files.set(file.id, file);
    return file;
  }

  /** Routes /v1/files and /v1/files/:id[/content]; the caller has checked the key. */
  async handle(path: string, req: SandboxRequest, res: ServerResponse): Promise<void> {
    const headers = openaiHeaders('openai', req);
    if (path === '/v1/files' && req.method === 'POST') return this.upload(req, res);
    if (path === '/v1/files' && req.method === 'GET') {
      const purpose = req.url.searchParams.get('purpose');
      const data = [...this.files.values()].filter((f) => !purpose || f.purpose === purpose).toReversed();
      return sendJson(
        res,
        200,
        {
          object: 'list',
          data: data.map(fileObject),
          first_id: data[0]?.id ?? null,
          last_id: data.at(-1)?.id ?? null,
          has_more: false,
        },
        headers,
      );
    }
    const m = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    const id = decodeURIComponent(m?.[1] ?? '');
    const file = this.files.get(id);
    if (!m || (req.method !== 'GET' && req.method !== 'DELETE') || (m[2] && req.method !== 'GET'))
      return sendError(
        res,
        'openai',
        req,
        openaiError(404, `Invalid URL (${req.method} ${req.url.pathname})`, 'invalid_request_error', null, null),
      );
    if (!file) return sendError(res, 'openai', req, noSuchFile(id, 'id'));
    if (req.method === 'DELETE') {
      this.files.delete(id);
      return sendJson(res, 200, { object: 'file', deleted: true, id }, headers);
    }
    if (!m[2]) return sendJson(res, 200, fileObject(file), headers);
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/octet-stream',
      'content-length': String(file.bytes.length),
      'content-disposition': `attachment; filename="${file.filename}"`,
    });
    res.end(file.bytes);
  }

  private async upload(req: SandboxRequest, res: ServerResponse): Promise<void> {
    const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : '';
    let form: FormData;
    try {
      // The platform's own multipart parser reads the SDK's form exactly as a server would.
      form = await new Request('http://upload.invalid/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(req.body),
      }).formData();
    } catch {
      return sendError(
        res,
        'openai',
        req,
        openaiError(
          400,
          "Invalid Content-Type header (application/json), expected multipart/form-data. (HINT: If you're using curl, you can pass -F 'key=value' to send multipart form data)",
          'invalid_request_error',
          null,
          null,
        ),
      );
    }
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (typeof purpose !== 'string' || purpose === '') return sendError(res, 'openai', req, missing('purpose'));
    if (!(file instanceof Blob)) return sendError(res, 'openai', req, missing('file'));
    if (!PURPOSES.has(purpose)) {
      const list = [...PURPOSES].map((p) => `'${p}'`).join(', ');
      return sendError(
        res,
        'openai',
        req,
        openaiError(
          400,
          `Invalid value: '${purpose}'. Supported values are: ${list}.`,
          'invalid_request_error',
          'purpose',
          'invalid_value',
        ),
      );
    }
    const filename = file instanceof File ? file.name : 'upload';
    if (purpose === 'batch' && !filename.endsWith('.jsonl'))
      return sendError(
        res,
        'openai',
        req,
        openaiError(400, 'Invalid file format for Batch API. Must be .jsonl', 'invalid_request_error', null, null),
      );
    const stored = this.add(filename, purpose, Buffer.from(await file.arrayBuffer()));
    sendJson(res, 200, fileObject(stored), openaiHeaders('openai', req));
  }
}
