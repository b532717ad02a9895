// What an OpenAI batch shows its client: the Batch object (openai@7.57.0 resources/batches.d.ts)
// and, once it has ended, its output and error files of documented BatchRequestOutput lines:
// {id, custom_id, response: {status_code, request_id, body}, error: null} for a line the endpoint
// answered, {…, response: null, error: {code, message}} for one the batch never ran.
import { batchTokens } from './batch-core.ts';
import type { BatchJob, BatchPhase, LineResult } from './batch-core.ts';
import { randomId } from './engine.ts';
import type { BatchInputError, InputLine } from './openai-batch-input.ts';
import { openaiError } from './openai-common.ts';
import type { FileStore } from './openai-files.ts';

export const STATUS: Record<BatchPhase, string> = {
  queued: 'validating',
  running: 'in_progress',
  finalizing: 'finalizing',
  completed: 'completed',
  failed: 'failed',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
  expired: 'expired',
};

const NOT_RUN = {
  expired: {
    code: 'batch_expired',
    message: 'This request could not be executed before the completion window expired.',
  },
  cancelled: { code: 'batch_cancelled', message: 'This request could not be executed before the batch was cancelled.' },
};

export interface OpenAIBatch {
  job: BatchJob;
  endpoint: string;
  inputFileId: string;
  model?: string;
  metadata: unknown;
  lines: InputLine[];
  errors: BatchInputError[];
  outputFileId: string | null;
  errorFileId: string | null;
}

export function batchObject(b: OpenAIBatch): Record<string, unknown> {
  const { job } = b;
  const s = (phase: BatchPhase) => (job.at[phase] === undefined ? null : Math.floor((job.at[phase] ?? 0) / 1000));
  const tokens = batchTokens(job);
  return {
    id: job.id,
    object: 'batch',
    endpoint: b.endpoint,
    ...(b.model !== undefined ? { model: b.model } : {}),
    errors: b.errors.length > 0 ? { object: 'list', data: b.errors } : null,
    input_file_id: b.inputFileId,
    completion_window: '24h',
    status: STATUS[job.phase],
    output_file_id: b.outputFileId,
    error_file_id: b.errorFileId,
    created_at: Math.floor(job.createdAt / 1000),
    in_progress_at: s('running'),
    expires_at: Math.floor(job.expiresAt / 1000),
    finalizing_at: s('finalizing'),
    completed_at: s('completed'),
    failed_at: s('failed'),
    expired_at: s('expired'),
    cancelling_at: s('cancelling'),
    cancelled_at: s('cancelled'),
    // Validation has not counted the lines yet while the batch is validating.
    request_counts: {
      total: job.phase === 'queued' || job.phase === 'failed' ? 0 : b.lines.length,
      completed: job.succeeded,
      failed: job.failed,
    },
    usage: {
      input_tokens: tokens.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: tokens.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: tokens.input + tokens.output,
    },
    metadata: b.metadata,
  };
}

/** Output and error files, written once the batch ends; a file with no lines is not created. */
export function writeFiles(b: OpenAIBatch, files: FileStore): void {
  const outputs: string[] = [];
  const errors: string[] = [];
  const notRun = b.job.phase === 'expired' ? NOT_RUN.expired : b.job.phase === 'cancelled' ? NOT_RUN.cancelled : null;
  b.lines.forEach((line, i) => {
    const result = b.job.results[i];
    if (result === undefined) {
      if (notRun)
        errors.push(
          JSON.stringify({ id: randomId('batch_req_', 16), custom_id: line.customId, response: null, error: notRun }),
        );
      return;
    }
    (result.status === 200 ? outputs : errors).push(outputLine(line, result));
  });
  const file = (kind: string, rows: string[]) =>
    rows.length === 0
      ? null
      : files.add(`batch_${b.job.id}_${kind}.jsonl`, 'batch_output', Buffer.from(`${rows.join('\n')}\n`)).id;
  b.outputFileId = file('output', outputs);
  b.errorFileId = file('error', errors);
}

/** A line the endpoint answered: its status, request id and body, exactly as sent synchronously. */
function outputLine(line: InputLine, r: LineResult): string {
  // A dropped connection inside the batch is the service failing the request.
  const failedInside = r.status === 0;
  const body = failedInside
    ? openaiError(
        500,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
        null,
      ).body
    : r.body;
  return JSON.stringify({
    id: randomId('batch_req_', 16),
    custom_id: line.customId,
    response: {
      status_code: failedInside ? 500 : r.status,
      request_id: r.headers['x-request-id'] ?? randomId('', 16),
      body,
    },
    error: null,
  });
}
