// The one place Notion clients are made. Everything that speaks Notion takes a Client from here.
import { Client, LogLevel } from '@notionhq/client';
import { pacerFor, type NotionPacer } from './pacer';

/** The API version Inkling is written against (data sources). */
export const NOTION_VERSION = '2025-09-03';
/** How long one Notion request may take before it is treated as failed. */
export const NOTION_TIMEOUT_MS = 60_000;

export function createNotionClient(token: string, pacer: NotionPacer = pacerFor(token)): Client {
  return new Client({
    auth: token,
    notionVersion: NOTION_VERSION,
    timeoutMs: NOTION_TIMEOUT_MS,
    // The pacer is the single retry layer (see pacer.ts).
    retry: false,
    fetch: pacer.fetch,
    logLevel: LogLevel.ERROR,
  });
}
