// Notion failures → Problems with a message that says what to do. One place, so every screen words
// the same failure the same way.
import {
  APIErrorCode,
  APIResponseError,
  isHTTPResponseError,
  isNotionClientError,
  RequestTimeoutError,
} from '@notionhq/client';
import { InklingError, isAbortError, logRaw, type Problem } from '../shared/problem';
import { retryAfterMs as retryAfterOf } from '../shared/retry-after';

export type NotionProblemKind =
  | 'no_token'
  | 'unauthorized'
  | 'not_shared'
  | 'restricted'
  | 'wrong_kind'
  | 'view_missing'
  | 'validation'
  | 'rate_limited'
  | 'conflict'
  | 'unavailable'
  | 'network'
  | 'timeout'
  | 'aborted';

export type NotionObjectKind = 'page' | 'database' | 'object';

const SHARE_HINT = 'In Notion, open it, click ••• → Connections, and add your integration.';

export function notionProblem(kind: NotionProblemKind, message: string, retryAfterMs?: number): Problem {
  const retryable = ['rate_limited', 'conflict', 'unavailable', 'network', 'timeout'].includes(kind);
  return { source: 'notion', kind, message, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

export const NO_TOKEN_PROBLEM = notionProblem(
  'no_token',
  'Add your Notion internal integration secret in Settings first.',
);

/** Maps anything thrown by a Notion call to a Problem. `about` names what was being accessed. */
export function toNotionProblem(error: unknown, about: NotionObjectKind = 'object'): Problem {
  if (error instanceof InklingError) return error.problem;
  if (isAbortError(error)) return notionProblem('aborted', 'Stopped.');
  logRaw('notion', error);
  if (RequestTimeoutError.isRequestTimeoutError(error)) {
    return notionProblem('timeout', 'Notion took too long to answer. Try again in a moment.');
  }
  if (APIResponseError.isAPIResponseError(error)) {
    const retryAfterMs = retryAfterOf(error.headers);
    switch (error.code) {
      case APIErrorCode.Unauthorized:
        return notionProblem(
          'unauthorized',
          'Notion did not accept this secret. Copy your integration’s secret again from notion.so/profile/integrations and save it in Settings.',
        );
      case APIErrorCode.ObjectNotFound:
        return notionProblem(
          'not_shared',
          `Inkling can’t see this ${about === 'object' ? 'page or database' : about}. ${SHARE_HINT}`,
        );
      case APIErrorCode.RestrictedResource:
        return notionProblem(
          'restricted',
          'Your integration is missing a capability for this. In notion.so/profile/integrations, allow it to read, update and insert content.',
        );
      case APIErrorCode.RateLimited:
        return notionProblem(
          'rate_limited',
          'Notion is rate-limiting requests. Inkling waits and carries on.',
          retryAfterMs,
        );
      case APIErrorCode.ConflictError:
        return notionProblem('conflict', 'Notion reported a conflict while saving. Try again.');
      case APIErrorCode.ValidationError: {
        const wrongKind = /is an? (page|database|block|data source), not an? (page|database|block|data source)/i.exec(
          error.message,
        );
        if (wrongKind)
          return notionProblem(
            'wrong_kind',
            `This link is a ${wrongKind[1]?.toLowerCase()}, not a ${wrongKind[2]?.toLowerCase()}.`,
          );
        return notionProblem('validation', `Notion rejected the request: ${error.message}`);
      }
      case APIErrorCode.InternalServerError:
      case APIErrorCode.ServiceUnavailable:
      case APIErrorCode.GatewayTimeout:
      case APIErrorCode.ServiceOverload:
        return notionProblem(
          'unavailable',
          `Notion is having trouble (HTTP ${error.status}). Try again in a minute.`,
          retryAfterMs,
        );
      default:
        return notionProblem('validation', `Notion rejected the request: ${error.message}`);
    }
  }
  if (isHTTPResponseError(error)) {
    return notionProblem('unavailable', `Notion is having trouble (HTTP ${error.status}). Try again in a minute.`);
  }
  if (isNotionClientError(error)) {
    return notionProblem('unavailable', 'Notion answered in a way Inkling did not understand. Try again in a minute.');
  }
  // fetch() rejects with a TypeError when the network is down or the connection dropped.
  return notionProblem('network', 'Couldn’t reach Notion. Check your internet connection and try again.');
}
