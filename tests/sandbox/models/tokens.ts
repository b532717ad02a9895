// Token arithmetic shared by every emulated provider. Real tokenizers differ per model; the
// sandbox uses one honest, deterministic rule so that tests can predict every number:
//   tokens(text) = ceil(code points / 4)
// Code points (not UTF-16 units) so that emoji and CJK text are never split in half by
// truncation or streaming. Images and files add what media.ts says they cost.
import type { PromptText } from './script.ts';

export const CHARS_PER_TOKEN = 4;

/** How many tokens a streamed chunk carries: real providers send one to a few tokens per event. */
export const TOKENS_PER_CHUNK = 3;

export function countTokens(text: string): number {
  return Math.ceil(Array.from(text).length / CHARS_PER_TOKEN);
}

/** The longest prefix of `text` that fits in `maxTokens`, as a max_tokens limit would cut it. */
export function truncateToTokens(text: string, maxTokens: number): string {
  const points = Array.from(text);
  const limit = Math.max(0, maxTokens) * CHARS_PER_TOKEN;
  return points.length <= limit ? text : points.slice(0, limit).join('');
}

/** Splits text into the pieces a stream would carry, `TOKENS_PER_CHUNK` tokens each. */
export function chunkText(text: string, tokensPerChunk = TOKENS_PER_CHUNK): string[] {
  const points = Array.from(text);
  const size = tokensPerChunk * CHARS_PER_TOKEN;
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size).join(''));
  return chunks;
}

/** Input tokens of a prompt: its text, then its attachments. */
export function promptTokens(p: PromptText): number {
  return countTokens(p.all) + (p.attachments ?? []).reduce((sum, a) => sum + a.tokens, 0);
}
