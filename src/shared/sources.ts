// The pages a web-searching answer cites: kept as the provider gave them (each once, web addresses
// only), and written into Notion as links — a "Sources" cell of a row, or a "Sources" list under a page's
// answer. Pure, so every context can show them.

/** A page the answer cites. */
export interface Source {
  url: string;
  title: string;
}

/** Sources written with one answer at most: a cell's text holds 100 pieces, and a reader wants a few. */
export const MAX_SOURCES = 10;
/** Notion refuses links longer than this. */
const MAX_URL_CHARS = 2_000;
/** A title is cut here (Notion takes 2,000 characters a piece of text; a title needs far fewer). */
const MAX_TITLE_CHARS = 200;

/**
 * The sources worth writing: http(s) addresses only (an answer never makes Inkling link anything
 * else), each once, titled (by its site when the provider gave no title), at most MAX_SOURCES.
 */
export function cleanSources(sources: Iterable<Source>): Source[] {
  const kept = new Map<string, Source>();
  for (const { url, title } of sources) {
    if (kept.size >= MAX_SOURCES) break;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    // The address as written (parsed, so encoded): what Notion measures against its limit.
    if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.href.length > MAX_URL_CHARS) continue;
    if (kept.has(parsed.href)) continue;
    // One line, cut between characters (never inside an emoji), so Notion keeps exactly what was sent.
    const name = title.replace(/\s+/g, ' ').trim() || parsed.hostname;
    kept.set(parsed.href, { url: parsed.href, title: Array.from(name).slice(0, MAX_TITLE_CHARS).join('') });
  }
  return [...kept.values()];
}

/** The site a source is on, as a reader names it ("example.com"). */
export function siteOf(source: Source): string {
  try {
    return new URL(source.url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** Sources as the text of a Notion cell: one linked title a line. */
export function sourcesRichText(
  sources: readonly Source[],
): Array<{ type: 'text'; text: { content: string; link: { url: string } | null } }> {
  return sources.flatMap((source, i) => [
    ...(i > 0 ? [{ type: 'text' as const, text: { content: '\n', link: null } }] : []),
    { type: 'text' as const, text: { content: source.title, link: { url: source.url } } },
  ]);
}

/** A title as Markdown link text: every ASCII punctuation mark escaped, so no title can end the link or format. */
const escapeLinkText = (text: string) => text.replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);

/** Sources as the Markdown list that follows a page's answer (links are escaped so a title cannot break them). */
export function sourcesMarkdown(sources: readonly Source[]): string {
  if (sources.length === 0) return '';
  const lines = sources.map((s) => `- [${escapeLinkText(s.title)}](<${s.url.replace(/[<>]/g, encodeURIComponent)}>)`);
  return `## Sources\n\n${lines.join('\n')}\n`;
}
