// OpenAI's Batch and Files APIs on the emulator, through the real SDK (openai 7.57.0) over HTTP:
// the lifecycle, answers identical to the synchronous endpoint's, partial failure, expiry,
// cancellation, input validation, and the compatible server's lack of both APIs.
import OpenAI, { AuthenticationError, BadRequestError, ConflictError, NotFoundError, toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serveHandler as serve, type Served } from '../serve.ts';
import { ModelApis } from './index.ts';

const apis = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
let openaiServer: Served;
let compatServer: Served;
let openai: OpenAI;
let compat: OpenAI;

beforeAll(async () => {
  openaiServer = await serve(
    (q, s) => apis.handleOpenAI(q, s),
    () => 'https://api.openai.com',
  );
  compatServer = await serve(
    (q, s) => apis.handleCompatible(q, s),
    (port) => `http://127.0.0.1:${port}`,
  );
  openai = new OpenAI({ apiKey: apis.keys.openai, baseURL: `${openaiServer.url}/v1`, maxRetries: 0 });
  compat = new OpenAI({ apiKey: 'ollama', baseURL: `${compatServer.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([openaiServer.close(), compatServer.close()]);
});

beforeEach(() => apis.reset());

type Row = Record<string, unknown>;
const chatLine = (id: string, text: string, extra: Row = {}): Row => ({
  custom_id: id,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'gpt-5-nano', messages: [{ role: 'user', content: text }], ...extra },
});
const jsonl = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

async function upload(text: string, name = 'rows.jsonl') {
  return openai.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'batch' });
}

async function submit(rows: unknown[], endpoint: '/v1/chat/completions' | '/v1/responses' = '/v1/chat/completions') {
  const file = await upload(jsonl(rows));
  return openai.batches.create({ input_file_id: file.id, endpoint, completion_window: '24h' });
}

/** Polls the batch until `until` holds (or fails the test after 3 s). */
async function poll(id: string, until: (b: Batch) => boolean): Promise<Batch> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const batch = await openai.batches.retrieve(id);
    if (until(batch)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} stuck in ${batch.status}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const ended = (b: Batch) => ['completed', 'failed', 'expired', 'cancelled'].includes(b.status);

/** The file's JSONL lines by custom_id. */
async function lines(fileId: string | null | undefined): Promise<Map<string, Row>> {
  if (!fileId) return new Map();
  const text = await (await openai.files.content(fileId)).text();
  expect(text.endsWith('\n')).toBe(true);
  const rows = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  return new Map(rows.map((r) => [r.custom_id as string, r]));
}

describe('OpenAI batches: the round trip', () => {
  it('validates, runs, finalizes and completes, answering each line as the synchronous endpoint would', async () => {
    const sync = await openai.chat.completions.create({
      model: 'gpt-5-nano',
      messages: [{ role: 'user', content: 'Name a colour' }],
    });
    const file = await upload(jsonl([chatLine('a', 'Name a colour'), chatLine('b', 'Name a fruit')]));
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'rows.jsonl', status: 'processed' });
    expect(file.id).toMatch(/^file-/);
    expect(file.bytes).toBe(Buffer.byteLength(jsonl([chatLine('a', 'Name a colour'), chatLine('b', 'Name a fruit')])));

    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { run: 'nightly' },
    });
    expect(created).toMatchObject({
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: file.id,
      completion_window: '24h',
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      errors: null,
      in_progress_at: null,
      completed_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: { run: 'nightly' },
    });
    expect(created.id).toMatch(/^batch_/);
    expect(created.expires_at).toBe(created.created_at + 24 * 3600);

    const done = await poll(created.id, ended);
    expect(done.status).toBe('completed');
    expect(done.model).toBe('gpt-5-nano');
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
    for (const at of [done.in_progress_at, done.finalizing_at, done.completed_at]) expect(at).toBeGreaterThan(0);
    expect(done.error_file_id).toBeNull();

    const out = await lines(done.output_file_id);
    const a = out.get('a') as {
      id: string;
      response: { status_code: number; request_id: string; body: Row };
      error: null;
    };
    expect(a.id).toMatch(/^batch_req_/);
    expect(a.error).toBeNull();
    expect(a.response.status_code).toBe(200);
    expect(a.response.request_id).toMatch(/^req_/);
    const { id: _i, created: _c, ...sameAsSync } = sync as unknown as Row;
    expect(a.response.body).toMatchObject(JSON.parse(JSON.stringify(sameAsSync)) as Row);
    expect(out.get('b')).toMatchObject({ response: { status_code: 200 } });

    const outFile = await openai.files.retrieve(done.output_file_id ?? '');
    expect(outFile).toMatchObject({ purpose: 'batch_output', filename: `batch_${done.id}_output.jsonl` });

    const batchCalls = apis.calls.filter((c) => c.batch === done.id);
    expect(batchCalls.map((c) => c.prompt).toSorted()).toEqual(['Name a colour', 'Name a fruit']);
    expect(apis.calls.filter((c) => c.batch === undefined)).toHaveLength(1);
    const input = batchCalls.reduce((n, c) => n + c.inputTokens, 0);
    const output = batchCalls.reduce((n, c) => n + c.outputTokens, 0);
    expect(done.usage).toMatchObject({ input_tokens: input, output_tokens: output, total_tokens: input + output });
    expect(input).toBeGreaterThan(0);
  });

  it('runs /v1/responses lines with structured output like the synchronous call', async () => {
    const format = {
      type: 'json_schema' as const,
      name: 'pick',
      strict: true,
      schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false },
    };
    const sync = await openai.responses.create({ model: 'gpt-5-nano', input: 'Pick one', text: { format } });
    const batch = await submit(
      [
        {
          custom_id: 'r',
          method: 'POST',
          url: '/v1/responses',
          body: { model: 'gpt-5-nano', input: 'Pick one', text: { format } },
        },
      ],
      '/v1/responses',
    );
    const done = await poll(batch.id, ended);
    const body = (await lines(done.output_file_id)).get('r') as { response: { body: { output: Row[]; usage: Row } } };
    expect(body.response.body.output.at(-1)).toMatchObject({ content: [{ text: sync.output_text }] });
    expect(body.response.body.usage).toEqual(JSON.parse(JSON.stringify(sync.usage)) as Row);
  });

  it('finish() runs a held batch now and resolves when it has completed', async () => {
    apis.configure({ batchTurnaroundMs: 60_000 });
    const batch = await submit([chatLine('a', 'Hold me')]);
    await new Promise((r) => setTimeout(r, 30));
    expect((await openai.batches.retrieve(batch.id)).status).toBe('in_progress');
    expect(apis.calls).toHaveLength(0);
    await apis.batches.finish(batch.id);
    expect((await openai.batches.retrieve(batch.id)).status).toBe('completed');
  });

  it('lists batches newest first with a cursor', async () => {
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await submit([chatLine('a', `List ${n}`)])).id);
    const first = await openai.batches.list({ limit: 2 });
    expect(first.data.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const next = await openai.batches.list({ limit: 2, after: ids[1] });
    expect(next.data.map((b) => b.id)).toEqual([ids[0]]);
    expect(next.has_more).toBe(false);
  });
});

describe('OpenAI batches: failures, expiry and cancellation', () => {
  it('puts the lines a fault fails in the error file with their status and body (partial failure)', async () => {
    apis.script({ match: 'explode', fault: 'server_error' });
    apis.script({ match: 'throttle', fault: 'rate_limited' });
    const batch = await submit([chatLine('ok', 'Fine'), chatLine('boom', 'explode'), chatLine('slow', 'throttle')]);
    const done = await poll(batch.id, ended);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 3, completed: 1, failed: 2 });
    expect([...(await lines(done.output_file_id)).keys()]).toEqual(['ok']);
    const errors = await lines(done.error_file_id);
    expect(errors.get('boom')).toMatchObject({
      response: { status_code: 500, body: { error: { type: 'server_error' } } },
      error: null,
    });
    expect(errors.get('slow')).toMatchObject({
      response: { status_code: 429, body: { error: { code: 'rate_limit_exceeded', type: 'requests' } } },
      error: null,
    });
    expect(
      apis.calls
        .filter((c) => c.batch === done.id)
        .map((c) => c.status)
        .toSorted(),
    ).toEqual([200, 429, 500]);
  });

  it('expires: answered lines stay in the output file, the rest go to the error file as batch_expired', async () => {
    apis.script({ match: 'dawdle', text: 'late', delayMs: 60_000 });
    const batch = await submit([chatLine('quick', 'Quick one'), chatLine('late', 'dawdle')]);
    await poll(batch.id, (b) => b.request_counts?.completed === 1);
    apis.batches.expire(batch.id);
    const done = await openai.batches.retrieve(batch.id);
    expect(done.status).toBe('expired');
    expect(done.expired_at).toBeGreaterThan(0);
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 0 });
    expect([...(await lines(done.output_file_id)).keys()]).toEqual(['quick']);
    expect((await lines(done.error_file_id)).get('late')).toMatchObject({
      response: null,
      error: {
        code: 'batch_expired',
        message: 'This request could not be executed before the completion window expired.',
      },
    });
    expect(apis.calls.find((c) => c.prompt === 'dawdle')?.aborted).toBe(true);
  });

  it('cancels: cancelling, then cancelled, keeping what finished', async () => {
    apis.script({ match: 'dawdle', text: 'late', delayMs: 60_000 });
    const batch = await submit([chatLine('quick', 'Quick one'), chatLine('late', 'dawdle')]);
    await poll(batch.id, (b) => b.request_counts?.completed === 1);
    const cancelling = await openai.batches.cancel(batch.id);
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).toBeGreaterThan(0);
    const done = await poll(batch.id, ended);
    expect(done.status).toBe('cancelled');
    expect(done.cancelled_at).toBeGreaterThan(0);
    expect([...(await lines(done.output_file_id)).keys()]).toEqual(['quick']);
    expect((await lines(done.error_file_id)).get('late')).toMatchObject({
      response: null,
      error: { code: 'batch_cancelled' },
    });
    await expect(openai.batches.cancel(batch.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('a held batch cancelled before it ran answers nothing', async () => {
    apis.configure({ batchTurnaroundMs: 60_000 });
    const batch = await submit([chatLine('a', 'Never')]);
    await openai.batches.cancel(batch.id);
    const done = await poll(batch.id, ended);
    expect(done).toMatchObject({ status: 'cancelled', output_file_id: null });
    expect(apis.calls).toHaveLength(0);
  });
});

describe('OpenAI batches: validation and refusals', () => {
  it('fails a malformed input file with each bad line reported', async () => {
    const batch = await submit([
      chatLine('a', 'Fine'),
      '{not json',
      chatLine('a', 'Again'),
      { ...chatLine('c', 'Elsewhere'), url: '/v1/responses' },
      chatLine('d', 'Other model', { model: 'gpt-4.1-mini' }),
      { custom_id: 'e', method: 'POST', url: '/v1/chat/completions' },
    ]);
    const done = await poll(batch.id, ended);
    expect(done).toMatchObject({ status: 'failed', output_file_id: null, request_counts: { total: 0 } });
    expect(done.failed_at).toBeGreaterThan(0);
    expect(done.errors?.object).toBe('list');
    expect(done.errors?.data?.map((e) => [e.code, e.line])).toEqual([
      ['invalid_json_line', 2],
      ['duplicate_custom_id', 3],
      ['url_mismatch', 4],
      ['model_mismatch', 5],
      ['missing_required_parameter', 6],
    ]);
    expect(done.errors?.data?.[0]?.message).toBe('This line is not parseable as valid JSON.');
    expect(apis.calls).toHaveLength(0);
  });

  it('fails an empty input file', async () => {
    const done = await poll((await submit([])).id, ended);
    expect(done.errors?.data).toEqual([{ code: 'empty_file', message: expect.any(String), param: null, line: null }]);
  });

  it('refuses a missing file, a wrong endpoint, an unknown batch and a non-JSONL upload', async () => {
    const missing = openai.batches.create({
      input_file_id: 'file-nope',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toMatchObject({ message: expect.stringContaining('No such File object: file-nope') });
    const file = await upload(jsonl([chatLine('a', 'x')]));
    const wrong = openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat' as '/v1/chat/completions',
      completion_window: '24h',
    });
    await expect(wrong).rejects.toBeInstanceOf(BadRequestError);
    await expect(wrong).rejects.toMatchObject({ param: 'endpoint', code: 'invalid_value' });
    await expect(openai.batches.retrieve('batch_nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(upload('{}', 'rows.csv')).rejects.toBeInstanceOf(BadRequestError);
  });

  it('retrieves, serves and deletes files', async () => {
    const file = await upload(jsonl([chatLine('a', 'x')]));
    expect(await openai.files.retrieve(file.id)).toEqual(file);
    expect(await (await openai.files.content(file.id)).text()).toBe(jsonl([chatLine('a', 'x')]));
    expect(await openai.files.delete(file.id)).toEqual({ object: 'file', deleted: true, id: file.id });
    await expect(openai.files.retrieve(file.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('checks the key on every files and batches route', async () => {
    const file = await upload(jsonl([chatLine('a', 'x')]));
    const wrong = new OpenAI({
      apiKey: 'sk-proj-wrongwrongwrong1234',
      baseURL: `${openaiServer.url}/v1`,
      maxRetries: 0,
    });
    const wrongUpload = async () =>
      wrong.files.create({ file: await toFile(Buffer.from('{}'), 'rows.jsonl'), purpose: 'batch' });
    const refused = [
      wrongUpload,
      () => wrong.files.retrieve(file.id),
      () =>
        wrong.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
      () => wrong.batches.list(),
    ];
    for (const call of refused) await expect(call()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(wrongUpload()).rejects.toBeInstanceOf(AuthenticationError);
    expect(apis.calls).toHaveLength(0);
  });

  it('the compatible (Ollama) server has no files or batches: a plain-text 404', async () => {
    await expect(compat.batches.list()).rejects.toMatchObject({ status: 404 });
    await expect(
      compat.files.create({ file: await toFile(Buffer.from('{}'), 'rows.jsonl'), purpose: 'batch' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const raw = await fetch(`${compatServer.url}/v1/batches`, { method: 'POST', body: '{}' });
    expect(raw.status).toBe(404);
    expect(await raw.text()).toBe('404 page not found');
  });
});
