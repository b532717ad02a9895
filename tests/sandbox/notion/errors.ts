// Notion's error objects (apis.md §1.10): {object:"error", status, code, message, request_id}.
// Codes that the SDK should turn into APIResponseError are all in its APIErrorCode enum; only
// `missing_version` is not (and the real SDK reports it as UnknownHTTPResponseError, as we want).
import { SHOWN_VALUE_CHARS } from './limits.ts';

export type NotionErrorCode =
  | 'unauthorized'
  | 'restricted_resource'
  | 'object_not_found'
  | 'rate_limited'
  | 'invalid_json'
  | 'invalid_request_url'
  | 'invalid_request'
  | 'validation_error'
  | 'conflict_error'
  | 'missing_version';

export class NotionError extends Error {
  readonly status: number;
  readonly code: NotionErrorCode;
  readonly headers: Record<string, string>;
  readonly additionalData: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: NotionErrorCode,
    message: string,
    extra: { headers?: Record<string, string>; additionalData?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = extra.headers ?? {};
    this.additionalData = extra.additionalData;
  }

  body(requestId: string): Record<string, unknown> {
    return {
      object: 'error',
      status: this.status,
      code: this.code,
      message: this.message,
      request_id: requestId,
      ...(this.additionalData ? { additional_data: this.additionalData } : {}),
    };
  }
}

/** Marks "the field was not sent" in validation messages, which Notion prints as `undefined`. */
export const UNDEFINED: unique symbol = Symbol('undefined');

/** A value as Notion's validation messages quote it: JSON in backticks, cut after 55 characters. */
export function shown(value: unknown): string {
  if (value === UNDEFINED || value === undefined) return '`undefined`';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_VALUE_CHARS ? `\`${text.slice(0, SHOWN_VALUE_CHARS)}...\`` : `\`${text}\``;
}

/**
 * "body failed validation: body.children.length should be ≤ `100`, instead was `101`."
 * The location word (body, query, path) is the path's first segment.
 */
export function failed(path: string, expected: string, got: unknown = UNDEFINED): NotionError {
  const location = path.split(/[.[]/)[0];
  return validation(`${location} failed validation: ${path} should be ${expected}, instead was ${shown(got)}.`);
}

/** Notion's message for a value that matches none of a union: one "should be defined" line per branch. */
export function fixOne(paths: string[]): NotionError {
  const location = (paths[0] ?? 'body').split(/[.[]/)[0];
  const lines = paths.map((p) => `${p} should be defined, instead was \`undefined\`.`);
  return validation(`${location} failed validation. Fix one:\n${lines.join('\n')}`);
}

/** `"a"`, `"b"`, or `"c"` — how Notion lists the values an enum field may take. */
export function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `\`${JSON.stringify(v)}\``);
  if (quoted.length <= 2) return quoted.join(' or ');
  return `${quoted.slice(0, -1).join(', ')}, or ${quoted[quoted.length - 1]}`;
}

export function lengthAtMost(limit: number): string {
  return `≤ \`${limit}\``;
}

export function validation(message: string): NotionError {
  return new NotionError(400, 'validation_error', message);
}

/** What an object_not_found names; the API never tells "missing" from "not shared". */
export type NotFoundNoun = 'page' | 'database' | 'data source' | 'block' | 'user' | 'view' | 'view query';

export function notFound(noun: NotFoundNoun, id: string): NotionError {
  return new NotionError(
    404,
    'object_not_found',
    `Could not find ${noun} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

export function archivedError(): NotionError {
  return validation("Can't edit block that is archived. You must unarchive the block before editing.");
}

export const invalidJson = (): NotionError => new NotionError(400, 'invalid_json', 'Error parsing JSON body.');
export const invalidRequestUrl = (): NotionError => new NotionError(400, 'invalid_request_url', 'Invalid request URL.');
export const unauthorized = (): NotionError => new NotionError(401, 'unauthorized', 'API token is invalid.');
export const missingVersion = (): NotionError =>
  new NotionError(
    400,
    'missing_version',
    'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
  );

export function rateLimited(retryAfterSeconds: number): NotionError {
  return new NotionError(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', {
    headers: { 'retry-after': String(retryAfterSeconds) },
    additionalData: { rate_limit_reason: 'public_api_request_rate_limit' },
  });
}
