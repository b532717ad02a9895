// The prompt for a page run: the user's words, the house style that makes answers land as clean
// Notion blocks, and (if asked) the page's current content.
import type { GenerateRequest } from '../llm/types';
import { CONTEXT_MAX_TOKENS, fitToBudget } from './budget';

export const PAGE_SYSTEM_PROMPT = [
  'You write content that will be inserted into a Notion page.',
  'Answer in Markdown: headings (#, ##, ###), paragraphs, bulleted, numbered and task lists (nested where it helps), tables, block quotes, and fenced code blocks with a language.',
  'Write only the content itself: no preamble such as "Sure, here is", no closing remarks, and do not wrap the whole answer in a code block.',
  'Use $$ … $$ on their own lines only for display math; write money as plain text.',
].join(' ');

export interface PagePromptInput {
  prompt: string;
  /** The page's content as Markdown, when the user asked to use it. */
  pageMarkdown?: string;
  pageTitle: string;
}

export interface PagePrompt {
  request: Pick<GenerateRequest, 'system' | 'prompt'>;
  /** Shown to the user when the page content was cut to fit. */
  contextNote?: string;
}

export function buildPagePrompt({ prompt, pageMarkdown, pageTitle }: PagePromptInput): PagePrompt {
  if (pageMarkdown === undefined) {
    return { request: { system: PAGE_SYSTEM_PROMPT, prompt: prompt.trim() } };
  }
  const fitted = fitToBudget(pageMarkdown.trim(), CONTEXT_MAX_TOKENS);
  const context = fitted.text || '(The page is empty.)';
  const result: PagePrompt = {
    request: {
      system: PAGE_SYSTEM_PROMPT,
      prompt: `${prompt.trim()}\n\nThe Notion page “${pageTitle}” currently contains:\n<page>\n${context}\n</page>`,
    },
  };
  if (fitted.cut) {
    result.contextNote = `Only the first ~${fitted.keptTokens.toLocaleString('en')} of ~${fitted.totalTokens.toLocaleString('en')} tokens of the page were sent as context.`;
  }
  return result;
}
