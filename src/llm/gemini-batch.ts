// Gemini's batch mode for "Slow and cheap (batch)": the requests inline in one batch job (the same
// contents and config a call sends, gemini.ts), named by the job's id, its responses read back in the
// order they were sent (each also carries its key in its metadata); a request with no answer ran out of time.
import type { GoogleGenAI, BatchJob, GenerateContentResponse } from '@google/genai';
import { InklingError } from '../shared/problem';
import type { BatchAnswer, BatchEngine, BatchItem, BatchStatus } from './types';
import { modelProblem, safetyProblem, toModelProblem, type ProblemContext } from './errors';
import { geminiConfig, geminiContents } from './gemini-request';
import { estimateTokens } from './types';

/** Batch jobs looked through to find one by its name: the most recent first. */
const FIND_LIMIT = 100;

const BLOCKED = new Set(['SAFETY', 'RECITATION', 'PROHIBITED_CONTENT', 'SPII', 'BLOCKLIST']);

const ranOut = () =>
  modelProblem('batch_expired', 'The batch’s time ran out before this row was answered. Retry failed sends it again.');
const stopped = () =>
  modelProblem('unavailable', 'The batch was cancelled before this row was answered. Retry failed sends it again.');

export function createGeminiBatch(ai: GoogleGenAI, model: string, ctx: ProblemContext): BatchEngine {
  const fail = (error: unknown) => new InklingError(toModelProblem(error, ctx), { cause: error });

  function answerOf(key: string, response: GenerateContentResponse): BatchAnswer {
    const blocked = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason;
    if (blocked && BLOCKED.has(String(blocked))) return { key, problem: safetyProblem(ctx, String(blocked)) };
    const text = response.candidates?.[0]?.content?.parts?.map((p) => p.text ?? '').join('') ?? '';
    const usage = response.usageMetadata;
    return {
      key,
      text,
      usage: usage?.promptTokenCount
        ? {
            inputTokens: usage.promptTokenCount,
            outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
            estimated: false,
          }
        : { inputTokens: 0, outputTokens: estimateTokens(text), estimated: true },
    };
  }

  async function job(id: string, signal?: AbortSignal): Promise<BatchJob> {
    try {
      return await ai.batches.get({ name: id, ...(signal ? { config: { abortSignal: signal } } : {}) });
    } catch (error) {
      throw fail(error);
    }
  }

  return {
    async submit(items: readonly BatchItem[], label: string, signal?: AbortSignal): Promise<string> {
      try {
        const created = await ai.batches.create({
          model,
          src: items.map((item) => ({
            contents: geminiContents(item.request),
            config: geminiConfig(item.request),
            metadata: { key: item.key },
          })),
          config: { displayName: label, ...(signal ? { abortSignal: signal } : {}) },
        });
        if (!created.name)
          throw new InklingError(modelProblem('unavailable', 'Gemini did not name the batch. Try again.'));
        return created.name;
      } catch (error) {
        throw fail(error);
      }
    },

    async find(label: string, signal?: AbortSignal): Promise<string | undefined> {
      try {
        const pager = await ai.batches.list({
          config: { pageSize: FIND_LIMIT, ...(signal ? { abortSignal: signal } : {}) },
        });
        let seen = 0;
        for await (const batch of pager) {
          if (batch.displayName === label && batch.name) return batch.name;
          if (++seen >= FIND_LIMIT) break;
        }
        return undefined;
      } catch (error) {
        throw fail(error);
      }
    },

    async status(id: string, signal?: AbortSignal): Promise<BatchStatus> {
      const batch = await job(id, signal);
      switch (batch.state) {
        case 'JOB_STATE_SUCCEEDED':
          return { state: 'done' };
        case 'JOB_STATE_EXPIRED':
          return { state: 'expired' };
        case 'JOB_STATE_CANCELLED':
          return { state: 'cancelled' };
        case 'JOB_STATE_FAILED':
          return {
            state: 'failed',
            problem: modelProblem(
              'unavailable',
              `Gemini did not take the batch (${batch.error?.message ?? 'it failed'}).`,
            ),
          };
        default:
          return { state: 'running' };
      }
    },

    async answers(id: string, keys: readonly string[], signal?: AbortSignal): Promise<BatchAnswer[]> {
      const batch = await job(id, signal);
      const responses = batch.dest?.inlinedResponses ?? [];
      const answered = responses.map((inlined, i): BatchAnswer => {
        const key = inlined.metadata?.key ?? keys[i] ?? String(i);
        // A request an expired or cancelled batch never reached comes back as an error in its place.
        if (inlined.error && batch.state === 'JOB_STATE_EXPIRED') return { key, problem: ranOut() };
        if (inlined.error && batch.state === 'JOB_STATE_CANCELLED') return { key, problem: stopped() };
        if (inlined.error || !inlined.response)
          return {
            key,
            problem: modelProblem(
              'unavailable',
              `Gemini could not answer this row (${inlined.error?.message ?? 'no answer'}).`,
            ),
          };
        return answerOf(key, inlined.response);
      });
      // An expired or cancelled batch answers only what it finished: the rest of what was sent never was.
      const seen = new Set(answered.map((a) => a.key));
      const unanswered = keys.filter((key) => !seen.has(key));
      const never = batch.state === 'JOB_STATE_CANCELLED' ? stopped : ranOut;
      return [...answered, ...unanswered.map((key) => ({ key, problem: never() }))];
    },

    async cancel(id: string): Promise<void> {
      try {
        await ai.batches.cancel({ name: id });
      } catch (error) {
        throw fail(error);
      }
    },
  };
}
