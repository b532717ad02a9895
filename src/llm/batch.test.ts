// The batch adapters against the sandbox's batch APIs, through the real SDKs over HTTP: each request's
// answer matches the one a call gets, a batch is found again by its label, a request that fails says
// why while the others are answered, and an expired or cancelled batch names every request it left.
import { describe, expect, it } from 'vitest';
import { ModelApis } from '../../tests/sandbox/models/index.ts';
import { useModelServers } from '../../tests/sandbox/use-model-servers.ts';
import type { BatchAnswer, BatchEngine, BatchItem, Engine } from './types';
import { createGeminiEngine } from './gemini';
import { createOpenAIEngine } from './openai';

const apis = new ModelApis({ timeToFirstTokenMs: 0, tokensPerSecond: 0 });
const servers = useModelServers(apis);

const ENGINES: Record<'openai' | 'gemini', () => Engine> = {
  openai: () =>
    createOpenAIEngine({
      engine: 'openai',
      apiKey: apis.keys.openai,
      model: 'gpt-5.5-mini',
      baseURL: `${servers.openai.url}/v1`,
    }),
  gemini: () =>
    createGeminiEngine({ apiKey: apis.keys.gemini, model: 'gemini-3.8-flash', baseUrl: servers.gemini.url }),
};

const SCHEMA = {
  type: 'object',
  properties: { mood: { type: 'string', enum: ['Calm', 'Bold'] } },
  required: ['mood'],
  additionalProperties: false,
};

const ITEMS: BatchItem[] = [
  { key: 'row-1', request: { system: 'Translate.', prompt: 'Comets' } },
  { key: 'row-2', request: { system: 'Translate.', prompt: 'Tides' } },
  { key: 'row-3', request: { system: 'Pick a mood.', prompt: 'Glaciers', schema: SCHEMA } },
];
const KEYS = ITEMS.map((item) => item.key);

async function settled(batch: BatchEngine, id: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const { state } = await batch.status(id);
    if (state !== 'running') return state;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the batch never ended');
}

const byKey = (answers: BatchAnswer[]) => Object.fromEntries(answers.map((a) => [a.key, a]));

describe.each(['openai', 'gemini'] as const)('%s batch', (provider) => {
  it('answers each request as a call would, found again by its label, with its usage', async () => {
    const engine = ENGINES[provider]();
    const batch = engine.batch!;
    const id = await batch.submit(ITEMS, 'job-1');
    expect(await batch.find('job-1')).toBe(id);
    expect(await batch.find('job-2')).toBeUndefined();
    expect(await settled(batch, id)).toBe('done');
    const answers = byKey(await batch.answers(id, KEYS));
    expect(apis.calls.every((c) => c.batch === id)).toBe(true);
    expect(apis.calls).toHaveLength(3);

    apis.reset();
    for (const item of ITEMS) {
      const direct = await engine.generate(item.request);
      const answer = answers[item.key]!;
      expect('text' in answer && answer.text).toBe(direct.text);
      expect('usage' in answer && answer.usage).toEqual({
        inputTokens: direct.usage.inputTokens,
        outputTokens: direct.usage.outputTokens,
        estimated: false,
      });
    }
  });

  it('says why one request failed, and answers the others', async () => {
    apis.script({ match: 'Tides', fault: 'model_not_found' });
    const batch = ENGINES[provider]().batch!;
    const id = await batch.submit(ITEMS, 'job-partial');
    expect(await settled(batch, id)).toBe('done');
    const answers = byKey(await batch.answers(id, KEYS));
    expect(answers['row-1']).toHaveProperty('text');
    expect(answers['row-3']).toHaveProperty('text');
    expect(answers['row-2']).toMatchObject({ problem: { source: 'model' } });
    // OpenAI's error line is read as the call's error would be (not as a network failure).
    if (provider === 'openai') expect(answers['row-2']).toMatchObject({ problem: { kind: 'model_not_found' } });
  });

  it('names every request an expired batch did not answer, to be sent again', async () => {
    apis.configure({ batchTurnaroundMs: 60_000 });
    const batch = ENGINES[provider]().batch!;
    const id = await batch.submit(ITEMS, 'job-expired');
    expect((await batch.status(id)).state).toBe('running');
    apis.batches.expire(id);
    expect(await settled(batch, id)).toBe('expired');
    const answers = await batch.answers(id, KEYS);
    expect(answers.map((a) => a.key).toSorted()).toEqual(KEYS);
    for (const answer of answers)
      expect(answer).toMatchObject({ problem: { retryable: true, message: expect.stringContaining('Retry failed') } });
  });
});

describe('batches elsewhere', () => {
  it('are not offered by an OpenAI-compatible server', () => {
    const engine = createOpenAIEngine({
      engine: 'compatible',
      apiKey: '',
      model: 'llama3.2',
      baseURL: 'http://127.0.0.1:9/v1',
    });
    expect(engine.batch).toBeUndefined();
  });

  it('cancelled on OpenAI: what was never answered says so', async () => {
    apis.configure({ batchTurnaroundMs: 60_000 });
    const batch = ENGINES.openai().batch!;
    const id = await batch.submit(ITEMS, 'job-cancelled');
    await batch.cancel(id);
    expect(await settled(batch, id)).toBe('cancelled');
    const answers = await batch.answers(id, KEYS);
    expect(answers.map((a) => a.key).toSorted()).toEqual(KEYS);
    expect(answers.every((a) => 'problem' in a)).toBe(true);
  });
});
