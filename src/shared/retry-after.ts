// How long a service asked to wait, from its response headers: `retry-after-ms` (OpenAI), or
// `retry-after` in seconds or as an HTTP date (RFC 9110). Headers come as a Headers object or, from
// some SDK errors, as a plain record.

type HeadersLike = Pick<Headers, 'get'> | Record<string, string | undefined>;

function header(headers: HeadersLike | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return (headers as Pick<Headers, 'get'>).get(name) ?? undefined;
  const record = headers as Record<string, string | undefined>;
  return record[name] ?? record[name.toLowerCase()];
}

/** Milliseconds to wait, or undefined when the headers name no (valid) wait. */
export function retryAfterMs(headers: unknown, now = Date.now()): number | undefined {
  const source = typeof headers === 'object' && headers !== null ? (headers as HeadersLike) : undefined;
  const ms = Number(header(source, 'retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms)) return Math.max(0, ms);
  const value = header(source, 'retry-after')?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
