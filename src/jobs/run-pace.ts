// How wide a database run goes so that Notion's queue never runs dry: Little's law. Notion takes about
// three writes a second; a model call takes W seconds; so 3·W calls must be in flight for a write to be
// ready each time Notion can take one. W is measured as the run goes, so the width follows a model that
// gets slower or faster, within what the engine's preset allows.
import { NOTION_REQUESTS_PER_SECOND } from '../notion/pacer';
import type { EngineLimits } from '../shared/limit-presets';

/** Answers ready to be written that a run keeps ahead of the writer: two seconds of Notion's writes. */
export const WRITE_BUFFER_ROWS = 2 * NOTION_REQUESTS_PER_SECOND;

/** A quarter more than the law asks for, and one more: calls vary, and Notion should never wait. */
const HEADROOM = 1.25;

/**
 * Model calls to have in flight: enough for Notion's rate at the measured latency, never more than
 * the engine allows at once, nor more than its requests a minute can sustain over one call's time.
 * Before the first answer, as many as the engine allows: the first calls start early and wide.
 */
export function callsInFlight(latencyMs: number | undefined, limits: EngineLimits): number {
  const cap = Math.max(1, limits.concurrency);
  if (latencyMs === undefined) return cap;
  const needed = Math.ceil(NOTION_REQUESTS_PER_SECOND * (latencyMs / 1000) * HEADROOM) + 1;
  return Math.max(1, Math.min(cap, needed));
}

/** Rows a run keeps read ahead of its writer: those being answered, and a buffer of answers to write. */
export function readAheadRows(inFlight: number): number {
  return inFlight + WRITE_BUFFER_ROWS;
}

/** Rows one packed call may carry at most: a longer answer is more likely to lose its way. */
export const PACK_MAX_ROWS = 25;
/** A pack's rows may add this many prompt tokens, and expect this many answer tokens, at most. */
export const PACK_PROMPT_TOKENS = 6_000;
export const PACK_ANSWER_TOKENS = 4_000;

/**
 * Rows per model call: 1 unless the engine's requests a minute, not Notion, bound the run; then as
 * many as keep Notion's writes going at that many calls a minute (with the same headroom), within
 * PACK_MAX_ROWS. The prompt's size narrows a pack further (packsOf).
 */
export function rowsPerCall(limits: EngineLimits): number {
  const callsPerSecond = limits.requestsPerMinute / 60;
  if (limits.requestsPerMinute <= 0 || callsPerSecond >= NOTION_REQUESTS_PER_SECOND) return 1;
  return Math.min(PACK_MAX_ROWS, Math.ceil((NOTION_REQUESTS_PER_SECOND / callsPerSecond) * HEADROOM));
}

/**
 * Rows per model call for a run or a Preview: one when the user turned packing off, with web search
 * (a search serves one row, and each answer keeps the sources it was built from), in a chained run
 * (each row's later call is built from its own earlier answer), or when rows send files (each row's
 * files go with its own prompt).
 */
export function rowsPerCallFor(
  run: { packRows?: boolean; webSearch?: boolean; steps?: readonly unknown[]; fileColumns?: readonly string[] },
  limits: EngineLimits,
): number {
  const alone = run.packRows === false || run.webSearch || (run.steps?.length ?? 0) > 1 || run.fileColumns?.length;
  return alone ? 1 : rowsPerCall(limits);
}

/**
 * Splits rows into packs of at most `perCall`, each within the prompt and answer budgets (a row too big
 * for any pack goes alone), keeping the rows' order.
 */
export function packsOf<T>(
  rows: readonly T[],
  perCall: number,
  size: (row: T) => { promptTokens: number; answerTokens: number },
): T[][] {
  const packs: T[][] = [];
  let pack: T[] = [];
  let prompt = 0;
  let answer = 0;
  for (const row of rows) {
    const cost = size(row);
    const full =
      pack.length >= perCall ||
      prompt + cost.promptTokens > PACK_PROMPT_TOKENS ||
      answer + cost.answerTokens > PACK_ANSWER_TOKENS;
    if (pack.length > 0 && full) {
      packs.push(pack);
      pack = [];
      prompt = 0;
      answer = 0;
    }
    pack.push(row);
    prompt += cost.promptTokens;
    answer += cost.answerTokens;
  }
  if (pack.length > 0) packs.push(pack);
  return packs;
}
