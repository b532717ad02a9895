// Token budgets for what goes into a prompt, by the same rule of thumb the estimates use.
import { CHARS_PER_TOKEN } from '../llm/types';

/** Page content sent as context is cut to this many tokens. */
export const CONTEXT_MAX_TOKENS = 6_000;

/**
 * Cuts text to a token budget at a paragraph or line boundary where possible, and says so.
 * Never splits a surrogate pair.
 */
export function fitToBudget(
  text: string,
  maxTokens: number,
): { text: string; cut: boolean; keptTokens: number; totalTokens: number } {
  const totalTokens = Math.ceil(text.length / CHARS_PER_TOKEN);
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  if (text.length <= maxChars) return { text, cut: false, keptTokens: totalTokens, totalTokens };
  let end = maxChars;
  const paragraph = text.lastIndexOf('\n\n', end);
  const line = text.lastIndexOf('\n', end);
  if (paragraph > maxChars * 0.8) end = paragraph;
  else if (line > maxChars * 0.8) end = line;
  // Do not end between the two halves of an emoji or other astral character.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  const kept = text.slice(0, end).trimEnd();
  return { text: kept, cut: true, keptTokens: Math.ceil(kept.length / CHARS_PER_TOKEN), totalTokens };
}
