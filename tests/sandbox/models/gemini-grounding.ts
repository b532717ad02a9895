// Gemini's Google Search grounding as the candidate's `groundingMetadata` carries it: the queries
// run, Google's search-suggestion chip (searchEntryPoint), the pages as Google redirect links titled
// by their domain (groundingChunks), and the spans of the answer each page supports
// (groundingSupports, offsets in UTF-8 bytes). What is searched and cited comes from search.ts.
import { createHash } from 'node:crypto';
import { citeSources } from './search.ts';
import type { Citation, WebSearch } from './search.ts';

const REDIRECT_BASE = 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/';
/** Real redirect tokens all start like this. */
const REDIRECT_TOKEN_PREFIX = 'AUZIYQ';

/**
 * The link Gemini cites a page by: a Google redirect whose token is opaque but fixed per page, so a
 * test can map the cited links back to the pages (ModelApis.groundingRedirectFor).
 */
export function groundingRedirectFor(url: string): string {
  return `${REDIRECT_BASE}${REDIRECT_TOKEN_PREFIX}${createHash('sha256').update(url).digest('base64url')}`;
}

/** Gemini titles a page by its site's domain, not the page's own title. */
function siteDomain(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/** The grounding of an answer that searched (`search.queries` not empty); `json` for structured output. */
export function groundingMetadata(search: WebSearch, text: string, json: boolean): Record<string, unknown> {
  return {
    searchEntryPoint: { renderedContent: searchEntryPoint(search.queries) },
    groundingChunks: search.sources.map((source) => ({
      web: { uri: groundingRedirectFor(source.url), title: siteDomain(source.url) },
    })),
    groundingSupports: citeSources(text, search.sources.length, json).map((citation) => ({
      segment: byteSegment(text, citation),
      groundingChunkIndices: [citation.source],
    })),
    webSearchQueries: search.queries,
  };
}

/**
 * A citation as Gemini's Segment: offsets in UTF-8 bytes into the whole answer (all chunks of a
 * stream joined). A zero startIndex is left out, as proto3 JSON leaves out every default value.
 */
function byteSegment(text: string, citation: Citation): Record<string, unknown> {
  const points = Array.from(text);
  const startIndex = Buffer.byteLength(points.slice(0, citation.start).join(''));
  const cited = points.slice(citation.start, citation.end).join('');
  return { ...(startIndex > 0 ? { startIndex } : {}), endIndex: startIndex + Buffer.byteLength(cited), text: cited };
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);

/** The "Search suggestions" chip Google requires apps to show: one link to Google per query. */
function searchEntryPoint(queries: string[]): string {
  const chips = queries.map((query) => {
    const href = `https://www.google.com/search?${new URLSearchParams({ q: query, client: 'app-vertex-grounding', safesearch: 'active' })}`;
    return `    <a class="chip" href="${escapeHtml(href)}">${escapeHtml(query)}</a>`;
  });
  return [
    '<style>',
    '.container { align-items: center; border-radius: 8px; display: flex; font-family: Google Sans, Roboto, sans-serif; font-size: 14px; line-height: 20px; padding: 8px 12px; }',
    '.chip { display: inline-block; border: solid 1px; border-radius: 16px; min-width: 14px; padding: 5px 16px; text-align: center; user-select: none; margin: 0 8px; }',
    '.carousel { overflow: auto; scrollbar-width: none; white-space: nowrap; margin-right: -12px; }',
    '.headline { display: flex; margin-right: 4px; }',
    '</style>',
    '<div class="container">',
    '  <div class="headline"><svg class="logo" viewBox="0 0 48 48" width="20" height="20" aria-label="Google"><circle cx="24" cy="24" r="20" fill="#4285F4"/></svg></div>',
    '  <div class="carousel">',
    ...chips,
    '  </div>',
    '</div>',
    '',
  ].join('\n');
}
