// Raw HTML that models write inside Markdown (`<br>`, `<b>`, `<i>`, `<u>`, `<s>`, `<code>`, `<a href>`,
// comments), read as formatting and never rendered as markup: a known tag changes the marks of the text
// after it, any other tag is dropped and its text kept. Pure, no DOM (the background has none).

/** The inline formatting a tag can switch on. */
export type HtmlMark = 'bold' | 'italic' | 'underline' | 'strikethrough' | 'code';

export type HtmlToken =
  | { kind: 'text'; text: string }
  | { kind: 'break' }
  /** A block-level tag (`<p>`, `<div>`, `<li>`, `<tr>`, `<h2>`…): a line ends there. */
  | { kind: 'line' }
  | { kind: 'mark'; mark: HtmlMark; open: boolean }
  | { kind: 'link'; open: true; href: string | undefined }
  | { kind: 'link'; open: false };

const MARK_TAGS: Record<string, HtmlMark> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  cite: 'italic',
  var: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  del: 'strikethrough',
  strike: 'strikethrough',
  code: 'code',
  kbd: 'code',
  samp: 'code',
  tt: 'code',
};

const LINE_TAGS = new Set([
  'p',
  'div',
  'li',
  'tr',
  'ul',
  'ol',
  'table',
  'blockquote',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'details',
  'summary',
]);

/** What a browser never shows: a script or style element with its content. */
const HIDDEN_ELEMENTS = /<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;

/** A comment (closed or running to the end), or an opening, closing or self-closing tag. */
const TAG =
  /<!--[\s\S]*?(?:-->|$)|<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  copy: '©',
  reg: '®',
  trade: '™',
};

/** Decodes the entities models use (`&amp;`, `&nbsp;`, `&#39;`, `&#x2014;`); unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * HTML source → tokens. Text between tags has its entities decoded and its whitespace collapsed as a
 * browser would; comments, scripts and styles give nothing; tags we do not know give nothing (their
 * text stays).
 */
export function tokenizeHtml(html: string): HtmlToken[] {
  const source = html.replace(HIDDEN_ELEMENTS, '');
  const tokens: HtmlToken[] = [];
  const text = (raw: string): void => {
    const collapsed = decodeEntities(raw.replace(/[ \t\r\n]+/g, ' '));
    if (collapsed.length > 0) tokens.push({ kind: 'text', text: collapsed });
  };
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    text(source.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[2]?.toLowerCase();
    if (name === undefined) continue; // a comment
    const closing = match[1] === '/';
    const mark = MARK_TAGS[name];
    if (name === 'br') tokens.push({ kind: 'break' });
    else if (mark) tokens.push({ kind: 'mark', mark, open: !closing });
    else if (name === 'a')
      tokens.push(closing ? { kind: 'link', open: false } : { kind: 'link', open: true, href: href(match[3]) });
    else if (LINE_TAGS.has(name)) tokens.push({ kind: 'line' });
  }
  text(source.slice(last));
  return tokens;
}

function href(attributes: string | undefined): string | undefined {
  const match = HREF.exec(attributes ?? '');
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value === undefined ? undefined : decodeEntities(value);
}

/** True when the source is only comments and whitespace (`<!-- note -->`): nothing to show. */
export function isOnlyComments(source: string): boolean {
  return source.replace(/<!--[\s\S]*?(?:-->|$)/g, '').trim() === '';
}

/** `<hr>` alone: a divider. */
export const isHorizontalRule = (source: string): boolean => /^\s*<hr\s*\/?>\s*$/i.test(source);

/**
 * A `<details>` block's parts: the `<summary>` text (HTML, possibly empty) and the body between it and
 * `</details>` (Markdown), with the outer tags removed. Null when the source does not open with `<details>`.
 */
export function detailsParts(source: string): { summary: string; body: string } | null {
  const open = /^\s*<details(?:\s[^>]*)?>/i.exec(source);
  if (!open) return null;
  let rest = source.slice(open[0].length);
  const close = /<\/details\s*>\s*$/i.exec(rest);
  if (close) rest = rest.slice(0, close.index);
  const summary = /^\s*<summary(?:\s[^>]*)?>([\s\S]*?)<\/summary\s*>/i.exec(rest);
  if (!summary) return { summary: '', body: rest };
  return { summary: summary[1] ?? '', body: rest.slice(summary[0].length) };
}

/** How many `<details>` a source opens minus how many it closes. */
export function detailsDepthChange(source: string): number {
  const opens = source.match(/<details[\s>]/gi)?.length ?? 0;
  const closes = source.match(/<\/details\s*>/gi)?.length ?? 0;
  return opens - closes;
}
