// Gemini's batch mode with inline requests, as @google/genai 3.1.0 speaks it (batches.create, get,
// list, cancel, delete in dist/node/index.mjs): POST models/{m}:batchGenerateContent with
// {batch: {displayName, inputConfig: {requests: {requests: [{request, metadata?}]}}}}, answered by an
// Operation {name: 'batches/…', metadata: GenerateContentBatch} whose state is BATCH_STATE_*. When
// the job ends, the responses (or each line's google.rpc.Status error) are inlined both in
// metadata.output and in the Operation's response, in input order. Lines: batch-core.ts.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { parseJsonBody } from '../http-util.ts';
import type { SandboxRequest } from '../http-util.ts';
import { BatchJob, BatchRegistry, TERMINAL } from './batch-core.ts';
import type { BatchPhase, LineResult } from './batch-core.ts';
import type { Engine } from './engine.ts';
import { GEMINI_MODELS, googleError, modelNotFound } from './gemini-common.ts';
import type { GeminiErrorReply } from './gemini-common.ts';
import { payloadProblem } from './gemini-media.ts';
import { authProblem, handleGeminiRequest, notFoundPage, send } from './gemini.ts';

const WINDOW_MS = 48 * 3600 * 1000;
const TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.';
const DEFAULT_PAGE_SIZE = 50;

const STATE: Record<BatchPhase, string> = {
  queued: 'BATCH_STATE_PENDING',
  running: 'BATCH_STATE_RUNNING',
  finalizing: 'BATCH_STATE_RUNNING',
  // BatchState has no cancelling value: the job runs until the cancellation lands.
  cancelling: 'BATCH_STATE_RUNNING',
  completed: 'BATCH_STATE_SUCCEEDED',
  failed: 'BATCH_STATE_FAILED',
  cancelled: 'BATCH_STATE_CANCELLED',
  expired: 'BATCH_STATE_EXPIRED',
};

/** google.rpc.Code numbers, which an inlined error carries instead of the HTTP status. */
const RPC_CODE: Record<string, number> = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
};

interface InlineRequest {
  request: Record<string, unknown>;
  metadata?: Record<string, string>;
}

interface GeminiBatch {
  job: BatchJob;
  model: string;
  displayName: string;
  requests: InlineRequest[];
}

const time = (ms: number) => new Date(ms).toISOString();
/** int64 counts are strings in Google's JSON, and zero values are left out. */
const count = (n: number) => (n > 0 ? String(n) : undefined);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (message: string): GeminiErrorReply => googleError(400, 'INVALID_ARGUMENT', message);

/** Batch ids look like Google's: 36 lowercase letters and digits. */
function batchName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `batches/${Array.from(randomBytes(36), (b) => alphabet[b % alphabet.length]).join('')}`;
}

export class GeminiBatches {
  private readonly registry = new BatchRegistry();
  private readonly batches = new Map<string, GeminiBatch>();
  private readonly engine: Engine;
  private readonly key: string;
  private readonly turnaroundMs: () => number;

  constructor(engine: Engine, key: string, turnaroundMs: () => number) {
    this.engine = engine;
    this.key = key;
    this.turnaroundMs = turnaroundMs;
  }

  static handles(path: string): boolean {
    return /^\/v1(beta)?\/(batches(\/|$)|models\/[^/:]+:batchGenerateContent$)/.test(path);
  }

  job(name: string): BatchJob | undefined {
    return this.registry.jobs.get(name);
  }

  reset(): void {
    this.registry.clear();
    this.batches.clear();
  }

  handle(req: SandboxRequest, res: ServerResponse): void {
    const reply = (r: GeminiErrorReply) => send(res, req, r.status, r.body);
    const create = /^\/(v1beta|v1)\/models\/([^/:]+):batchGenerateContent$/.exec(req.url.pathname);
    if (create && req.method === 'POST') {
      const tooLarge = payloadProblem(req);
      if (tooLarge) return reply(tooLarge);
    }
    const denied = authProblem(req, this.key);
    if (denied) return reply(denied);
    if (create && req.method === 'POST')
      return this.create(req, res, create[1] ?? 'v1beta', decodeURIComponent(create[2] ?? ''));
    const path = req.url.pathname.replace(/\/+$/, '');
    if (/^\/v1(beta)?\/batches$/.test(path) && req.method === 'GET') return this.list(req, res);
    const m = /^\/v1(?:beta)?\/(batches\/[^/:]+)(:cancel)?$/.exec(path);
    const allowed = m?.[2] ? ['POST'] : ['GET', 'DELETE'];
    if (!m || !allowed.includes(req.method)) return notFoundPage(req, res);
    const name = m[1] ?? '';
    const batch = this.batches.get(name);
    if (!batch) return reply(googleError(404, 'NOT_FOUND', 'Requested entity was not found.'));
    if (m[2]) {
      batch.job.cancel();
      return send(res, req, 200, {});
    }
    if (req.method === 'DELETE') {
      batch.job.dispose();
      this.batches.delete(name);
      this.registry.jobs.delete(name);
      return send(res, req, 200, {});
    }
    send(res, req, 200, this.operation(batch));
  }

  private create(req: SandboxRequest, res: ServerResponse, apiVersion: string, modelId: string): void {
    const reply = (r: GeminiErrorReply) => send(res, req, r.status, r.body);
    let body: unknown;
    try {
      body = parseJsonBody(req);
    } catch (e) {
      return reply(invalid(`Invalid JSON payload received. ${(e as Error).message}`));
    }
    const model = GEMINI_MODELS.find((x) => x.id === modelId);
    if (!model || !model.supportedGenerationMethods.includes('batchGenerateContent'))
      return reply(modelNotFound(modelId, apiVersion, 'batchGenerateContent'));
    const batch = isObj(body) && isObj(body.batch) ? body.batch : undefined;
    const input = batch && isObj(batch.inputConfig) ? batch.inputConfig : undefined;
    if (!input) return reply(invalid('* BatchGenerateContentRequest.batch.input_config: input_config is required\n'));
    if (input.fileName !== undefined)
      return reply(invalid('The sandbox emulates inline batch requests only, not input files.'));
    const list = isObj(input.requests) ? input.requests.requests : undefined;
    if (!Array.isArray(list) || list.length === 0)
      return reply(invalid('* BatchGenerateContentRequest.batch.input_config.requests: requests is not specified\n'));
    const requests: InlineRequest[] = [];
    for (const [i, item] of list.entries()) {
      if (!isObj(item) || !isObj(item.request))
        return reply(
          invalid(
            `* BatchGenerateContentRequest.batch.input_config.requests.requests[${i}].request: request is required\n`,
          ),
        );
      requests.push({
        request: item.request,
        ...(isObj(item.metadata) ? { metadata: item.metadata as Record<string, string> } : {}),
      });
    }
    const name = batchName();
    const job = new BatchJob({
      engine: this.engine,
      id: name,
      lines: requests.map((r) => (out: ServerResponse) => this.send(req, apiVersion, modelId, r, out)),
      createdAt: Date.now(),
      windowMs: WINDOW_MS,
      hooks: { ended: () => undefined },
      invalid: false,
    });
    const entry: GeminiBatch = {
      job,
      model: modelId,
      displayName: typeof batch?.displayName === 'string' ? batch.displayName : '',
      requests,
    };
    this.batches.set(name, entry);
    this.registry.add(job, this.turnaroundMs());
    send(res, req, 200, this.operation(entry));
  }

  /** One inline request, sent to generateContent as a direct call with the same body would be. */
  private send(
    created: SandboxRequest,
    apiVersion: string,
    modelId: string,
    r: InlineRequest,
    out: ServerResponse,
  ): Promise<void> {
    const { model: _model, ...request } = r.request;
    const req: SandboxRequest = {
      method: 'POST',
      url: new URL(`https://generativelanguage.googleapis.com/${apiVersion}/models/${modelId}:generateContent`),
      headers: { 'x-goog-api-key': this.key, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(request)),
      raw: created.raw,
    };
    return handleGeminiRequest(this.engine, this.key, req, out);
  }

  private list(req: SandboxRequest, res: ServerResponse): void {
    const all = [...this.batches.values()].toReversed();
    const size = Number(req.url.searchParams.get('pageSize') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
    const token = req.url.searchParams.get('pageToken');
    const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
    const page = all.slice(start, start + size);
    const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
    send(res, req, 200, {
      operations: page.map((b) => this.operation(b)),
      ...(next ? { nextPageToken: next } : {}),
    });
  }

  private operation(b: GeminiBatch): Record<string, unknown> {
    const { job } = b;
    const ended = TERMINAL.has(job.phase);
    const latest = Math.max(...Object.values(job.at).filter((t): t is number => t !== undefined));
    const pending = job.results.length - job.succeeded - job.failed;
    const output =
      ended && job.phase !== 'failed' ? { inlinedResponses: { inlinedResponses: this.responses(b) } } : undefined;
    const metadata = {
      '@type': `${TYPE}GenerateContentBatch`,
      model: `models/${b.model}`,
      displayName: b.displayName,
      ...(output ? { output } : {}),
      createTime: time(job.createdAt),
      ...(ended ? { endTime: time(latest) } : {}),
      updateTime: time(latest),
      batchStats: JSON.parse(
        JSON.stringify({
          requestCount: count(job.results.length),
          successfulRequestCount: count(job.succeeded),
          failedRequestCount: count(job.failed),
          pendingRequestCount: ended ? undefined : count(pending),
        }),
      ) as Record<string, string>,
      state: STATE[job.phase],
      name: job.id,
    };
    return {
      name: job.id,
      metadata,
      ...(ended ? { done: true } : {}),
      ...(output ? { response: { '@type': `${TYPE}GenerateContentBatchOutput`, ...output } } : {}),
    };
  }

  private responses(b: GeminiBatch): Record<string, unknown>[] {
    return b.requests.map((r, i) => {
      const meta = r.metadata ? { metadata: r.metadata } : {};
      const result = b.job.results[i];
      if (result === undefined) {
        const error =
          b.job.phase === 'expired'
            ? { code: RPC_CODE.DEADLINE_EXCEEDED, message: 'The batch expired before this request was processed.' }
            : { code: RPC_CODE.CANCELLED, message: 'The batch was cancelled before this request was processed.' };
        return { error, ...meta };
      }
      if (result.status === 200) return { response: result.body, ...meta };
      return { error: inlineError(result), ...meta };
    });
  }
}

/** The line's Google error as the google.rpc.Status an inlined response carries. */
function inlineError(r: LineResult): { code: number; message: string } {
  const err = isObj(r.body) && isObj(r.body.error) ? r.body.error : {};
  const status = typeof err.status === 'string' ? err.status : r.status === 0 ? 'INTERNAL' : 'UNKNOWN';
  const message =
    typeof err.message === 'string' ? err.message : 'An internal error has occurred. Please retry or report.';
  return { code: RPC_CODE[status] ?? 2, message };
}
