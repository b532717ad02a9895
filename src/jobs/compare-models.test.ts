// Compare models against the in-process Notion API and model servers: the same first rows answered by
// two engines at once, each column with its own answers, usage and time, nothing written; an engine
// that cannot answer says why in its column while the other answers.
import { describe, expect, it } from 'vitest';
import { useJobWorld } from '../../tests/sandbox/use-job-world.ts';

import { retrieveDatabase } from '../notion/target';
import { InklingError } from '../shared/problem';
import type { DatabaseRunSetup } from '../shared/intents';
import { checkSetup } from './database-setup';
import { compareModels, previewRows } from './database-preview';

const world = useJobWorld();

async function setupOf(): Promise<DatabaseRunSetup> {
  const db = world.notion.createDatabase({
    title: `Topics ${Date.now()}`,
    properties: { Topic: 'title', Summary: 'rich_text' },
    rows: ['Comets', 'Tides', 'Lichens', 'Glaciers'].map((Topic) => ({ Topic })),
  });
  const { properties } = await retrieveDatabase(world.client(), db.databaseId);
  return {
    databaseId: db.databaseId,
    template: 'Summarise {{Topic}}',
    outputs: [{ id: properties.find((p) => p.name === 'Summary')!.id }],
    selection: 'all',
    overwrite: false,
    untick: false,
  };
}

describe('compareModels', () => {
  it('answers the same first rows with both engines, each with its own usage, and writes nothing', async () => {
    const setup = await setupOf();
    const checked = await checkSetup(world.client(), setup);
    world.notion.clearRequestLog();
    const signal = new AbortController().signal;
    const sides = await compareModels(
      [
        { choice: { engine: 'compatible', model: 'llama3.2:latest' }, context: async () => world.context() },
        {
          choice: { engine: 'openai', model: 'gpt-5.5-mini' },
          context: async () => world.context(undefined, undefined, 'openai'),
        },
      ],
      (ctx) => previewRows(checked, setup, ctx, 3),
      signal,
    );
    expect(sides.map((s) => [s.engine, s.rows.map((r) => r.title)])).toEqual([
      ['compatible', ['Comets', 'Tides', 'Lichens']],
      ['openai', ['Comets', 'Tides', 'Lichens']],
    ]);
    for (const side of sides) {
      expect(side.problem).toBeUndefined();
      expect(side.usage.calls).toBe(3);
      expect(side.usage.inputTokens).toBeGreaterThan(0);
      expect(side.rows.every((r) => r.outputs.Summary !== '')).toBe(true);
    }
    expect(world.models.calls.map((c) => c.provider).toSorted()).toEqual([
      'compatible',
      'compatible',
      'compatible',
      'openai',
      'openai',
      'openai',
    ]);
    expect(world.notion.requestLog.filter((e) => !e.route.startsWith('GET ') && !e.route.endsWith('/query'))).toEqual(
      [],
    );
  });

  it('says in its own column why an engine cannot answer, while the other answers', async () => {
    const setup = await setupOf();
    const checked = await checkSetup(world.client(), setup);
    const refused = new InklingError({
      source: 'model',
      kind: 'no_key',
      message: 'Add your OpenAI API key in Settings first.',
      retryable: false,
    });
    const sides = await compareModels(
      [
        { choice: { engine: 'compatible', model: 'llama3.2:latest' }, context: async () => world.context() },
        { choice: { engine: 'openai', model: 'gpt-5.5-mini' }, context: () => Promise.reject(refused) },
      ],
      (ctx) => previewRows(checked, setup, ctx, 2),
      new AbortController().signal,
    );
    expect(sides[0]!.rows).toHaveLength(2);
    expect(sides[1]).toEqual({
      engine: 'openai',
      model: 'gpt-5.5-mini',
      rows: [],
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 },
      ms: 0,
      problem: 'Add your OpenAI API key in Settings first.',
    });
  });
});
