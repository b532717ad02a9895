// Gemini batch mode with inline requests on the emulator, through the real SDK (@google/genai
// 3.1.0) over HTTP: create, get, list, cancel, delete, with answers identical to generateContent's.
import { ApiError, GoogleGenAI } from '@google/genai';
import type { BatchJob, InlinedRequest } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serveHandler as serve, type Served } from '../serve.ts';
import { ModelApis } from './index.ts';

const apis = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
const MODEL = 'gemini-3.8-flash';
let server: Served;
let ai: GoogleGenAI;

beforeAll(async () => {
  server = await serve(
    (q, s) => apis.handleGemini(q, s),
    () => 'https://generativelanguage.googleapis.com',
  );
  ai = new GoogleGenAI({ apiKey: apis.keys.gemini, httpOptions: { baseUrl: server.url } });
});

afterAll(() => server.close());

beforeEach(() => apis.reset());

const ask = (text: string, metadata?: Record<string, string>): InlinedRequest => ({
  contents: [{ role: 'user', parts: [{ text }] }],
  ...(metadata ? { metadata } : {}),
});

async function poll(name: string, until: (b: BatchJob) => boolean): Promise<BatchJob> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const job = await ai.batches.get({ name });
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`batch ${name} stuck in ${job.state}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const ended = (b: BatchJob) =>
  ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED'].includes(b.state ?? '');

/** The REST resource itself, as the SDK received it before mapping it to a BatchJob. */
async function rawOperation(name: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': apis.keys.gemini } });
  return (await res.json()) as Record<string, unknown>;
}

describe('Gemini batches', () => {
  it('queues, runs and succeeds, inlining the same responses generateContent gives', async () => {
    const sync = await ai.models.generateContent({ model: MODEL, contents: 'Name a colour' });
    const created = await ai.batches.create({
      model: MODEL,
      src: [ask('Name a colour', { key: 'colour' }), ask('Name a fruit')],
      config: { displayName: 'nightly' },
    });
    expect(created.name).toMatch(/^batches\/[a-z0-9]{36}$/);
    expect(created).toMatchObject({ displayName: 'nightly', state: 'JOB_STATE_PENDING', model: `models/${MODEL}` });
    expect(created.dest).toBeUndefined();

    const done = await poll(created.name ?? '', ended);
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    expect(Date.parse(done.endTime ?? '')).toBeGreaterThanOrEqual(Date.parse(done.createTime ?? ''));
    const [colour, fruit] = done.dest?.inlinedResponses ?? [];
    expect(colour?.metadata).toEqual({ key: 'colour' });
    expect(colour?.response?.candidates?.[0]?.content?.parts?.[0]?.text).toBe(sync.text);
    expect(colour?.response?.usageMetadata).toEqual(sync.usageMetadata);
    expect(fruit?.response?.candidates?.[0]?.finishReason).toBe('STOP');

    const op = await rawOperation(created.name ?? '');
    expect(op).toMatchObject({
      name: created.name,
      done: true,
      metadata: {
        '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch',
        state: 'BATCH_STATE_SUCCEEDED',
        batchStats: { requestCount: '2', successfulRequestCount: '2' },
      },
      response: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput' },
    });
    expect((op.response as Record<string, unknown>).inlinedResponses).toEqual(
      (op.metadata as { output: Record<string, unknown> }).output.inlinedResponses,
    );
    expect(apis.calls.filter((c) => c.batch === created.name).map((c) => c.prompt)).toEqual([
      'Name a colour',
      'Name a fruit',
    ]);
  });

  it('honours each request config (structured output) like a direct call', async () => {
    const config = {
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
    };
    const sync = await ai.models.generateContent({ model: MODEL, contents: 'Pick', config });
    const job = await ai.batches.create({ model: MODEL, src: [{ contents: 'Pick', config }] });
    const done = await poll(job.name ?? '', ended);
    expect(done.dest?.inlinedResponses?.[0]?.response?.candidates?.[0]?.content?.parts?.[0]?.text).toBe(sync.text);
    expect(apis.calls.find((c) => c.batch === job.name)?.schema).toEqual(config.responseJsonSchema);
  });

  it('reports a failed request as its google.rpc.Status, in place (partial failure)', async () => {
    apis.script({ provider: 'gemini', match: 'throttle', fault: 'rate_limited' });
    const job = await ai.batches.create({ model: MODEL, src: [ask('Fine'), ask('throttle'), ask('Also fine')] });
    const done = await poll(job.name ?? '', ended);
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    const [a, b, c] = done.dest?.inlinedResponses ?? [];
    expect(a?.response).toBeDefined();
    expect(b?.response).toBeUndefined();
    expect(b?.error).toMatchObject({ code: 8, message: expect.stringContaining('You exceeded your current quota') });
    expect(c?.response).toBeDefined();
    expect(((await rawOperation(job.name ?? '')).metadata as { batchStats: unknown }).batchStats).toEqual({
      requestCount: '3',
      successfulRequestCount: '2',
      failedRequestCount: '1',
    });
  });

  it('expires: answered requests are kept, the others carry an error', async () => {
    apis.script({ provider: 'gemini', match: 'dawdle', text: 'late', delayMs: 60_000 });
    const job = await ai.batches.create({ model: MODEL, src: [ask('Quick'), ask('dawdle')] });
    const name = job.name ?? '';
    const deadline = Date.now() + 3000;
    while (apis.calls.find((c) => c.prompt === 'Quick')?.status !== 200 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    apis.batches.expire(name);
    const done = await ai.batches.get({ name });
    expect(done.state).toBe('JOB_STATE_EXPIRED');
    const [quick, late] = done.dest?.inlinedResponses ?? [];
    expect(quick?.response?.candidates?.[0]?.content?.parts?.[0]?.text).toMatch(/^Answer: /);
    expect(late?.error).toMatchObject({ code: 4 });
    expect(apis.calls.find((c) => c.prompt === 'dawdle')?.aborted).toBe(true);
  });

  it('cancels a held job before it runs', async () => {
    apis.configure({ batchTurnaroundMs: 60_000 });
    const job = await ai.batches.create({ model: MODEL, src: [ask('Never')] });
    expect((await ai.batches.get({ name: job.name ?? '' })).state).toBe('JOB_STATE_RUNNING');
    await ai.batches.cancel({ name: job.name ?? '' });
    const done = await poll(job.name ?? '', ended);
    expect(done.state).toBe('JOB_STATE_CANCELLED');
    expect(apis.calls).toHaveLength(0);
  });

  it('finish() runs a held job now', async () => {
    apis.configure({ batchTurnaroundMs: 60_000 });
    const job = await ai.batches.create({ model: MODEL, src: [ask('Hold')] });
    await apis.batches.finish(job.name ?? '');
    expect((await ai.batches.get({ name: job.name ?? '' })).state).toBe('JOB_STATE_SUCCEEDED');
  });

  it('lists jobs newest first in pages, and deletes them', async () => {
    const names = [];
    for (const n of [1, 2, 3]) names.push((await ai.batches.create({ model: MODEL, src: [ask(`List ${n}`)] })).name);
    const pager = await ai.batches.list({ config: { pageSize: 2 } });
    expect(pager.page.map((j) => j.name)).toEqual([names[2], names[1]]);
    const listed = [];
    for await (const j of pager) listed.push(j.name);
    expect(listed).toEqual([names[2], names[1], names[0]]);
    await ai.batches.delete({ name: names[0] ?? '' });
    await expect(ai.batches.get({ name: names[0] ?? '' })).rejects.toMatchObject({ status: 404 });
  });

  // @google/genai 3.x calls API version v1 unless told otherwise, batches included.
  it('refuses an inline batch over 20 MB, an unknown model and a wrong key as Google does', async () => {
    const big = ai.batches.create({ model: MODEL, src: [ask('x'.repeat(21 * 1024 * 1024))] });
    await expect(big).rejects.toBeInstanceOf(ApiError);
    await expect(big).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Request payload size exceeds the limit: 20971520 bytes.'),
    });
    await expect(ai.batches.create({ model: 'gemini-nope', src: [ask('x')] })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining(
        'models/gemini-nope is not found for API version v1, or is not supported for batchGenerateContent',
      ),
    });
    const wrong = new GoogleGenAI({ apiKey: 'AIzaSyWrong', httpOptions: { baseUrl: server.url } });
    await expect(wrong.batches.create({ model: MODEL, src: [ask('x')] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('API key not valid'),
    });
    await expect(wrong.batches.list()).rejects.toMatchObject({ status: 400 });
    expect(apis.calls).toHaveLength(0);
  });
});
