// Each adapter against the sandbox's model servers, through the real SDKs over HTTP.
import { beforeEach, describe, expect, it } from 'vitest';
import { ModelApis } from '../../tests/sandbox/models/index.ts';
import { useModelServers } from '../../tests/sandbox/use-model-servers.ts';
import { InklingError, type Problem } from '../shared/problem';
import { createGeminiEngine } from './gemini';
import { createOpenAIEngine } from './openai';
import type { Engine } from './types';

const apis = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
const servers = useModelServers(apis);
beforeEach(() => apis.configure({ timeToFirstTokenMs: 0, tokensPerSecond: 0 }));

type Maker = (opts?: { key?: string; model?: string; timeoutMs?: number }) => Engine;
const engines: Record<'openai' | 'gemini' | 'compatible', Maker> = {
  openai: (o = {}) =>
    createOpenAIEngine({
      engine: 'openai',
      apiKey: o.key ?? apis.keys.openai,
      model: o.model ?? 'gpt-5.5-mini',
      baseURL: `${servers.openai.url}/v1`,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    }),
  gemini: (o = {}) =>
    createGeminiEngine({
      apiKey: o.key ?? apis.keys.gemini,
      model: o.model ?? 'gemini-3.8-flash',
      baseUrl: servers.gemini.url,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    }),
  compatible: (o = {}) =>
    createOpenAIEngine({
      engine: 'compatible',
      apiKey: o.key ?? '',
      model: o.model ?? 'llama3.2',
      baseURL: `${servers.compatible.url}/v1`,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    }),
};

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InklingError) return error.problem;
    throw error;
  }
  throw new Error('expected a failure');
}

const SCHEMA = {
  type: 'object',
  properties: { label: { type: 'string', enum: ['hot', 'cold'] }, score: { type: 'number' } },
  required: ['label', 'score'],
  additionalProperties: false,
};

describe.each(Object.keys(engines) as Array<keyof typeof engines>)('%s engine', (name) => {
  const make = engines[name];

  it('streams text and reports the provider’s usage', async () => {
    apis.script({ text: 'Hello from the sandbox. '.repeat(20) });
    const pieces: string[] = [];
    const result = await make().generate({ system: 'Be brief.', prompt: 'Say hello', onText: (d) => pieces.push(d) });
    expect(result.text).toBe('Hello from the sandbox. '.repeat(20));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(result.text);
    const call = apis.calls.at(-1)!;
    expect(result.usage).toEqual({ inputTokens: call.inputTokens, outputTokens: call.outputTokens, estimated: false });
    expect(call.stream).toBe(true);
  });

  it('returns structured output that follows the schema', async () => {
    const result = await make().generate({ prompt: 'Classify: a sunny day', schema: SCHEMA });
    expect(result.json).toMatchObject({ label: expect.stringMatching(/^(hot|cold)$/), score: expect.any(Number) });
    expect(apis.calls.at(-1)!.schema).toBeTruthy();
  });

  it('lists the provider’s models', async () => {
    const models = await make().listModels();
    expect(models.length).toBeGreaterThan(0);
    expect(models).toContain(
      name === 'openai' ? 'gpt-5.5-mini' : name === 'gemini' ? 'gemini-3.8-flash' : 'llama3.2:latest',
    );
  });

  it('stops when aborted, with nothing more streamed', async () => {
    apis.configure({ tokensPerSecond: 50 });
    apis.script({ text: 'word '.repeat(400) });
    const controller = new AbortController();
    let seen = '';
    const run = make().generate({
      prompt: 'long answer',
      signal: controller.signal,
      onText: (_d, soFar) => {
        seen = soFar;
        if (soFar.length > 20) controller.abort();
      },
    });
    expect((await problemOf(run)).kind).toBe('aborted');
    expect(seen.length).toBeLessThan(400 * 5);
  });

  it('names a missing model', async () => {
    expect((await problemOf(make({ model: 'no-such-model' }).generate({ prompt: 'hi' }))).kind).toBe('model_not_found');
  });

  it('maps rate limits (with the wait the provider asked for), quota and outages', async () => {
    apis.script({ fault: 'rate_limited', times: 1 });
    const limited = await problemOf(make().generate({ prompt: 'hi' }));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    apis.script({ fault: 'server_error', times: 1 });
    expect(await problemOf(make().generate({ prompt: 'hi' }))).toMatchObject({ kind: 'unavailable', retryable: true });
    apis.script({ fault: 'drop', times: 1 });
    expect(await problemOf(make().generate({ prompt: 'hi' }))).toMatchObject({ kind: 'network', retryable: true });
    if (name !== 'compatible') {
      apis.script({ fault: 'quota_exhausted', times: 1 });
      expect(await problemOf(make().generate({ prompt: 'hi' }))).toMatchObject({ kind: 'quota', retryable: false });
    }
  });

  it('maps a prompt that is too long', async () => {
    apis.script({ fault: 'context_length', times: 1 });
    expect((await problemOf(make().generate({ prompt: 'hi' }))).kind).toBe('prompt_too_long');
  });

  it('times out a provider that does not answer', async () => {
    apis.script({ text: 'late', delayMs: 2_000 });
    expect((await problemOf(make({ timeoutMs: 300 }).generate({ prompt: 'hi' }))).kind).toMatch(/^(timeout|network)$/);
  });
});

describe('bad keys and blocked answers, as each provider reports them', () => {
  it('OpenAI: 401 → bad_key with where to get a key', async () => {
    const problem = await problemOf(engines.openai({ key: 'sk-wrong-0000000000000000' }).listModels());
    expect(problem.kind).toBe('bad_key');
    expect(problem.message).toContain('OpenAI did not accept this API key');
    expect(problem.message).toContain('platform.openai.com/api-keys');
    expect(problem.message).not.toContain('sk-wrong');
  });

  it('Gemini: 400 API_KEY_INVALID → bad_key', async () => {
    const problem = await problemOf(engines.gemini({ key: 'AIzaSy-wrong' }).generate({ prompt: 'hi' }));
    expect(problem).toMatchObject({ kind: 'bad_key' });
    expect(problem.message).toContain('aistudio.google.com');
  });

  it('Gemini: 403 → no_permission', async () => {
    apis.script({ fault: 'unauthorized', times: 1 });
    expect((await problemOf(engines.gemini().generate({ prompt: 'hi' }))).kind).toBe('no_permission');
  });

  it('Gemini: finishReason SAFETY and a blocked prompt → safety', async () => {
    apis.script({ fault: 'safety', times: 1 });
    expect((await problemOf(engines.gemini().generate({ prompt: 'hi' }))).message).toContain(
      'blocked this answer (SAFETY)',
    );
    apis.script({ fault: 'prompt_blocked', times: 1 });
    expect((await problemOf(engines.gemini().generate({ prompt: 'hi' }))).kind).toBe('safety');
  });

  it('OpenAI: content_filter → safety', async () => {
    apis.script({ fault: 'safety', times: 1 });
    expect((await problemOf(engines.openai().generate({ prompt: 'hi' }))).kind).toBe('safety');
  });

  it('estimates usage when a compatible server reports none', async () => {
    // The sandbox reports usage only when asked; a server that ignores stream_options sends none.
    const result = await engines.compatible().generate({ prompt: 'hello there' });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });
});

describe.each(['openai', 'gemini'] as const)('%s engine with web search', (name) => {
  const make = engines[name];
  const given = [
    { url: 'https://acme.example/about', title: 'About Acme' },
    { url: 'https://press.example/acme-raises', title: 'Acme raises a round' },
  ];
  /** A source as the provider cites it: OpenAI marks its links; Gemini cites through Google's redirect, titled by the site. */
  const cited = (source: { url: string; title: string }) =>
    name === 'openai'
      ? { url: `${source.url}?utm_source=openai`, title: source.title }
      : { url: apis.groundingRedirectFor(source.url), title: new URL(source.url).hostname };

  it('searches, streams its answer, and keeps the pages it cites with the searches it made', async () => {
    apis.script({ text: 'Acme makes anvils and raised a round this year.', sources: given, searches: 2 });
    const pieces: string[] = [];
    const result = await make().generate({
      prompt: 'What does Acme do?',
      webSearch: true,
      onText: (d) => pieces.push(d),
    });
    expect(result.text).toBe('Acme makes anvils and raised a round this year.');
    expect(pieces.join('')).toBe(result.text);
    expect(result.sources).toEqual(given.map(cited));
    const call = apis.calls.at(-1)!;
    expect(call.searches).toBe(2);
    expect(result.usage).toMatchObject({ inputTokens: call.inputTokens, outputTokens: call.outputTokens, searches: 2 });
    expect(call.tools).toEqual([name === 'openai' ? 'web_search' : 'googleSearch']);
  });

  it('searches with structured output too', async () => {
    apis.script({ json: { label: 'hot', score: 3 }, sources: given });
    const result = await make().generate({ prompt: 'Classify Acme', schema: SCHEMA, webSearch: true });
    expect(result.json).toEqual({ label: 'hot', score: 3 });
    expect(result.usage.searches).toBe(1);
  });

  it('says when the model chose not to search: no searches, no sources', async () => {
    apis.script({ text: 'I know this one.', searches: 0 });
    const result = await make().generate({ prompt: 'What is 2 + 2?', webSearch: true });
    expect(result.sources).toEqual([]);
    expect(result.usage.searches).toBe(0);
  });

  it('refuses an answer the provider filtered, as without search', async () => {
    apis.script({ fault: 'safety' });
    expect((await problemOf(make().generate({ prompt: 'Something risky', webSearch: true }))).kind).toBe('safety');
  });

  it('asks for no tool without web search', async () => {
    const result = await make().generate({ prompt: 'Say hello' });
    expect(result.sources).toBeUndefined();
    expect(apis.calls.at(-1)!.tools).toBeUndefined();
  });
});
