// Chrome built-in AI has no model on this machine: its code path runs against a stand-in for the
// Prompt API's `LanguageModel`, shaped as Chrome's is (availability(), create(), promptStreaming()).
import { describe, expect, it } from 'vitest';
import { InklingError } from '../shared/problem';
import { createChromeEngine } from './chrome';
import type { Availability, LanguageModelApi } from '../shared/chrome-ai';

function standIn(availability: Availability, answer = 'On-device answer') {
  const seen: { prompts: string[]; system?: string; constraint?: unknown; destroyed: number } = {
    prompts: [],
    destroyed: 0,
  };
  const api: LanguageModelApi = {
    availability: async () => availability,
    create: async (options) => {
      seen.system = options?.initialPrompts?.[0]?.content;
      return {
        promptStreaming(input, opts) {
          seen.prompts.push(input);
          seen.constraint = opts?.responseConstraint;
          return new ReadableStream<string>({
            start(controller) {
              for (const word of answer.split(/(?<= )/)) controller.enqueue(word);
              controller.close();
            },
          });
        },
        destroy: () => void (seen.destroyed += 1),
      };
    },
  };
  return { api, seen };
}

describe('Chrome built-in AI engine', () => {
  it('streams the on-device answer, free, with estimated usage', async () => {
    const { api, seen } = standIn('available');
    const pieces: string[] = [];
    const result = await createChromeEngine(api).generate({
      system: 'Be kind',
      prompt: 'Hi',
      onText: (d) => pieces.push(d),
    });
    expect(result.text).toBe('On-device answer');
    expect(pieces).toEqual(['On-device ', 'answer']);
    expect(pieces.join('')).toBe('On-device answer');
    expect(result.usage.estimated).toBe(true);
    expect(seen).toMatchObject({ prompts: ['Hi'], system: 'Be kind', destroyed: 1 });
  });

  it('constrains structured output with the schema', async () => {
    const { api, seen } = standIn('available', '{"label":"hot"}');
    const schema = { type: 'object', properties: { label: { enum: ['hot', 'cold'] } } };
    const result = await createChromeEngine(api).generate({ prompt: 'Classify', schema });
    expect(result.json).toEqual({ label: 'hot' });
    expect(seen.constraint).toBe(schema);
  });

  it('says to download the model first, or that it cannot run here', async () => {
    const download = createChromeEngine(standIn('downloadable').api).generate({ prompt: 'Hi' });
    await expect(download).rejects.toThrow('not downloaded yet');
    const none = createChromeEngine(standIn('unavailable').api).listModels();
    await expect(none).rejects.toBeInstanceOf(InklingError);
    await expect(createChromeEngine(undefined).generate({ prompt: 'Hi' })).rejects.toThrow(
      'not available in this browser',
    );
  });
});
