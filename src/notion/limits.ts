// Notion API request limits (developers.notion.com "Request limits"; see
// /work/shared/reference/apis.md §1.7 and §1.9). A request that breaks any of them fails as a
// whole with a 400 validation_error, so every writer checks them before sending.
//
// Lengths are in UTF-16 code units, i.e. JavaScript `string.length`: that is how Notion counts
// them (an emoji outside the BMP counts as 2).

/** Max characters in one rich text item's `text.content`. */
export const NOTION_TEXT_MAX_CHARS = 2_000;

/** Max items in any rich text array (a block's text, a table cell, a property value). */
export const NOTION_RICH_TEXT_MAX_ITEMS = 100;

/** Max characters in an equation's `expression` (block or inline). */
export const NOTION_EQUATION_MAX_CHARS = 1_000;

/** Max characters in any URL, including `text.link.url` and an external image's URL. */
export const NOTION_URL_MAX_CHARS = 2_000;

/** Max blocks in one `children` array, at every level of an append request. */
export const NOTION_CHILDREN_MAX = 100;

/**
 * Max levels of `children` below the top-level blocks of one append request: top-level block →
 * children → grandchildren. Grandchildren may not carry children of their own.
 */
export const NOTION_NESTING_MAX_LEVELS = 2;

/** Max block elements in one request, counting nested children. */
export const NOTION_REQUEST_MAX_ELEMENTS = 1_000;

/** Max size of one request's JSON body, in bytes (UTF-8). */
export const NOTION_REQUEST_MAX_BYTES = 500_000;

// ---- Our own margins, derived from the limits above (not Notion's numbers) ----

/**
 * Bytes reserved in every request for what wraps the children array: `{"children":[…],
 * "position":{"type":"after_block","after_block":{"id":"…"}}}` is under 120 bytes; the rest is slack
 * so a byte-count rounding on either side never tips a request over the limit.
 */
export const REQUEST_ENVELOPE_BYTES = 2_000;

/**
 * Max JSON bytes of one block without its children, in bytes. 100 items of 2,000 characters can
 * exceed the request limit on their own (CJK text is 3 bytes per character in UTF-8), and a block
 * cannot be split across requests, so the Markdown converter starts a new block before this.
 */
export const BLOCK_MAX_BYTES = 200_000;
