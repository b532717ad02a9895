import { describe, expect, it } from 'vitest';
import { fitToBudget } from './budget';
import { buildPagePrompt, PAGE_SYSTEM_PROMPT } from './page-prompt';

describe('buildPagePrompt', () => {
  it('sends the prompt as written, with the house style as the system prompt', () => {
    expect(buildPagePrompt({ prompt: '  Write a haiku  ', pageTitle: 'P' }).request).toEqual({
      system: PAGE_SYSTEM_PROMPT,
      prompt: 'Write a haiku',
    });
  });

  it('adds the page content when asked, and notes when it had to be cut', () => {
    const small = buildPagePrompt({ prompt: 'Summarise', pageTitle: 'Notes', pageMarkdown: '# A\n\nB' });
    expect(small.request.prompt).toContain('“Notes” currently contains:\n<page>\n# A\n\nB\n</page>');
    expect(small.contextNote).toBeUndefined();
    const big = buildPagePrompt({
      prompt: 'Summarise',
      pageTitle: 'Notes',
      pageMarkdown: 'word '.repeat(10_000) + '\n\n' + 'end '.repeat(10_000),
    });
    expect(big.contextNote).toMatch(/^Only the first ~[\d,]+ of ~[\d,]+ tokens of the page were sent as context\.$/);
    expect(big.request.prompt.length).toBeLessThan(6_000 * 4 + 200);
  });
});

describe('fitToBudget', () => {
  it('cuts at a paragraph boundary and never inside an emoji', () => {
    const text = 'a'.repeat(390) + '\n\n' + 'b'.repeat(100);
    expect(fitToBudget(text, 100)).toMatchObject({ text: 'a'.repeat(390), cut: true });
    const emoji = 'x'.repeat(399) + '😀' + 'y'.repeat(50);
    const cut = fitToBudget(emoji, 100).text;
    expect(cut).toBe('x'.repeat(399));
    expect(fitToBudget('short', 100)).toEqual({ text: 'short', cut: false, keptTokens: 2, totalTokens: 2 });
  });
});
