// Chrome built-in AI: the on-device model behind the Prompt API (`LanguageModel`, Chrome 138+ for
// extensions). Free and private; offered only where availability() says it can run.
import { InklingError } from '../shared/problem';
import { modelProblem, toModelProblem, type ProblemContext } from './errors';
import { parseJsonAnswer } from './json';
import { estimateTokens, type Engine, type GenerateRequest, type GenerateResult } from './types';
import {
  CHROME_AI_MODEL,
  CHROME_AI_OPTIONS,
  chromeAiAvailability,
  chromeLanguageModel,
  type LanguageModelSession,
} from '../shared/chrome-ai';

const UNAVAILABLE_MESSAGE =
  import.meta.env.BROWSER === 'firefox'
    ? 'Chrome built-in AI needs Chrome: Firefox has no on-device model for extensions. Choose another engine in Settings.'
    : 'Chrome built-in AI is not available in this browser (it needs Chrome 138+ on a supported computer with about 22 GB free). Choose another engine in Settings.';

export function createChromeEngine(api = chromeLanguageModel()): Engine {
  const ctx: ProblemContext = { engine: 'chrome', model: CHROME_AI_MODEL };

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    if (!api) throw new InklingError(modelProblem('unsupported', UNAVAILABLE_MESSAGE));
    // Start refuses a run that would send files here; nothing is sent without them silently.
    if (request.attachments?.length)
      throw new InklingError(modelProblem('unsupported', 'Chrome built-in AI cannot read files.'));
    const availability = await chromeAiAvailability(api);
    if (availability === 'unavailable') throw new InklingError(modelProblem('unsupported', UNAVAILABLE_MESSAGE));
    if (availability !== 'available') {
      throw new InklingError(
        modelProblem(
          'unsupported',
          'Chrome’s on-device model is not downloaded yet. Open Settings and click “Download model”.',
        ),
      );
    }
    let session: LanguageModelSession | undefined;
    let text = '';
    try {
      session = await api.create({
        ...CHROME_AI_OPTIONS,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.system ? { initialPrompts: [{ role: 'system', content: request.system }] } : {}),
      });
      const stream = session.promptStreaming(request.prompt, {
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.schema ? { responseConstraint: request.schema } : {}),
      });
      for await (const piece of stream as AsyncIterable<string>) {
        text += piece;
        request.onText?.(piece, text);
      }
    } catch (error) {
      throw new InklingError(toModelProblem(error, ctx), { cause: error });
    } finally {
      session?.destroy();
    }
    const result: GenerateResult = {
      text,
      model: CHROME_AI_MODEL,
      // The on-device model reports no usage; it costs nothing, so an estimate is enough.
      usage: {
        inputTokens: estimateTokens((request.system ?? '') + request.prompt),
        outputTokens: estimateTokens(text),
        estimated: true,
      },
    };
    if (request.schema) result.json = parseJsonAnswer(text, ctx);
    return result;
  }

  async function listModels(): Promise<string[]> {
    const availability = await chromeAiAvailability(api);
    if (availability === 'unavailable') throw new InklingError(modelProblem('unsupported', UNAVAILABLE_MESSAGE));
    return [CHROME_AI_MODEL];
  }

  return { id: 'chrome', model: CHROME_AI_MODEL, generate, listModels };
}
