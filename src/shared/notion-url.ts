// Notion links → the ids inside them. Pure; the background decides what the id is by asking the API.
// Shapes (apis.md §3): /<Title>-<32hex>, /<ws>/<Title>-<32hex>, /<32hex>?v=<view>, …&p=<page>&pm=s (peek),
// <sub>.notion.site/…, a bare 32-hex id or dashed UUID.

export interface NotionLink {
  /** The object the link is about, as a dashed lowercase UUID. */
  id: string;
  /** A `?v=` view id: the path id is then a database. */
  viewId?: string;
  /** The database a peeked row (`&p=`) was opened from. */
  databaseId?: string;
}

const HEX32 = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRAILING_ID = /(?:^|-)([0-9a-f]{32})$/i;

export function toUuid(hex32: string): string {
  const h = hex32.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The id from a bare id, or null. */
function bareId(text: string): string | null {
  if (HEX32.test(text) || UUID.test(text)) return toUuid(text);
  return null;
}

function isNotionHost(host: string): boolean {
  return host === 'notion.so' || host === 'www.notion.so' || host.endsWith('.notion.site');
}

/** Parses a Notion link or id; null when it is neither. */
export function parseNotionLink(input: string): NotionLink | null {
  const text = input.trim();
  const bare = bareId(text);
  if (bare) return { id: bare };
  let url: URL;
  try {
    url = new URL(text.replace(/^notion:\/\//, 'https://'));
  } catch {
    return null;
  }
  if (!/^https?:$/.test(url.protocol) || !isNotionHost(url.hostname)) return null;
  const lastSegment = url.pathname.split('/').filter(Boolean).pop() ?? '';
  const pathHex = TRAILING_ID.exec(lastSegment)?.[1];
  const pathId = pathHex ? toUuid(pathHex) : null;
  const peek = url.searchParams.get('p');
  const peekId = peek ? bareId(peek) : null;
  const view = url.searchParams.get('v');
  const viewId = view ? (bareId(view) ?? undefined) : undefined;
  if (peekId) return pathId ? { id: peekId, databaseId: pathId } : { id: peekId };
  if (!pathId) return null;
  return viewId ? { id: pathId, viewId } : { id: pathId };
}

/** The same link, for comparing two URLs: does the target differ? */
export function linkKey(link: NotionLink | null): string {
  return link ? `${link.id}|${link.viewId ?? ''}` : '';
}
