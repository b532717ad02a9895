// The context a run gets from the stored secret and its engine (a job stores no secret): it refuses
// to start without a Notion secret or the engine's key, reaches Notion under the run's signal (a
// Cancel cuts it), and prices each call as the job's engine and model into the usage ledger.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startJobWorld, type JobWorld } from '../../tests/sandbox/job-world.ts';
import { FIXTURES } from '../../tests/sandbox/notion/index.ts';
import { startPageRunWorld, type PageRunWorld } from '../../tests/sandbox/page-run-world.ts';
import { InklingError } from '../shared/problem';
import { clearAllStorage, isRegisteredKey, writeSecrets } from '../storage';
import { readUsage } from '../usage/ledger';
import { createJobContext } from './context';
import type { JobEngine } from '../shared/job';

let world: JobWorld;
let sandbox: PageRunWorld;

beforeAll(async () => {
  world = await startJobWorld();
  sandbox = await startPageRunWorld(world);
});
afterAll(async () => {
  await sandbox.close();
  await world.close();
});
afterEach(async () => {
  const keys = Object.keys(await fakeBrowser.storage.local.get(null));
  expect(keys.filter((key) => !isRegisteredKey(key))).toEqual([]);
});
beforeEach(async () => {
  fakeBrowser.reset();
  await clearAllStorage();
  world.notion.clearRequestLog();
  world.models.reset();
});

const local = (): JobEngine => ({
  engine: 'compatible',
  model: 'llama3.2:latest',
  baseUrl: sandbox.modelBaseUrl,
  limitPreset: 'local',
});
const never = () => undefined;

async function problemOf(work: Promise<unknown>) {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InklingError);
  return (error as InklingError).problem;
}

describe('createJobContext', () => {
  it('refuses without a Notion secret, or without the engine’s key', async () => {
    expect(await problemOf(createJobContext(local(), new AbortController().signal, never))).toMatchObject({
      kind: 'no_token',
    });
    await writeSecrets({ notionToken: FIXTURES.token });
    const openai: JobEngine = { engine: 'openai', model: 'gpt-5.5-mini', baseUrl: '', limitPreset: 'tier1' };
    expect(await problemOf(createJobContext(openai, new AbortController().signal, never))).toMatchObject({
      kind: 'no_key',
    });
  });

  it('reaches Notion with the stored secret, telling each request of notionWith as it leaves', async () => {
    await writeSecrets({ notionToken: FIXTURES.token });
    const ctx = await createJobContext(local(), new AbortController().signal, never);
    const me = await ctx.notion.users.me({});
    expect(me.id).toBe(FIXTURES.botUserId);
    let dispatched = 0;
    await ctx.notionWith(async () => void dispatched++).users.me({});
    expect(dispatched).toBe(1);
    expect(world.notion.requestLog.map((e) => [e.route, e.token])).toEqual([
      ['GET /v1/users/me', FIXTURES.token],
      ['GET /v1/users/me', FIXTURES.token],
    ]);
  });

  it('sends nothing to Notion once the run’s signal is aborted (a Cancel)', async () => {
    await writeSecrets({ notionToken: FIXTURES.token });
    const cancel = new AbortController();
    const ctx = await createJobContext(local(), cancel.signal, never);
    cancel.abort();
    await expect(ctx.notion.users.me({})).rejects.toThrow();
    await expect(ctx.notionWith(async () => undefined).users.me({})).rejects.toThrow();
    expect(world.notion.requestLog).toEqual([]);
  });

  it('generates with the job’s engine, streams to onText, and prices each call into the usage ledger', async () => {
    await writeSecrets({ notionToken: FIXTURES.token });
    world.models.script({ text: 'Hello there.' });
    const streamed: string[] = [];
    const ctx = await createJobContext(local(), new AbortController().signal, (text) => streamed.push(text), 'conn-1');
    const result = await ctx.scheduler.run(
      (signal) =>
        ctx.engine.generate({
          system: 'Be brief.',
          prompt: 'Say hello',
          signal,
          onText: (_delta, soFar) => ctx.onText(soFar),
        }),
      { signal: ctx.signal },
    );
    expect(result.text).toBe('Hello there.');
    expect(streamed.at(-1)).toBe('Hello there.');
    // A local server costs nothing.
    expect(ctx.price(result.usage)).toEqual({
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      costUsd: 0,
      calls: 1,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(await readUsage()).toMatchObject([
      {
        engine: 'compatible',
        model: 'llama3.2:latest',
        connectionId: 'conn-1',
        calls: 1,
        inputTokens: result.usage.inputTokens,
        costUsd: 0,
      },
    ]);
  });

  it('prices a paid model at its rate, and a model of unknown price as unpriced', async () => {
    await writeSecrets({ notionToken: FIXTURES.token, openaiKey: 'sk-test-0000000000' });
    const signal = new AbortController().signal;
    const paid = await createJobContext(
      { engine: 'openai', model: 'gpt-5.5-mini', baseUrl: '', limitPreset: 'tier1' },
      signal,
      never,
      'paid',
    );
    const priced = paid.price({ inputTokens: 1_000_000, outputTokens: 0, estimated: false });
    expect(priced.costUsd).toBeGreaterThan(0);
    const unknown = await createJobContext(
      { engine: 'openai', model: 'no-such-model', baseUrl: '', limitPreset: 'tier1' },
      signal,
      never,
      'unknown',
    );
    expect(unknown.price({ inputTokens: 10, outputTokens: 10, estimated: false }).costUsd).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    const usage = await readUsage();
    expect(usage.find((e) => e.connectionId === 'paid')).toMatchObject({
      calls: 1,
      costUsd: priced.costUsd,
      unpricedCalls: 0,
    });
    expect(usage.find((e) => e.connectionId === 'unknown')).toMatchObject({ calls: 1, costUsd: 0, unpricedCalls: 1 });
  });
});
