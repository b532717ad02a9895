// api.openai.com's Batch API (/v1/batches) over the Files API (openai-files.ts). A batch validates
// its input file (openai-batch-input.ts), then each line is answered by the synchronous endpoint
// (batch-core.ts) and written (openai-batch-output.ts) to the output file (status 200) or the error file (any other status,
// or `error` set for a line the batch never ran: batch_expired, batch_cancelled). Shapes:
// openai@7.57.0 resources/batches.d.ts; the line shapes are the documented BatchRequestOutput.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { BatchJob, BatchRegistry } from './batch-core.ts';
import { randomId } from './engine.ts';
import type { Engine } from './engine.ts';
import { BATCH_ENDPOINTS, validateInput } from './openai-batch-input.ts';
import type { InputLine } from './openai-batch-input.ts';
import { STATUS, batchObject, writeFiles } from './openai-batch-output.ts';
import type { OpenAIBatch } from './openai-batch-output.ts';
import { authProblem, openaiError, openaiHeaders, readJson, sendError } from './openai-common.ts';
import type { ErrorReply } from './openai-common.ts';
import { FileStore, noSuchFile } from './openai-files.ts';
import { handleOpenAIStyle } from './openai.ts';

const WINDOW_MS = 24 * 3600 * 1000;

export class OpenAIBatches {
  readonly files = new FileStore();
  private readonly registry = new BatchRegistry();
  private readonly batches = new Map<string, OpenAIBatch>();
  private readonly engine: Engine;
  private readonly key: string;
  private readonly turnaroundMs: () => number;

  constructor(engine: Engine, key: string, turnaroundMs: () => number) {
    this.engine = engine;
    this.key = key;
    this.turnaroundMs = turnaroundMs;
  }

  static handles(path: string): boolean {
    return /^\/v1\/(files|batches)(\/|$)/.test(path);
  }

  job(id: string): BatchJob | undefined {
    return this.registry.jobs.get(id);
  }

  reset(): void {
    this.registry.clear();
    this.batches.clear();
    this.files.files.clear();
  }

  async handle(req: SandboxRequest, res: ServerResponse): Promise<void> {
    const denied = authProblem('openai', req, this.key);
    if (denied) return sendError(res, 'openai', req, denied);
    const path = req.url.pathname.replace(/\/+$/, '');
    if (path.startsWith('/v1/files')) return this.files.handle(path, req, res);
    const headers = openaiHeaders('openai', req);
    if (path === '/v1/batches' && req.method === 'POST') return this.create(req, res);
    if (path === '/v1/batches' && req.method === 'GET') return this.list(req, res);
    const m = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    const id = decodeURIComponent(m?.[1] ?? '');
    if (!m || req.method !== (m[2] ? 'POST' : 'GET'))
      return sendError(res, 'openai', req, invalid(`Invalid URL (${req.method} ${req.url.pathname})`, null, 404));
    const batch = this.batches.get(id);
    if (!batch)
      return sendError(
        res,
        'openai',
        req,
        openaiError(404, `No batch found with id '${id}'.`, 'invalid_request_error', null, null),
      );
    if (m[2]) {
      const phase = batch.job.phase;
      if (phase !== 'queued' && phase !== 'running' && phase !== 'finalizing' && phase !== 'cancelling')
        return sendError(
          res,
          'openai',
          req,
          openaiError(
            409,
            `Cannot cancel a batch with status '${STATUS[phase]}'.`,
            'invalid_request_error',
            null,
            null,
          ),
        );
      batch.job.cancel();
    }
    sendJson(res, 200, batchObject(batch), headers);
  }

  private create(req: SandboxRequest, res: ServerResponse): void {
    const { body, problem } = readJson(req);
    if (problem || !body) return sendError(res, 'openai', req, problem ?? invalid('Missing request body.', null));
    for (const param of ['input_file_id', 'endpoint', 'completion_window'])
      if (typeof body[param] !== 'string')
        return sendError(
          res,
          'openai',
          req,
          openaiError(
            400,
            `Missing required parameter: '${param}'.`,
            'invalid_request_error',
            param,
            'missing_required_parameter',
          ),
        );
    const { input_file_id: fileId, endpoint, completion_window: window } = body as Record<string, string>;
    if (!BATCH_ENDPOINTS.all.includes(endpoint ?? ''))
      return sendError(res, 'openai', req, invalidValue(endpoint ?? '', BATCH_ENDPOINTS.all, 'endpoint'));
    if (!BATCH_ENDPOINTS.emulated.includes(endpoint ?? ''))
      return sendError(res, 'openai', req, invalid(`The sandbox does not emulate ${endpoint} batches.`, 'endpoint'));
    if (window !== '24h')
      return sendError(res, 'openai', req, invalidValue(window ?? '', ['24h'], 'completion_window'));
    const file = this.files.files.get(fileId ?? '');
    if (!file) return sendError(res, 'openai', req, noSuchFile(fileId ?? '', 'input_file_id'));
    if (file.purpose !== 'batch')
      return sendError(
        res,
        'openai',
        req,
        invalid(`The file ${file.id} was not uploaded with purpose 'batch'.`, 'input_file_id'),
      );

    const input = validateInput(file.bytes, endpoint ?? '');
    const id = randomId('batch_', 16);
    const lines = input.errors.length > 0 ? [] : input.lines;
    const job = new BatchJob({
      engine: this.engine,
      id,
      lines: lines.map((line) => (out: ServerResponse) => this.send(req, line, out)),
      createdAt: Date.now(),
      windowMs: WINDOW_MS,
      hooks: { ended: () => writeFiles(batch, this.files) },
      invalid: input.errors.length > 0,
    });
    const batch: OpenAIBatch = {
      job,
      endpoint: endpoint ?? '',
      inputFileId: file.id,
      ...(input.model !== undefined ? { model: input.model } : {}),
      metadata: body.metadata ?? null,
      lines,
      errors: input.errors,
      outputFileId: null,
      errorFileId: null,
    };
    this.batches.set(id, batch);
    this.registry.add(job, this.turnaroundMs());
    sendJson(res, 200, batchObject(batch), openaiHeaders('openai', req));
  }

  /** One line, sent to the synchronous endpoint as the batch's own client would send it. */
  private send(created: SandboxRequest, line: InputLine, out: ServerResponse): Promise<void> {
    const body = Buffer.from(JSON.stringify(line.body));
    const req: SandboxRequest = {
      method: 'POST',
      url: new URL(`https://api.openai.com${line.url}`),
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body,
      raw: created.raw,
    };
    return handleOpenAIStyle(this.engine, 'openai', this.key, req, out);
  }

  private list(req: SandboxRequest, res: ServerResponse): void {
    const all = [...this.batches.values()].toReversed();
    const after = req.url.searchParams.get('after');
    const limitParam = req.url.searchParams.get('limit');
    const limit = limitParam === null ? 20 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return sendError(
        res,
        'openai',
        req,
        invalid(`Invalid 'limit': integer must be between 1 and 100, got ${limitParam}.`, 'limit'),
      );
    const start = after === null ? 0 : all.findIndex((b) => b.job.id === after) + 1;
    const page = all.slice(start, start + limit);
    sendJson(
      res,
      200,
      {
        object: 'list',
        data: page.map((b) => batchObject(b)),
        first_id: page[0]?.job.id ?? null,
        last_id: page.at(-1)?.job.id ?? null,
        has_more: start + limit < all.length,
      },
      openaiHeaders('openai', req),
    );
  }
}

function invalid(message: string, param: string | null, status = 400): ErrorReply {
  return openaiError(status, message, 'invalid_request_error', param, null);
}

function invalidValue(value: string, allowed: readonly string[], param: string): ErrorReply {
  const list = allowed.map((v) => `'${v}'`).join(', ');
  return openaiError(
    400,
    `Invalid value: '${value}'. Supported values are: ${list}.`,
    'invalid_request_error',
    param,
    'invalid_value',
  );
}
