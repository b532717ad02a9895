// Notion ids and URLs. Ids are UUIDs: responses carry them dashed and lowercase, requests may send
// them dashed or as 32 hex digits (apis.md §3).
import { createHash, randomUUID } from 'node:crypto';

const DASHED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMPACT_ID = /^[0-9a-f]{32}$/i;

/** The dashed lowercase form of an id sent dashed or compact; `undefined` when it is not an id. */
export function normalizeId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  if (DASHED_ID.test(trimmed)) return trimmed.toLowerCase();
  if (COMPACT_ID.test(trimmed)) return dashed(trimmed.toLowerCase());
  return undefined;
}

/** The 32-hex form used in notion.so URLs. */
export function compactId(id: string): string {
  return id.replace(/-/g, '').toLowerCase();
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function newId(): string {
  return randomUUID();
}

/**
 * A UUID derived from its parts, so fixtures (and things derived from them, like option ids) get the
 * same id after every reset.
 */
export function stableId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 32).split('');
  hex[12] = '4'; // version 4 …
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16); // … RFC 4122 variant
  return dashed(hex.join(''));
}

// Real property ids are four printable characters, URL-encoded ("%3AUPp", "a%3Bc"); the punctuation is
// there on purpose so clients that forget to decode/encode them are caught.
const PROPERTY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:;<=>?@[]^`{|}~';

/** A property id (already URL-encoded, as the API returns it), stable for its seed. */
export function propertyIdFor(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let raw = '';
  for (let i = 0; i < 4; i++) raw += PROPERTY_ID_ALPHABET[(digest[i] ?? 0) % PROPERTY_ID_ALPHABET.length];
  return encodeURIComponent(raw);
}

/** "Inkling Playground" → "Inkling-Playground": words of letters and digits joined by dashes. */
export function titleSlug(title: string): string {
  return (title.match(/[\p{L}\p{N}]+/gu) ?? []).join('-');
}

/** The `url` the API gives a page: https://www.notion.so/<Title-With-Dashes>-<32hex>. */
export function pageUrl(title: string, id: string): string {
  const slug = titleSlug(title);
  return `https://www.notion.so/${slug ? `${slug}-` : ''}${compactId(id)}`;
}

/** The `url` of a database or data source, and the `href` of a mention: https://www.notion.so/<32hex>. */
export function objectUrl(id: string): string {
  return `https://www.notion.so/${compactId(id)}`;
}

/**
 * The id a database's default view gets: its own id's hex reversed. Derived rather than random so that
 * a database link (which in Notion always carries a view, `?v=`) can be written from the database id
 * alone, and the fixtures' views keep their ids across resets.
 */
export function defaultViewIdFor(databaseId: string): string {
  return normalizeId(compactId(databaseId).split('').toReversed().join('')) ?? databaseId;
}
