// The model emulators, exercised through the real SDKs (openai 7.57.0, @google/genai 3.1.0)
// over real HTTP on 127.0.0.1, exactly as the extension will call them.
import { ApiError, GoogleGenAI, Type } from '@google/genai';
import OpenAI, {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleControl, type ControlledSandbox } from '../control.ts';
import { serveHandler as serve, type Served as Running } from '../serve.ts';
import { ModelApis } from './index.ts';

/** The emulators' token rule, restated independently: ceil(code points / 4). */
const tokens = (text: string) => Math.ceil(Array.from(text).length / 4);

const apis = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
let openaiServer: Running;
let geminiServer: Running;
let compatServer: Running;
let openai: OpenAI;
let gemini: GoogleGenAI;
let compat: OpenAI;
let compatBase: string;

beforeAll(async () => {
  openaiServer = await serve(
    (q, s) => apis.handleOpenAI(q, s),
    () => 'https://api.openai.com',
  );
  geminiServer = await serve(
    (q, s) => apis.handleGemini(q, s),
    () => 'https://generativelanguage.googleapis.com',
  );
  compatServer = await serve(
    (q, s) => apis.handleCompatible(q, s),
    (port) => `http://127.0.0.1:${port}`,
  );
  openai = new OpenAI({ apiKey: apis.keys.openai, baseURL: `http://127.0.0.1:${openaiServer.port}/v1`, maxRetries: 0 });
  gemini = new GoogleGenAI({
    apiKey: apis.keys.gemini,
    httpOptions: { baseUrl: `http://127.0.0.1:${geminiServer.port}` },
  });
  compatBase = `http://127.0.0.1:${compatServer.port}`;
  compat = new OpenAI({ apiKey: 'ollama', baseURL: `${compatBase}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([openaiServer.close(), geminiServer.close(), compatServer.close()]);
});

beforeEach(() => {
  apis.reset();
  apis.configure({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
});

/** Minimal JSON Schema check for the keywords these tests use, independent of the generator. */
function conforms(schema: Record<string, unknown>, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const type = typeof schema.type === 'string' ? schema.type.toLowerCase() : undefined;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: not in enum`);
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not an object`];
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in value)) errors.push(`${path}.${key}: missing`);
    for (const [key, v] of Object.entries(value)) {
      const sub = props[key];
      if (!sub) {
        if (schema.additionalProperties === false) errors.push(`${path}.${key}: not allowed`);
      } else errors.push(...conforms(sub, v, `${path}.${key}`));
    }
  } else if (type === 'array') {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${path}: too few items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${path}: too many items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      errors.push(`${path}: duplicates`);
    value.forEach((v, i) =>
      errors.push(...conforms((schema.items ?? {}) as Record<string, unknown>, v, `${path}[${i}]`)),
    );
  } else if (type === 'string') {
    if (typeof value !== 'string') return [`${path}: not a string`];
    if (schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) errors.push(`${path}: not a date`);
    if (schema.format === 'email' && !/^[^@\s]+@[^@\s]+\.[a-z]+$/.test(value)) errors.push(`${path}: not an email`);
    if (schema.format === 'uri' && !URL.canParse(value)) errors.push(`${path}: not a uri`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) errors.push(`${path}: too long`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${path}: too short`);
  } else if (type === 'integer' || type === 'number') {
    if (typeof value !== 'number' || (type === 'integer' && !Number.isInteger(value)))
      return [`${path}: not a ${type}`];
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above maximum`);
  } else if (type === 'boolean' && typeof value !== 'boolean') errors.push(`${path}: not a boolean`);
  return errors;
}

const ROW_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'status', 'due', 'owner', 'estimate', 'tags', 'done', 'link'],
  properties: {
    title: { type: 'string', maxLength: 40 },
    status: { type: 'string', enum: ['Not started', 'In progress', 'Done'] },
    due: { type: 'string', format: 'date' },
    owner: { type: 'string', format: 'email' },
    estimate: { type: 'integer', minimum: 1, maximum: 8 },
    tags: {
      type: 'array',
      items: { type: 'string', enum: ['a', 'b', 'c'] },
      minItems: 1,
      maxItems: 3,
      uniqueItems: true,
    },
    done: { type: 'boolean' },
    link: { type: 'string', format: 'uri' },
  },
} as const;

describe('OpenAI chat completions', () => {
  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'Write a haiku about tea\nin three lines' },
  ];
  const inputText = 'You are terse.\nWrite a haiku about tea\nin three lines';

  it('streams text in several chunks and reports usage in a final choices:[] chunk', async () => {
    apis.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 2000 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-5.5-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        text += delta;
        contentChunks++;
      }
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) {
        expect(chunk.choices).toEqual([]);
        usage = chunk.usage;
      }
    }
    expect(text).toBe('Answer: Write a haiku about tea');
    expect(contentChunks).toBeGreaterThan(1);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({
      prompt_tokens: tokens(inputText),
      completion_tokens: tokens(text),
      total_tokens: tokens(inputText) + tokens(text),
    });
    expect(apis.calls).toHaveLength(1);
    expect(apis.calls[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-5.5-mini',
      stream: true,
      status: 200,
      inputTokens: tokens(inputText),
      outputTokens: tokens(text),
    });
    expect(apis.calls[0]?.prompt).toBe('You are terse.\n\nWrite a haiku about tea\nin three lines');
  });

  it('streams without a usage chunk when include_usage is not asked for', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it('answers non-streamed requests with usage and request headers', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Answer: Write a haiku about tea' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.prompt_tokens).toBe(tokens(inputText));
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(apis.calls[0]).toMatchObject({ stream: false, status: 200 });
  });

  it('truncates at max_completion_tokens with finish_reason length, and rejects max_tokens on gpt-5 models', async () => {
    apis.script({ text: 'one two three four five six seven eight nine ten' });
    const r = await openai.chat.completions.create({ model: 'gpt-5.5', messages, max_completion_tokens: 3 });
    expect(r.choices[0]?.message.content).toBe('one two thre');
    expect(r.choices[0]?.finish_reason).toBe('length');
    expect(r.usage?.completion_tokens).toBe(3);
    const err = await openai.chat.completions
      .create({ model: 'gpt-5.5', messages, max_tokens: 3 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).code).toBe('unsupported_parameter');
    // Older models still honour max_tokens.
    const old = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages, max_tokens: 2 });
    expect(old.choices[0]?.finish_reason).toBe('length');
  });

  it('returns JSON that conforms to a strict json_schema, deterministically', async () => {
    const ask = () =>
      openai.chat.completions.create({
        model: 'gpt-5.5-mini',
        messages: [{ role: 'user', content: 'Plan the launch party' }],
        response_format: { type: 'json_schema', json_schema: { name: 'row', strict: true, schema: ROW_SCHEMA } },
      });
    const first = await ask();
    const value: unknown = JSON.parse(first.choices[0]?.message.content ?? '');
    expect(conforms(ROW_SCHEMA, value)).toEqual([]);
    expect(value).toMatchObject({ due: '2026-01-15' });
    const second = await ask();
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect(apis.calls[0]?.schema).toEqual(ROW_SCHEMA);
  });

  it('rejects a strict schema the real service would reject, and JSON mode without the word json', async () => {
    const loose = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    const err = await openai.chat.completions
      .create({
        model: 'gpt-5.5',
        messages,
        response_format: { type: 'json_schema', json_schema: { name: 'loose', strict: true, schema: loose } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toContain(
      "Invalid schema for response_format 'loose': In context=(), 'additionalProperties' is required to be supplied and to be false.",
    );
    const jsonMode = await openai.chat.completions
      .create({ model: 'gpt-5.5', messages, response_format: { type: 'json_object' } })
      .catch((e: unknown) => e);
    expect(jsonMode).toBeInstanceOf(BadRequestError);
    const ok = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Reply in JSON: plan the party' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(ok.choices[0]?.message.content ?? '')).toEqual({
      answer: 'Answer: Reply in JSON: plan the party',
    });
  });

  it('pseudo-translates deterministically', async () => {
    const r = await openai.chat.completions.create({
      model: 'gpt-5-nano',
      messages: [
        { role: 'system', content: 'Translate the topic to Japanese. Reply with the translation only.' },
        { role: 'user', content: 'Topic: Quarterly planning' },
      ],
    });
    expect(r.choices[0]?.message.content).toBe('「Quarterly planning」(ja)');
  });

  it('lists and retrieves models, and 404s an unknown one', async () => {
    const ids = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-5.5', 'gpt-5.5-mini', 'gpt-5-nano', 'gpt-4.1-mini']));
    expect(await openai.models.retrieve('gpt-5.5')).toMatchObject({ id: 'gpt-5.5', object: 'model' });
    const err = await openai.models.retrieve('gpt-99').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it('rejects a wrong key with the real 401 wording, masking the key', async () => {
    const bad = new OpenAI({
      apiKey: 'sk-proj-wrongwrongwrongabcd',
      baseURL: `http://127.0.0.1:${openaiServer.port}/v1`,
      maxRetries: 0,
    });
    const err = await bad.chat.completions.create({ model: 'gpt-5.5', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    const e = err as AuthenticationError;
    expect(e.status).toBe(401);
    expect(e.code).toBe('invalid_api_key');
    expect(e.error).toEqual({
      message:
        'Incorrect API key provided: sk-proj-***************abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
    expect(apis.calls[0]).toMatchObject({ status: 401, inputTokens: 0, outputTokens: 0 });
  });

  it('rate-limits with retry-after and x-ratelimit headers, then recovers when the rule is used up', async () => {
    apis.script({ provider: 'openai', fault: 'rate_limited', times: 1 });
    const err = await openai.chat.completions.create({ model: 'gpt-5.5', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers?.get('retry-after')).toBe('1');
    expect(e.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    const ok = await openai.chat.completions.create({ model: 'gpt-5.5', messages });
    expect(ok.choices[0]?.message.content).toBe('Answer: Write a haiku about tea');
  });

  it('shapes the other faults like the real service', async () => {
    const cases = [
      ['quota_exhausted', RateLimitError, 'insufficient_quota'],
      ['server_error', InternalServerError, null],
      ['overloaded', InternalServerError, null],
      ['model_not_found', NotFoundError, 'model_not_found'],
      ['context_length', BadRequestError, 'context_length_exceeded'],
      ['prompt_blocked', BadRequestError, 'invalid_prompt'],
      ['unauthorized', AuthenticationError, null],
    ] as const;
    for (const [fault, type, code] of cases) {
      apis.script({ fault, times: 1 });
      const err = await openai.chat.completions.create({ model: 'gpt-5.5', messages }).catch((e: unknown) => e);
      expect(err, fault).toBeInstanceOf(type);
      expect(err, fault).toBeInstanceOf(APIError);
      expect((err as APIError).code, fault).toBe(code);
    }
    expect(apis.calls.map((c) => c.status)).toEqual([429, 500, 503, 404, 400, 400, 401]);
  });

  it('answers a safety fault with finish_reason content_filter and drops connections', async () => {
    apis.script({ fault: 'safety', times: 1 });
    const r = await openai.chat.completions.create({ model: 'gpt-5.5', messages });
    expect(r.choices[0]?.finish_reason).toBe('content_filter');
    expect(r.choices[0]?.message.content).toBeNull();
    apis.script({ fault: 'drop', times: 1 });
    const err = await openai.chat.completions.create({ model: 'gpt-5.5', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(apis.calls[1]?.status).toBe(0);
  });

  it('404s unknown models and routes as the service words them', async () => {
    const err = await openai.chat.completions.create({ model: 'gpt-nope', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain('The model `gpt-nope` does not exist or you do not have access to it.');
    const res = await fetch(`http://127.0.0.1:${openaiServer.port}/v1/nothing`, {
      headers: { authorization: `Bearer ${apis.keys.openai}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: 'Invalid URL (GET /v1/nothing)' } });
  });

  it('stops streaming when the client aborts mid-stream', async () => {
    const long = 'word '.repeat(400);
    apis.script({ text: long });
    apis.configure({ timeToFirstTokenMs: 0, tokensPerSecond: 100 }); // ~5 s for the whole answer
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: 'gpt-5.5', messages, stream: true, stream_options: { include_usage: true } },
      { signal: controller.signal },
    );
    let received = '';
    const started = Date.now();
    // openai 7.x ends the iteration quietly when the caller aborts.
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta?.content ?? '';
      if (received.length >= 24) controller.abort();
    }
    expect(received.length).toBeLessThan(long.length);
    await vi.waitFor(() => expect(apis.calls[0]?.aborted).toBe(true));
    expect(Date.now() - started).toBeLessThan(2000);
    const call = apis.calls[0];
    expect(call?.outputTokens).toBeGreaterThan(0);
    expect(call?.outputTokens).toBeLessThan(tokens(long) / 2);
    // No more writes after the abort: the count stays put.
    const atAbort = call?.outputTokens;
    await new Promise((r) => setTimeout(r, 200));
    expect(apis.calls[0]?.outputTokens).toBe(atAbort);
  });

  it('paces the stream by time to first token and tokens per second', async () => {
    apis.configure({ timeToFirstTokenMs: 150, tokensPerSecond: 60 });
    apis.script({ text: 'x'.repeat(48) }); // 12 tokens = 4 chunks of 3 tokens, 50 ms apart
    const started = Date.now();
    const stream = await openai.chat.completions.create({ model: 'gpt-5.5', messages, stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) arrivals.push(Date.now() - started);
    expect(arrivals).toHaveLength(4);
    expect(arrivals[0]).toBeGreaterThanOrEqual(140);
    expect((arrivals[3] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(130);
  });
});

describe('OpenAI Responses API', () => {
  it('answers non-streamed with output_text and usage', async () => {
    const r = await openai.responses.create({ model: 'gpt-5.5', instructions: 'Be brief.', input: 'Name three teas' });
    expect(r.output_text).toBe('Answer: Name three teas');
    expect(r.usage).toMatchObject({
      input_tokens: tokens('Be brief.\nName three teas'),
      output_tokens: tokens('Answer: Name three teas'),
    });
  });

  it('streams deltas and ends with response.completed', async () => {
    const stream = await openai.responses.create({
      model: 'gpt-5.5',
      input: [{ role: 'user', content: 'Plan the launch party' }],
      text: { format: { type: 'json_schema', name: 'row', strict: true, schema: ROW_SCHEMA } },
      stream: true,
    });
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(conforms(ROW_SCHEMA, JSON.parse(text))).toEqual([]);
    expect(completed?.usage?.output_tokens).toBe(tokens(text));
    expect(apis.calls[0]).toMatchObject({ stream: true, status: 200, outputTokens: tokens(text) });
  });
});

describe('Gemini', () => {
  it('streams text with usageMetadata and finishReason STOP', async () => {
    apis.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 2000 });
    const stream = await gemini.models.generateContentStream({
      model: 'gemini-3.8-flash',
      contents: 'Summarise the meeting notes\nfor the team',
      config: { systemInstruction: 'You write summaries.' },
    });
    let text = '';
    let chunks = 0;
    let last: Awaited<ReturnType<typeof gemini.models.generateContent>> | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      chunks++;
      last = chunk;
    }
    const input = 'You write summaries.\nSummarise the meeting notes\nfor the team';
    expect(text).toBe('Answer: Summarise the meeting notes');
    expect(chunks).toBeGreaterThan(1);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata).toMatchObject({
      promptTokenCount: tokens(input),
      candidatesTokenCount: tokens(text),
      totalTokenCount: tokens(input) + tokens(text),
    });
    expect(apis.calls[0]).toMatchObject({
      provider: 'gemini',
      model: 'gemini-3.8-flash',
      stream: true,
      status: 200,
      inputTokens: tokens(input),
      outputTokens: tokens(text),
    });
  });

  it('answers non-streamed requests and honours maxOutputTokens', async () => {
    const r = await gemini.models.generateContent({ model: 'gemini-3.5-flash-lite', contents: 'Hello there' });
    expect(r.text).toBe('Answer: Hello there');
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    const cut = await gemini.models.generateContent({
      model: 'gemini-3.5-flash-lite',
      contents: 'Hello there',
      config: { maxOutputTokens: 2 },
    });
    expect(cut.text).toBe('Answer: ');
    expect(cut.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
  });

  it('returns JSON conforming to responseJsonSchema', async () => {
    const r = await gemini.models.generateContent({
      model: 'gemini-3.8-flash',
      contents: 'Plan the launch party',
      config: { responseMimeType: 'application/json', responseJsonSchema: ROW_SCHEMA },
    });
    const value: unknown = JSON.parse(r.text ?? '');
    expect(conforms(ROW_SCHEMA, value)).toEqual([]);
    expect(Object.keys(value as object)).toEqual(Object.keys(ROW_SCHEMA.properties));
    expect(apis.calls[0]?.schema).toEqual(ROW_SCHEMA);
  });

  it('returns JSON conforming to an OpenAPI responseSchema (UPPERCASE types, alphabetical keys)', async () => {
    const schema = {
      type: Type.OBJECT,
      properties: {
        summary: { type: Type.STRING },
        priority: { type: Type.STRING, enum: ['low', 'high'] },
        score: { type: Type.NUMBER, minimum: 0, maximum: 1 },
        items: { type: Type.ARRAY, items: { type: Type.INTEGER, minimum: 1, maximum: 5 } },
      },
      required: ['summary', 'priority', 'score', 'items'],
    };
    const r = await gemini.models.generateContent({
      model: 'gemini-3.8-flash',
      contents: 'Triage the bug',
      config: { responseMimeType: 'application/json', responseSchema: schema },
    });
    const value = JSON.parse(r.text ?? '') as Record<string, unknown>;
    expect(conforms(schema, value)).toEqual([]);
    expect(Object.keys(value)).toEqual(['items', 'priority', 'score', 'summary']);
  });

  it('serves scripted text and json, honouring provider, match and times', async () => {
    apis.script({ provider: 'gemini', match: /launch/i, json: { status: 'Done', n: 3 }, times: 1 });
    apis.script({ provider: 'openai', match: 'launch', text: 'not for gemini' });
    apis.script({ provider: 'gemini', match: 'launch', text: 'second time' });
    const first = await gemini.models.generateContent({ model: 'gemini-3.8-flash', contents: 'Plan the LAUNCH' });
    expect(first.text).toBe('{"status":"Done","n":3}');
    const second = await gemini.models.generateContent({ model: 'gemini-3.8-flash', contents: 'Plan the launch' });
    expect(second.text).toBe('second time');
    const openaiAnswer = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'launch it' }],
    });
    expect(openaiAnswer.choices[0]?.message.content).toBe('not for gemini');
  });

  it('lists models with supportedGenerationMethods and gets one', async () => {
    const pager = await gemini.models.list();
    const names: string[] = [];
    for await (const m of pager) {
      names.push(m.name ?? '');
      expect(m.supportedActions ?? []).toBeInstanceOf(Array);
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'models/gemini-3.8-flash',
        'models/gemini-3.5-flash-lite',
        'models/gemini-3.1-pro-preview',
      ]),
    );
    const raw = await fetch(`http://127.0.0.1:${geminiServer.port}/v1beta/models?key=${apis.keys.gemini}`).then(
      (r) => r.json() as Promise<{ models: Array<{ name: string; supportedGenerationMethods: string[] }> }>,
    );
    expect(raw.models.find((m) => m.name === 'models/gemini-3.8-flash')?.supportedGenerationMethods).toContain(
      'generateContent',
    );
    const one = await gemini.models.get({ model: 'gemini-3.1-pro-preview' });
    expect(one.displayName).toBe('Gemini 3.1 Pro Preview');
  });

  it('rejects an invalid key with 400 API_KEY_INVALID', async () => {
    const bad = new GoogleGenAI({
      apiKey: 'AIzaSyWRONG',
      httpOptions: { baseUrl: `http://127.0.0.1:${geminiServer.port}` },
    });
    const err = await bad.models
      .generateContent({ model: 'gemini-3.8-flash', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain('API_KEY_INVALID');
    expect(JSON.parse((err as ApiError).message)).toMatchObject({
      error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' },
    });
  });

  it('rate-limits with 429 RESOURCE_EXHAUSTED and a RetryInfo of 7s', async () => {
    apis.script({ provider: 'gemini', fault: 'rate_limited', times: 1 });
    const err = await gemini.models
      .generateContent({ model: 'gemini-3.8-flash', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    const body = JSON.parse((err as ApiError).message) as {
      error: { status: string; details: Array<Record<string, unknown>> };
    };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.details).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '7s',
    });
  });

  it('maps the server-side faults to Google statuses', async () => {
    const cases = [
      ['quota_exhausted', 429, 'RESOURCE_EXHAUSTED'],
      ['server_error', 500, 'INTERNAL'],
      ['overloaded', 503, 'UNAVAILABLE'],
      ['unauthorized', 403, 'PERMISSION_DENIED'],
      ['model_not_found', 404, 'NOT_FOUND'],
      ['context_length', 400, 'INVALID_ARGUMENT'],
    ] as const;
    for (const [fault, status, googleStatus] of cases) {
      apis.script({ fault, times: 1 });
      const err = await gemini.models
        .generateContent({ model: 'gemini-3.8-flash', contents: 'hi' })
        .catch((e: unknown) => e);
      expect(err, fault).toBeInstanceOf(ApiError);
      expect((err as ApiError).status, fault).toBe(status);
      expect((err as ApiError).message, fault).toContain(googleStatus);
    }
  });

  it('blocks an answer for SAFETY (no text) and a prompt (no candidates), streamed or not', async () => {
    apis.script({ fault: 'safety', times: 2 });
    const r = await gemini.models.generateContent({ model: 'gemini-3.8-flash', contents: 'something risky' });
    expect(r.candidates?.[0]?.finishReason).toBe('SAFETY');
    expect(r.candidates?.[0]?.safetyRatings?.some((s) => s.blocked)).toBe(true);
    expect(r.text).toBeUndefined();
    const chunks = [];
    for await (const c of await gemini.models.generateContentStream({
      model: 'gemini-3.8-flash',
      contents: 'something risky',
    }))
      chunks.push(c);
    expect(chunks.map((c) => c.candidates?.[0]?.finishReason)).toEqual(['SAFETY']);

    apis.script({ fault: 'prompt_blocked', times: 1 });
    const blocked = await gemini.models.generateContent({ model: 'gemini-3.8-flash', contents: 'something worse' });
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY');
    expect(blocked.candidates).toBeUndefined();
    expect(blocked.usageMetadata?.promptTokenCount).toBe(tokens('something worse'));
  });

  it('404s an unknown model with the real wording, and unknown routes with the HTML page', async () => {
    const err = await gemini.models
      .generateContent({ model: 'gemini-9-ultra', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    // @google/genai 3.x calls API version v1 unless told otherwise.
    expect((err as ApiError).message).toContain(
      'models/gemini-9-ultra is not found for API version v1, or is not supported for generateContent.',
    );
    const beta = new GoogleGenAI({
      apiKey: apis.keys.gemini,
      httpOptions: { baseUrl: `http://127.0.0.1:${geminiServer.port}`, apiVersion: 'v1beta' },
    });
    const betaErr = await beta.models
      .generateContent({ model: 'gemini-9-ultra', contents: 'hi' })
      .catch((e: unknown) => e);
    expect((betaErr as ApiError).message).toContain(
      'models/gemini-9-ultra is not found for API version v1beta, or is not supported for generateContent.',
    );
    const page = await fetch(`http://127.0.0.1:${geminiServer.port}/v1beta/nothing`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('stops streaming when the client aborts mid-stream', async () => {
    apis.script({ text: 'word '.repeat(400) });
    apis.configure({ timeToFirstTokenMs: 0, tokensPerSecond: 100 });
    const controller = new AbortController();
    const stream = await gemini.models.generateContentStream({
      model: 'gemini-3.8-flash',
      contents: 'long one',
      config: { abortSignal: controller.signal },
    });
    await expect(
      (async () => {
        let n = 0;
        for await (const chunk of stream) if (chunk && ++n === 2) controller.abort();
      })(),
    ).rejects.toThrow();
    await vi.waitFor(() => expect(apis.calls[0]?.aborted).toBe(true));
    expect(apis.calls[0]?.outputTokens).toBeLessThan(tokens('word '.repeat(400)) / 2);
  });

  it('counts tokens', async () => {
    const r = await gemini.models.countTokens({ model: 'gemini-3.8-flash', contents: 'Count these words please' });
    expect(r.totalTokens).toBe(tokens('Count these words please'));
  });
});

describe('OpenAI-compatible local server (Ollama)', () => {
  it('serves chat with any key, streamed with usage, from its own model list', async () => {
    const ids = [];
    for await (const m of compat.models.list()) ids.push(m.id);
    expect(ids).toContain('llama3.2:latest');
    const stream = await compat.chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi local' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      usage = c.usage ?? usage;
    }
    expect(text).toBe('Answer: Hi local');
    expect(usage?.completion_tokens).toBe(tokens(text));
    expect(apis.calls[0]).toMatchObject({ provider: 'compatible', model: 'llama3.2' });
  });

  it("404s a model that isn't pulled, Ollama-style", async () => {
    const err = await compat.chat.completions
      .create({ model: 'mistral', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain('model "mistral" not found, try pulling it first');
  });

  it('answers CORS preflights by echoing the requested headers and the origin', async () => {
    const origin = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const pre = await fetch(`${compatBase}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-stainless-os',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-stainless-os');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const post = await fetch(`${compatBase}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('rejects extension origins with an empty 403 when configured like a default Ollama', async () => {
    apis.configure({ ollamaRejectExtensionOrigins: true });
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }] }),
    };
    const rejected = await fetch(`${compatBase}/v1/chat/completions`, {
      ...init,
      headers: { ...init.headers, origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' },
    });
    expect(rejected.status).toBe(403);
    expect(await rejected.text()).toBe('');
    const local = await fetch(`${compatBase}/v1/chat/completions`, {
      ...init,
      headers: { ...init.headers, origin: 'http://localhost:3000' },
    });
    expect(local.status).toBe(200);
    const pre = await fetch(`${compatBase}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
        'access-control-request-method': 'POST',
      },
    });
    expect(pre.status).toBe(403);
  });

  it("says it is running and 404s unknown routes in Go's plain text", async () => {
    expect(await fetch(`${compatBase}/`).then((r) => r.text())).toBe('Ollama is running');
    const miss = await fetch(`${compatBase}/v1/nothing`);
    expect(miss.status).toBe(404);
    expect(await miss.text()).toBe('404 page not found');
  });
});

/** The pages the web search tests script as a search's sources. */
const sources = [
  { url: 'https://tea.example/sencha', title: 'Sencha, a guide' },
  { url: 'https://www.leaves.example/matcha#grades', title: 'Matcha grades' },
];

/** The url_citation annotations of a response's message. */
function citationsOf(response: OpenAI.Responses.Response): OpenAI.Responses.ResponseOutputText.URLCitation[] {
  return response.output.flatMap((item) =>
    item.type === 'message'
      ? item.content.flatMap((part) =>
          part.type === 'output_text' ? part.annotations.flatMap((a) => (a.type === 'url_citation' ? [a] : [])) : [],
        )
      : [],
  );
}

const urlsAndTitles = (response: OpenAI.Responses.Response) =>
  citationsOf(response).map(({ url, title }) => ({ url, title }));

const searchWithOpenAI = (input: string) =>
  openai.responses.create({ model: 'gpt-5.5-mini', input, tools: [{ type: 'web_search' }] });

const groundWithGemini = (contents: string) =>
  gemini.models.generateContent({
    model: 'gemini-3.5-flash-lite',
    contents,
    config: { tools: [{ googleSearch: {} }] },
  });

/** The string values of a ROW_SCHEMA row (tags spread), in the order its JSON text has them. */
const stringValues = (row: Record<string, unknown>) =>
  Object.values(row)
    .flat()
    .filter((v): v is string => typeof v === 'string');

/** The links Gemini cites a prompt's default pages by. */
const redirectsFor = (prompt: string) => apis.defaultSourcesFor(prompt).map((s) => apis.groundingRedirectFor(s.url));

/** The answer's text between a grounding segment's offsets, which count UTF-8 bytes. */
const bytesOf = (text: string, segment: { startIndex?: number; endIndex?: number } | undefined) =>
  Buffer.from(text)
    .subarray(segment?.startIndex ?? 0, segment?.endIndex)
    .toString();

describe('Web search: OpenAI web_search tool', () => {
  it('streams the search as a web_search_call item, then the answer with url_citation annotations', async () => {
    apis.script({ match: 'teas', sources });
    const stream = await openai.responses.create({
      model: 'gpt-5.5',
      input: 'Compare Japanese green teas',
      tools: [{ type: 'web_search' }],
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 9)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.web_search_call.in_progress',
      'response.web_search_call.searching',
      'response.web_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-6)).toEqual([
      'response.output_text.annotation.added',
      'response.output_text.annotation.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));

    const text = 'Answer: Compare Japanese green teas';
    const last = events.at(-1);
    const response = last?.type === 'response.completed' ? last.response : undefined;
    const [searchCall, message] = response?.output ?? [];
    expect(searchCall).toMatchObject({
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: 'Compare Japanese green teas' },
    });
    expect(searchCall?.id).toMatch(/^ws_/);
    expect(searchCall).not.toHaveProperty('action.sources');
    expect(message).toMatchObject({ type: 'message', status: 'completed' });
    const annotations = response ? citationsOf(response) : [];
    expect(annotations).toEqual([
      {
        type: 'url_citation',
        start_index: 0,
        end_index: 'Answer: Compare Japanese '.length,
        url: 'https://tea.example/sencha?utm_source=openai',
        title: 'Sencha, a guide',
      },
      {
        type: 'url_citation',
        start_index: 'Answer: Compare Japanese '.length,
        end_index: text.length,
        url: 'https://www.leaves.example/matcha?utm_source=openai#grades',
        title: 'Matcha grades',
      },
    ]);
    const added = events.flatMap((e) => (e.type === 'response.output_text.annotation.added' ? [e] : []));
    expect(added.map((e) => e.annotation)).toEqual(annotations);
    expect(added.map((e) => [e.item_id, e.output_index, e.content_index, e.annotation_index])).toEqual([
      [message?.id, 1, 0, 0],
      [message?.id, 1, 0, 1],
    ]);
    expect(
      events
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta)
        .join(''),
    ).toBe(text);
    expect(apis.calls[0]).toMatchObject({ tools: ['web_search'], searches: 1, status: 200 });
    expect(apis.usageTotals().openai?.searches).toBe(1);
  });

  it('answers non-streamed with the same output, citing default pages derived from the prompt', async () => {
    const first = await searchWithOpenAI('Plan the launch party');
    const again = await searchWithOpenAI('Plan the launch party');
    const other = await searchWithOpenAI('Book the venue');
    expect(first.output.map((item) => item.type)).toEqual(['web_search_call', 'message']);
    expect(first.output_text).toBe('Answer: Plan the launch party');
    const hash = createHash('sha256').update('Plan the launch party').digest('hex').slice(0, 8);
    expect(apis.defaultSourcesFor('Plan the launch party')).toEqual([
      {
        url: `https://encyclopedia.example/wiki/plan-the-launch-party-${hash}`,
        title: 'Plan the launch party - Encyclopedia',
      },
      { url: `https://news.example/articles/plan-the-launch-party-${hash}`, title: 'Plan the launch party | News' },
    ]);
    const citedDefaults = (prompt: string) =>
      apis.defaultSourcesFor(prompt).map((s) => ({ url: `${s.url}?utm_source=openai`, title: s.title }));
    expect(urlsAndTitles(first)).toEqual(citedDefaults('Plan the launch party'));
    expect(citationsOf(again)).toEqual(citationsOf(first));
    expect(urlsAndTitles(other)).toEqual(citedDefaults('Book the venue'));
    expect(urlsAndTitles(other)).not.toEqual(urlsAndTitles(first));
    expect(apis.calls.map((c) => c.searches)).toEqual([1, 1, 1]);
  });

  it('takes web_search_preview with its options, makes the scripted searches, and lists sources on request', async () => {
    apis.script({ searches: 2, sources });
    const r = await openai.responses.create({
      model: 'gpt-5.5',
      input: 'Latest tea prices',
      tools: [
        {
          type: 'web_search_preview',
          search_context_size: 'low',
          user_location: { type: 'approximate', country: 'JP' },
        },
      ],
      include: ['web_search_call.action.sources'],
    });
    const searchCalls = r.output.filter((item) => item.type === 'web_search_call');
    const listed = sources.map((s) => ({ type: 'url', url: s.url }));
    expect(searchCalls.map((item) => item.action)).toEqual([
      { type: 'search', query: 'Latest tea prices', queries: ['Latest tea prices'], sources: listed },
      { type: 'search', query: 'Latest tea prices latest', queries: ['Latest tea prices latest'], sources: listed },
    ]);
    expect(r.output.at(-1)?.type).toBe('message');
    expect(citationsOf(r)).toHaveLength(2);
    expect(apis.calls[0]).toMatchObject({ tools: ['web_search_preview'], searches: 2 });
  });

  it('cites the string values of a json_schema answer', async () => {
    const r = await openai.responses.create({
      model: 'gpt-5.5',
      input: 'Plan the launch party',
      tools: [{ type: 'web_search' }],
      text: { format: { type: 'json_schema', name: 'row', strict: true, schema: ROW_SCHEMA } },
    });
    const value = JSON.parse(r.output_text) as Record<string, unknown>;
    expect(conforms(ROW_SCHEMA, value)).toEqual([]);
    const strings = stringValues(value);
    const annotations = citationsOf(r);
    expect(annotations.map((a) => r.output_text.slice(a.start_index, a.end_index))).toEqual(strings);
    const [encyclopedia, news] = apis.defaultSourcesFor('Plan the launch party').map((s) => s.url);
    expect(annotations.slice(0, 2).map((a) => a.url.replace(/\?.*$/, ''))).toEqual([encyclopedia, news]);
  });

  it('makes no search and cites nothing when scripted with searches: 0', async () => {
    apis.script({ searches: 0 });
    const stream = await openai.responses.create({
      model: 'gpt-5.5',
      input: 'Say hello',
      tools: [{ type: 'web_search' }],
      stream: true,
    });
    const types: string[] = [];
    let response: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') response = event.response;
    }
    expect(types.filter((t) => t.includes('web_search') || t.includes('annotation'))).toEqual([]);
    expect(response?.output.map((item) => item.type)).toEqual(['message']);
    expect(response ? citationsOf(response) : undefined).toEqual([]);
    expect(apis.calls[0]).toMatchObject({ tools: ['web_search'], searches: 0 });
  });

  it('is refused by an OpenAI-compatible server, as such servers refuse hosted tools', async () => {
    const err = await compat.responses
      .create({ model: 'llama3.2', input: 'Search for tea', tools: [{ type: 'web_search' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain("tool type 'web_search' is not supported");
    expect(apis.calls[0]).toMatchObject({ provider: 'compatible', status: 400, tools: ['web_search'] });
    expect(apis.calls[0]).not.toHaveProperty('searches');
  });

  it('takes time to search, and stops searching when the client leaves', async () => {
    apis.configure({ timeToFirstTokenMs: 20, tokensPerSecond: 0 }); // a search takes 200 ms
    const timed = await openai.responses.create({
      model: 'gpt-5.5',
      input: 'Tea news',
      tools: [{ type: 'web_search' }],
      stream: true,
    });
    const at: Record<string, number> = {};
    for await (const event of timed) at[event.type] ??= Date.now();
    expect(
      (at['response.web_search_call.completed'] ?? 0) - (at['response.web_search_call.searching'] ?? 0),
    ).toBeGreaterThanOrEqual(180);

    apis.configure({ timeToFirstTokenMs: 100, tokensPerSecond: 0 }); // a search takes 1 s
    const controller = new AbortController();
    const started = Date.now();
    const stream = await openai.responses.create(
      { model: 'gpt-5.5', input: 'Tea news', tools: [{ type: 'web_search' }], stream: true },
      { signal: controller.signal },
    );
    const types: string[] = [];
    // openai 7.x ends the iteration quietly when the caller aborts.
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.web_search_call.searching') controller.abort();
    }
    expect(types).not.toContain('response.web_search_call.completed');
    await vi.waitFor(() => expect(apis.calls[1]?.aborted).toBe(true));
    expect(Date.now() - started).toBeLessThan(900);
    expect(apis.calls[1]).toMatchObject({ searches: 0, outputTokens: 0 });
  });

  it('takes sources and searches through the control API', async () => {
    const sandbox = { models: apis } as unknown as ControlledSandbox;
    const control = await serve(
      (q, s) => handleControl(sandbox, q, s),
      (port) => `http://127.0.0.1:${port}`,
    );
    try {
      const posted = await fetch(`${control.url}/__sandbox/models/script`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ match: 'teas', searches: 2, sources }),
      });
      expect(posted.status).toBe(200);
      const r = await openai.responses.create({
        model: 'gpt-5.5',
        input: 'Rare teas',
        tools: [{ type: 'web_search' }],
      });
      expect(r.output.filter((item) => item.type === 'web_search_call')).toHaveLength(2);
      expect(citationsOf(r).map((a) => a.title)).toEqual(sources.map((s) => s.title));
      const log = (await fetch(`${control.url}/__sandbox/models/calls`).then((res) => res.json())) as {
        totals: Record<string, { searches: number }>;
      };
      expect(log.totals.openai?.searches).toBe(2);
    } finally {
      await control.close();
    }
  });
});

describe('Web search: Gemini googleSearch grounding', () => {
  it('streams the answer, then the grounding on the last chunk with the finishReason', async () => {
    apis.configure({ timeToFirstTokenMs: 5, tokensPerSecond: 2000 });
    const answer = 'Sencha is steamed; matcha is ground — both are Japanese green teas ☕.';
    apis.script({ provider: 'gemini', text: answer, sources });
    const chunks = [];
    for await (const chunk of await gemini.models.generateContentStream({
      model: 'gemini-3.8-flash',
      contents: 'Compare Japanese green teas',
      config: { tools: [{ googleSearch: {} }] },
    }))
      chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    const text = chunks.map((c) => c.text ?? '').join('');
    expect(text).toBe(answer);
    expect(chunks.slice(0, -1).some((c) => c.candidates?.[0]?.groundingMetadata)).toBe(false);
    const last = chunks.at(-1)?.candidates?.[0];
    expect(last?.finishReason).toBe('STOP');
    const grounding = last?.groundingMetadata;
    expect(grounding?.webSearchQueries).toEqual(['Compare Japanese green teas']);
    expect(grounding?.groundingChunks).toEqual([
      { web: { uri: apis.groundingRedirectFor('https://tea.example/sencha'), title: 'tea.example' } },
      { web: { uri: apis.groundingRedirectFor('https://www.leaves.example/matcha#grades'), title: 'leaves.example' } },
    ]);
    for (const chunk of grounding?.groundingChunks ?? [])
      expect(chunk.web?.uri).toMatch(/^https:\/\/vertexaisearch\.cloud\.google\.com\/grounding-api-redirect\/[\w-]+$/);
    const supports = grounding?.groundingSupports ?? [];
    expect(supports.map((s) => s.groundingChunkIndices)).toEqual([[0], [1]]);
    expect(supports.map((s) => s.segment?.text).join('')).toBe(text);
    for (const s of supports) expect(bytesOf(text, s.segment)).toBe(s.segment?.text);
    // A zero startIndex is left out, as proto3 JSON does; offsets are bytes (the dash and the cup take more).
    expect(supports[0]?.segment?.startIndex).toBeUndefined();
    expect(supports.at(-1)?.segment?.endIndex).toBe(Buffer.byteLength(text));
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
    expect(grounding?.searchEntryPoint?.renderedContent).toMatch(
      /^<style>[\s\S]*<\/style>\s*<div class="container">[\s\S]*Compare Japanese green teas[\s\S]*<\/div>\s*$/,
    );
    expect(last?.content?.parts?.[0]?.text).toBeDefined();
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(tokens(text));
    expect(apis.calls[0]).toMatchObject({ tools: ['googleSearch'], searches: 1, status: 200 });
    expect(apis.usageTotals().gemini?.searches).toBe(1);
  });

  it('grounds a non-streamed answer on the default pages, titled by their domain', async () => {
    const r = await groundWithGemini('Plan the launch party');
    expect(r.text).toBe('Answer: Plan the launch party');
    expect(r.candidates?.[0]?.groundingMetadata?.groundingChunks).toEqual(
      redirectsFor('Plan the launch party').map((uri, i) => ({
        web: { uri, title: ['encyclopedia.example', 'news.example'][i] },
      })),
    );
    const other = await groundWithGemini('Book the venue');
    const uris = other.candidates?.[0]?.groundingMetadata?.groundingChunks?.map((c) => c.web?.uri);
    expect(uris).toEqual(redirectsFor('Book the venue'));
    expect(uris).not.toEqual(redirectsFor('Plan the launch party'));
  });

  it('grounds structured output together with a JSON schema, citing its string values', async () => {
    const r = await gemini.models.generateContent({
      model: 'gemini-3.8-flash',
      contents: 'Plan the launch party',
      config: {
        tools: [{ googleSearch: {} }],
        responseMimeType: 'application/json',
        responseJsonSchema: ROW_SCHEMA,
      },
    });
    const text = r.text ?? '';
    const value = JSON.parse(text) as Record<string, unknown>;
    expect(conforms(ROW_SCHEMA, value)).toEqual([]);
    const strings = stringValues(value);
    const supports = r.candidates?.[0]?.groundingMetadata?.groundingSupports ?? [];
    expect(supports.map((s) => s.segment?.text)).toEqual(strings);
    for (const s of supports) expect(bytesOf(text, s.segment)).toBe(s.segment?.text);
    expect(apis.calls[0]).toMatchObject({ schema: ROW_SCHEMA, tools: ['googleSearch'], searches: 1 });
  });

  it('answers without grounding when the model chose not to search, and takes google_search in snake_case', async () => {
    apis.script({ provider: 'gemini', match: 'no search', searches: 0 });
    const plain = await gemini.models.generateContent({
      model: 'gemini-3.8-flash',
      contents: 'Say hi, no search',
      config: { tools: [{ googleSearch: {} }] },
    });
    expect(plain.text).toBe('Answer: Say hi, no search');
    expect(plain.candidates?.[0]?.groundingMetadata).toBeUndefined();
    const raw = (await fetch(`http://127.0.0.1:${geminiServer.port}/v1beta/models/gemini-3.8-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': apis.keys.gemini },
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: 'Tea history' }] }],
        tools: [{ google_search: {} }],
      }),
    }).then((res) => res.json())) as { candidates: Array<{ groundingMetadata?: { webSearchQueries?: string[] } }> };
    expect(raw.candidates[0]?.groundingMetadata?.webSearchQueries).toEqual(['Tea history']);
    await gemini.models.generateContent({ model: 'gemini-3.8-flash', contents: 'No tools at all' });
    expect(apis.calls.map((c) => [c.tools, c.searches])).toEqual([
      [['googleSearch'], 0],
      [['googleSearch'], 1],
      [undefined, undefined],
    ]);
    expect(apis.calls[2]).not.toHaveProperty('searches');
  });

  it('stops searching when the client leaves', async () => {
    apis.configure({ timeToFirstTokenMs: 100, tokensPerSecond: 0 }); // a search takes 1 s
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      gemini.models.generateContentStream({
        model: 'gemini-3.8-flash',
        contents: 'Tea news',
        config: { tools: [{ googleSearch: {} }], abortSignal: controller.signal },
      }),
    ).rejects.toThrow();
    await vi.waitFor(() => expect(apis.calls[0]?.aborted).toBe(true));
    expect(apis.calls[0]).toMatchObject({ searches: 0, outputTokens: 0 });
  });
});

describe('usage totals', () => {
  it('equal the sum of the usage the SDKs reported', async () => {
    let openaiIn = 0;
    let openaiOut = 0;
    const a = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'First question about tea' }],
    });
    openaiIn += a.usage?.prompt_tokens ?? 0;
    openaiOut += a.usage?.completion_tokens ?? 0;
    const s = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Second, streamed' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const c of s) {
      openaiIn += c.usage?.prompt_tokens ?? 0;
      openaiOut += c.usage?.completion_tokens ?? 0;
    }
    const r = await openai.responses.create({
      model: 'gpt-5.5',
      input: 'Third via responses, searching',
      tools: [{ type: 'web_search' }],
    });
    openaiIn += r.usage?.input_tokens ?? 0;
    openaiOut += r.usage?.output_tokens ?? 0;

    let geminiIn = 0;
    let geminiOut = 0;
    const g = await gemini.models.generateContent({
      model: 'gemini-3.8-flash',
      contents: 'A gemini question',
      config: { responseMimeType: 'application/json', responseJsonSchema: ROW_SCHEMA },
    });
    geminiIn += g.usageMetadata?.promptTokenCount ?? 0;
    geminiOut += g.usageMetadata?.candidatesTokenCount ?? 0;
    let lastUsage: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined;
    apis.script({ provider: 'gemini', match: 'streamed gemini', searches: 2 });
    for await (const c of await gemini.models.generateContentStream({
      model: 'gemini-3.8-flash',
      contents: 'A streamed gemini question',
      config: { tools: [{ googleSearch: {} }] },
    }))
      lastUsage = c.usageMetadata ?? lastUsage;
    geminiIn += lastUsage?.promptTokenCount ?? 0;
    geminiOut += lastUsage?.candidatesTokenCount ?? 0;
    // A rejected call adds a call but no tokens.
    apis.script({ provider: 'gemini', fault: 'server_error', times: 1 });
    await gemini.models.generateContent({ model: 'gemini-3.8-flash', contents: 'fails' }).catch(() => undefined);

    expect(apis.usageTotals()).toEqual({
      openai: { inputTokens: openaiIn, outputTokens: openaiOut, calls: 3, searches: 1 },
      gemini: { inputTokens: geminiIn, outputTokens: geminiOut, calls: 3, searches: 2 },
    });
    expect(openaiIn).toBeGreaterThan(0);
    expect(geminiOut).toBeGreaterThan(0);
  });
});
