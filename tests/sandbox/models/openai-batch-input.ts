// Validation of a Batch API input file, done while the batch is `validating`: a refused file makes
// the batch `failed` with `errors.data[]` of {code, line, message, param}. OpenAI's own codes are used
// where it has one (invalid_json_line, duplicate_custom_id, url_mismatch, model_mismatch, empty_file,
// too_many_tasks); only invalid_json_line's message is worded as the service words it, the rest and
// the codes for missing or mistyped fields are the sandbox's.

/** Endpoints OpenAI batches accept, and the ones the sandbox answers. */
export const BATCH_ENDPOINTS: { all: readonly string[]; emulated: readonly string[] } = {
  all: [
    '/v1/responses',
    '/v1/chat/completions',
    '/v1/embeddings',
    '/v1/completions',
    '/v1/moderations',
    '/v1/images/generations',
    '/v1/images/edits',
    '/v1/videos',
  ],
  emulated: ['/v1/chat/completions', '/v1/responses'],
};

export const MAX_BATCH_LINES = 50_000;
export const MAX_BATCH_FILE_BYTES = 200 * 1024 * 1024;

export interface InputLine {
  customId: string;
  url: string;
  body: Record<string, unknown>;
}

export interface BatchInputError {
  code: string;
  message: string;
  param: string | null;
  /** 1-based line number; null for a problem with the whole file. */
  line: number | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A problem with the whole file, not one line. */
function whole(code: string, message: string): { lines: InputLine[]; errors: BatchInputError[] } {
  return { lines: [], errors: [{ code, message, param: null, line: null }] };
}

/** Reads the JSONL file; every problem found is reported (an empty list means the batch can run). */
export function validateInput(
  bytes: Buffer,
  endpoint: string,
): { lines: InputLine[]; errors: BatchInputError[]; model?: string } {
  if (bytes.length > MAX_BATCH_FILE_BYTES)
    return whole('file_too_large', `The batch input file is larger than the maximum of ${MAX_BATCH_FILE_BYTES} bytes.`);
  const rows = bytes
    .toString('utf8')
    .split('\n')
    .map((text, i) => ({ text: text.replace(/\r$/, ''), line: i + 1 }))
    .filter((r) => r.text.trim() !== '');
  if (rows.length === 0) return whole('empty_file', 'The batch input file is empty.');
  if (rows.length > MAX_BATCH_LINES)
    return whole(
      'too_many_tasks',
      `The batch input file contains ${rows.length} requests; a batch can contain at most ${MAX_BATCH_LINES}.`,
    );

  const lines: InputLine[] = [];
  const errors: BatchInputError[] = [];
  const seen = new Set<string>();
  let model: string | undefined;
  for (const { text, line } of rows) {
    const fail = (code: string, message: string, param: string | null = null) =>
      errors.push({ code, message, param, line });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      fail('invalid_json_line', 'This line is not parseable as valid JSON.');
      continue;
    }
    if (!isObj(parsed)) {
      fail('invalid_json_line', 'This line is not parseable as valid JSON.');
      continue;
    }
    const missing = ['custom_id', 'method', 'url', 'body'].find((k) => parsed[k] === undefined);
    if (missing !== undefined) {
      fail('missing_required_parameter', `Missing required parameter: '${missing}'.`, missing);
      continue;
    }
    const { custom_id: customId, method, url, body } = parsed;
    if (typeof customId !== 'string' || customId === '') {
      fail('invalid_type', "Invalid type for 'custom_id': expected a non-empty string.", 'custom_id');
      continue;
    }
    if (method !== 'POST') {
      fail('invalid_value', `Invalid value: '${String(method)}'. Supported values are: 'POST'.`, 'method');
      continue;
    }
    if (url !== endpoint) {
      fail('url_mismatch', `The URL provided for this request does not match the batch endpoint ${endpoint}.`, 'url');
      continue;
    }
    if (!isObj(body)) {
      fail('invalid_type', "Invalid type for 'body': expected an object.", 'body');
      continue;
    }
    if (seen.has(customId)) {
      fail(
        'duplicate_custom_id',
        `The custom_id '${customId}' is used by another request in this file; custom_id values must be unique within a batch.`,
        'custom_id',
      );
      continue;
    }
    seen.add(customId);
    const lineModel = typeof body.model === 'string' ? body.model : undefined;
    if (lineModel !== undefined) {
      if (model === undefined) model = lineModel;
      else if (lineModel !== model) {
        fail(
          'model_mismatch',
          `The model '${lineModel}' differs from the model '${model}' of the batch's other requests; a batch uses one model.`,
          'body.model',
        );
        continue;
      }
    }
    lines.push({ customId, url: endpoint, body });
  }
  return { lines, errors, ...(model !== undefined ? { model } : {}) };
}
