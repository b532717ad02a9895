import { describe, expect, it } from 'vitest';
import { cleanSources, MAX_SOURCES, siteOf, sourcesMarkdown, sourcesRichText } from './sources';

describe('sources', () => {
  it('keeps web addresses only, each once, titled by their site when the provider gave no title', () => {
    expect(
      cleanSources([
        { url: 'https://example.com/a', title: 'A' },
        { url: 'javascript:alert(1)', title: 'Bad' },
        { url: 'data:text/html,<b>x</b>', title: 'Bad' },
        { url: 'not a url', title: 'Bad' },
        { url: 'https://example.com/a', title: 'A again' },
        { url: 'http://www.news.test/b', title: '  ' },
        { url: `https://long.test/${'x'.repeat(2_100)}`, title: 'Too long' },
      ]),
    ).toEqual([
      { url: 'https://example.com/a', title: 'A' },
      { url: 'http://www.news.test/b', title: 'www.news.test' },
    ]);
    // Notion measures the address as sent (encoded): a long address in Cyrillic is longer than it looks.
    const cyrillic = `https://ru.wikipedia.org/wiki/${'Ж'.repeat(400)}`;
    expect(cyrillic.length).toBeLessThan(2_000);
    expect(cleanSources([{ url: cyrillic, title: 'Ж' }])).toEqual([]);
    // A title is one line, cut between characters (never inside an emoji).
    const [titled] = cleanSources([{ url: 'https://e.test/', title: `A\n\nB\t${'😀'.repeat(300)}` }]);
    expect(titled?.title.startsWith('A B 😀')).toBe(true);
    expect(Array.from(titled!.title)).toHaveLength(200);
    expect(titled!.title.isWellFormed()).toBe(true);
    const many = Array.from({ length: 30 }, (_, i) => ({ url: `https://s${i}.test/`, title: `S${i}` }));
    expect(cleanSources(many)).toHaveLength(MAX_SOURCES);
    expect(siteOf({ url: 'https://www.example.com/x', title: '' })).toBe('example.com');
  });

  it('writes a cell of linked titles, one a line', () => {
    expect(
      sourcesRichText([
        { url: 'https://a.test/', title: 'A' },
        { url: 'https://b.test/', title: 'B' },
      ]),
    ).toEqual([
      { type: 'text', text: { content: 'A', link: { url: 'https://a.test/' } } },
      { type: 'text', text: { content: '\n', link: null } },
      { type: 'text', text: { content: 'B', link: { url: 'https://b.test/' } } },
    ]);
    expect(sourcesRichText([])).toEqual([]);
  });

  it('writes a "Sources" list whose titles cannot break out of their links', () => {
    expect(sourcesMarkdown([{ url: 'https://a.test/x?q=1', title: 'A [draft] \\ `code` *b*' }])).toBe(
      '## Sources\n\n- [A \\[draft\\] \\\\ \\`code\\` \\*b\\*](<https://a.test/x?q=1>)\n',
    );
    expect(sourcesMarkdown([])).toBe('');
  });
});
