// The web search tools (OpenAI's `web_search`, Gemini's `googleSearch`) as the sandbox runs them:
// the queries a search runs, the pages it "finds" (scripted, or derived from the prompt so that each
// row of a job cites pages of its own), how long searching takes, and which spans of the answer cite
// which page. Each provider shapes these into its own wire format (responses.ts, gemini-grounding.ts).
import { createHash } from 'node:crypto';
import type { ClientWatch, ModelCall, Pacing } from './engine.ts';
import { firstLine } from './script.ts';
import type { PromptText, SearchScript, WebSource } from './script.ts';

/** A search lasts this many times the time to first token: ~300 ms at the default pacing, none at 0. */
const SEARCH_TIME_IN_FIRST_TOKENS = 10;
const DEFAULT_SEARCHES = 1;
const QUERY_MAX_CHARS = 100;
const SLUG_MAX_CHARS = 40;
/** A model's follow-up searches narrow its first query. */
const FOLLOW_UP_TERMS = ['latest', 'overview', 'facts', 'history'];

export interface WebSearch {
  /** One per search, in order; empty when the model chose not to search. */
  queries: string[];
  /** The pages the answer cites; empty when there was no search. */
  sources: WebSource[];
}

/** A call whose request offered no search tool, or whose model chose not to search. */
export const NO_SEARCH: WebSearch = { queries: [], sources: [] };

/**
 * What a call that offers a search tool searches for and finds: `searches` queries (default 1) — the
 * first line of the user text, then that line with a follow-up term — and the rule's `sources`, or
 * the default ones (see defaultSources).
 */
export function planWebSearch(script: SearchScript, prompt: PromptText): WebSearch {
  const count = Math.max(0, Math.floor(script.searches ?? DEFAULT_SEARCHES));
  if (count === 0) return NO_SEARCH;
  const subject = Array.from(firstLine(prompt)).slice(0, QUERY_MAX_CHARS).join('');
  const queries = Array.from({ length: count }, (_, i) =>
    i === 0 ? subject : `${subject} ${FOLLOW_UP_TERMS[(i - 1) % FOLLOW_UP_TERMS.length]}`,
  );
  return { queries, sources: script.sources ?? defaultSources(prompt.user) };
}

/**
 * The pages a search finds when no rule gives `sources`, from the user text (the user turns joined by
 * newlines), so that the same prompt always cites the same pages and different prompts different ones:
 *   https://encyclopedia.example/wiki/<path>   titled "<first line> - Encyclopedia"
 *   https://news.example/articles/<path>       titled "<first line> | News"
 * <path> is `<slug>-<hash>`: the slug is the first line lowercased without accents (NFKD, marks
 * dropped), each run of characters other than a-z and 0-9 turned into '-' (at most 40 characters, no
 * '-' at either end; when that leaves nothing, the path is `<hash>` alone), the hash the first 8 hex
 * digits of the user text's SHA-256.
 */
export function defaultSources(userText: string): WebSource[] {
  const line = firstLine({ system: '', user: userText, all: '' });
  const hash = createHash('sha256').update(userText).digest('hex').slice(0, 8);
  const slug = line
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX_CHARS)
    .replace(/^-+|-+$/g, '');
  const path = slug ? `${slug}-${hash}` : hash;
  const subject = line || hash;
  return [
    { url: `https://encyclopedia.example/wiki/${path}`, title: `${subject} - Encyclopedia` },
    { url: `https://news.example/articles/${path}`, title: `${subject} | News` },
  ];
}

/**
 * Runs the searches one after another, counting each finished one in `call.searches`; `progress`
 * lets a stream announce each search as it starts and ends. False when the client left meanwhile.
 */
export async function performSearches(
  search: WebSearch,
  pacing: Pacing,
  client: ClientWatch,
  call: ModelCall,
  progress?: { started(index: number): void; finished(index: number): void },
): Promise<boolean> {
  for (let i = 0; i < search.queries.length; i++) {
    if (client.gone) return false;
    progress?.started(i);
    if (!(await client.wait(pacing.timeToFirstTokenMs * SEARCH_TIME_IN_FIRST_TOKENS))) return false;
    call.searches = i + 1;
    progress?.finished(i);
  }
  return true;
}

/** A span of the answer, in code points (end exclusive), and the index of the source it cites. */
export interface Citation {
  start: number;
  end: number;
  source: number;
}

/**
 * Which spans of the answer cite which source. Plain text is split into one span per source, in
 * order, of about equal length and ending after a space where one is near (the spans cover the whole
 * text); JSON (structured output) cites each non-empty string value, the sources taking turns. No
 * sources or no text: no citations.
 */
export function citeSources(text: string, sourceCount: number, json: boolean): Citation[] {
  const points = Array.from(text);
  if (sourceCount === 0 || points.length === 0) return [];
  const values = json ? jsonStringValues(points) : [];
  if (values.length > 0) return values.map(([start, end], i) => ({ start, end, source: i % sourceCount }));
  const spans = Math.min(sourceCount, points.length);
  const even = (i: number) => Math.floor((i * points.length) / spans);
  // Move each inner boundary to just after the next space, unless that would reach the next boundary.
  const boundaries = Array.from({ length: spans + 1 }, (_, i) => {
    if (i === 0 || i === spans) return even(i);
    let at = even(i);
    while (at < even(i + 1) && !/\s/.test(points[at - 1] ?? '')) at++;
    return at < even(i + 1) ? at : even(i);
  });
  return Array.from({ length: spans }, (_, i) => ({
    start: boundaries[i] ?? 0,
    end: boundaries[i + 1] ?? points.length,
    source: i,
  }));
}

/** The contents (inside the quotes) of the string values of a JSON text, keys skipped. */
function jsonStringValues(points: string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < points.length; i++) {
    if (points[i] !== '"') continue;
    const start = i + 1;
    let end = start;
    while (end < points.length && points[end] !== '"') end += points[end] === '\\' ? 2 : 1;
    let next = end + 1;
    while (next < points.length && /\s/.test(points[next] ?? '')) next++;
    if (points[next] !== ':' && end > start) spans.push([start, Math.min(end, points.length)]);
    i = end;
  }
  return spans;
}
