// OpenAI's Batch API for "Slow and cheap (batch)": the requests as a JSONL file of Chat Completions
// bodies (the same ones a call sends, openai.ts chatBody), one batch over it with the job's id in its
// metadata, and its output and error files read back as each request's answer or failure.
import { APIError, toFile } from 'openai';
import type OpenAI from 'openai';
import { InklingError } from '../shared/problem';
import type { BatchAnswer, BatchEngine, BatchItem, BatchStatus } from './types';
import { modelProblem, safetyProblem, toModelProblem, type ProblemContext } from './errors';
import { chatBody } from './openai-request';

/** The metadata key a batch carries the job's id under, to be found again. */
const LABEL_KEY = 'inkling_job';
/** Batches looked through to find one by its label: the most recent first. */
const FIND_LIMIT = 100;

interface OutputLine {
  custom_id: string;
  response?: { status_code: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

export function createOpenAIBatch(client: OpenAI, model: string, ctx: ProblemContext): BatchEngine {
  const fail = (error: unknown) => new InklingError(toModelProblem(error, ctx), { cause: error });

  async function readLines(fileId: string | null | undefined, signal?: AbortSignal): Promise<OutputLine[]> {
    if (!fileId) return [];
    const text = await (await client.files.content(fileId, { signal })).text();
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as OutputLine);
  }

  function answerOf(line: OutputLine): BatchAnswer {
    const key = line.custom_id;
    if (line.error && !line.response)
      return {
        key,
        problem:
          line.error.code === 'batch_expired'
            ? modelProblem(
                'batch_expired',
                'The batch’s 24 hours ran out before this row was answered. Retry failed sends it again.',
              )
            : line.error.code === 'batch_cancelled'
              ? modelProblem(
                  'unavailable',
                  'The batch was cancelled before this row was answered. Retry failed sends it again.',
                )
              : modelProblem(
                  'unavailable',
                  `OpenAI could not answer this row (${line.error.message ?? line.error.code}).`,
                ),
      };
    const status = line.response?.status_code ?? 0;
    if (status !== 200) {
      const body = line.response?.body as { error?: { message?: string } } | undefined;
      return {
        key,
        problem: toModelProblem(APIError.generate(status, body, body?.error?.message, new Headers()), ctx),
      };
    }
    const completion = line.response!.body as OpenAI.Chat.ChatCompletion;
    const choice = completion.choices[0];
    if (choice?.finish_reason === 'content_filter') return { key, problem: safetyProblem(ctx, 'content filter') };
    const text = choice?.message.content ?? '';
    return {
      key,
      text,
      usage: completion.usage
        ? {
            inputTokens: completion.usage.prompt_tokens,
            outputTokens: completion.usage.completion_tokens,
            estimated: false,
          }
        : { inputTokens: 0, outputTokens: Math.ceil(text.length / 4), estimated: true },
    };
  }

  return {
    async submit(items: readonly BatchItem[], label: string, signal?: AbortSignal): Promise<string> {
      const jsonl = items
        .map((item) =>
          JSON.stringify({
            custom_id: item.key,
            method: 'POST',
            url: '/v1/chat/completions',
            body: chatBody(item.request, model),
          }),
        )
        .join('\n');
      try {
        const file = await client.files.create(
          { file: await toFile(new TextEncoder().encode(jsonl), `inkling-${label}.jsonl`), purpose: 'batch' },
          { signal },
        );
        const batch = await client.batches.create(
          {
            input_file_id: file.id,
            endpoint: '/v1/chat/completions',
            completion_window: '24h',
            metadata: { [LABEL_KEY]: label },
          },
          { signal },
        );
        return batch.id;
      } catch (error) {
        throw fail(error);
      }
    },

    async find(label: string, signal?: AbortSignal): Promise<string | undefined> {
      try {
        let seen = 0;
        for await (const batch of client.batches.list({ limit: FIND_LIMIT }, { signal })) {
          if ((batch.metadata as Record<string, string> | null)?.[LABEL_KEY] === label) return batch.id;
          if (++seen >= FIND_LIMIT) break;
        }
        return undefined;
      } catch (error) {
        throw fail(error);
      }
    },

    async status(id: string, signal?: AbortSignal): Promise<BatchStatus> {
      let batch: OpenAI.Batches.Batch;
      try {
        batch = await client.batches.retrieve(id, { signal });
      } catch (error) {
        throw fail(error);
      }
      const counts = batch.request_counts
        ? {
            total: batch.request_counts.total,
            done: batch.request_counts.completed,
            failed: batch.request_counts.failed,
          }
        : undefined;
      const withCounts = <T extends BatchStatus>(status: T): T => (counts ? { ...status, counts } : status);
      switch (batch.status) {
        case 'completed':
          return withCounts({ state: 'done' });
        case 'expired':
          return withCounts({ state: 'expired' });
        case 'cancelled':
          return withCounts({ state: 'cancelled' });
        case 'failed': {
          const reason = batch.errors?.data?.map((e) => e.message).join(' ') || 'it failed';
          return withCounts({
            state: 'failed',
            problem: modelProblem('unavailable', `OpenAI did not take the batch (${reason}).`),
          });
        }
        default:
          return withCounts({ state: 'running' });
      }
    },

    async answers(id: string, keys: readonly string[], signal?: AbortSignal): Promise<BatchAnswer[]> {
      try {
        const batch = await client.batches.retrieve(id, { signal });
        const lines = [
          ...(await readLines(batch.output_file_id, signal)),
          ...(await readLines(batch.error_file_id, signal)),
        ];
        const answered = lines.map(answerOf);
        // A cancelled batch lists only what it finished: the rest was never answered.
        const never =
          batch.status === 'cancelled' || batch.status === 'cancelling'
            ? 'The batch was cancelled before this row was answered. Retry failed sends it again.'
            : 'The batch ended before this row was answered. Retry failed sends it again.';
        const seen = new Set(answered.map((a) => a.key));
        const unanswered = keys.filter((key) => !seen.has(key));
        return [
          ...answered,
          ...unanswered.map((key) => ({
            key,
            problem: modelProblem('unavailable', never),
          })),
        ];
      } catch (error) {
        throw fail(error);
      }
    },

    async cancel(id: string): Promise<void> {
      try {
        await client.batches.cancel(id);
      } catch (error) {
        throw fail(error);
      }
    },
  };
}
