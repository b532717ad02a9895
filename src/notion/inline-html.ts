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

/** Every element name of HTML: only these are tags; `<First Name>` or `Promise<void>` stays text. */
const HTML_ELEMENTS = new Set(
  (
    'a abbr address area article aside audio b bdi bdo blockquote body br button canvas caption center cite ' +
    'code col colgroup data dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer ' +
    'form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main map mark ' +
    'menu meta meter nav noscript object ol optgroup option output p param picture pre progress q rp rt ruby s ' +
    'samp script section select small source span strike strong style sub summary sup table tbody td template ' +
    'textarea tfoot th thead time title tr track tt u ul var video wbr'
  ).split(' '),
);

/** What a browser never shows: a closed script or style element with its content. */
const HIDDEN_ELEMENTS = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

/**
 * A comment (closed or running to the end), or an opening, closing or self-closing tag. Attributes are
 * any run of quoted strings and other characters up to `>`: alternatives that start differently, so the
 * match stays linear on the longest answers.
 */
const TAG = /<!--[\s\S]*?(?:-->|$)|<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>/g;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;
const ALT = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

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
  times: '×',
  divide: '÷',
  plusmn: '±',
  minus: '−',
  le: '≤',
  ge: '≥',
  ne: '≠',
  asymp: '≈',
  infin: '∞',
  deg: '°',
  micro: 'µ',
  middot: '·',
  bull: '•',
  sect: '§',
  para: '¶',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  harr: '↔',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  check: '✓',
};

/** Decodes the entities models use (`&amp;`, `&times;`, `&#39;`, `&#x2014;`); unknown ones stay as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z0-9]+);/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * HTML source → tokens. Text between tags has its entities decoded and its whitespace collapsed as a
 * browser would; comments and closed scripts and styles give nothing; an image gives its alt text; other
 * elements give nothing (their text stays); what only looks like a tag (`<your email>`) is text.
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
    const name = match[2]?.toLowerCase();
    if (name !== undefined && !HTML_ELEMENTS.has(name)) continue; // not a tag: stays in the text
    text(source.slice(last, match.index));
    last = match.index + match[0].length;
    if (name === undefined) continue; // a comment
    const closing = match[1] === '/';
    const mark = MARK_TAGS[name];
    if (name === 'br') tokens.push({ kind: 'break' });
    else if (mark) tokens.push({ kind: 'mark', mark, open: !closing });
    else if (name === 'a')
      tokens.push(
        closing ? { kind: 'link', open: false } : { kind: 'link', open: true, href: attribute(HREF, match[3]) },
      );
    else if (name === 'img') text(attribute(ALT, match[3]) ?? '');
    else if ((name === 'td' || name === 'th') && closing) text(' ');
    else if (LINE_TAGS.has(name)) tokens.push({ kind: 'line' });
  }
  text(source.slice(last));
  return tokens;
}

function attribute(pattern: RegExp, attributes: string | undefined): string | undefined {
  const match = pattern.exec(attributes ?? '');
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value === undefined ? undefined : decodeEntities(value);
}

/**
 * `<pre>` (with or without `<code class="language-x">` inside) as code: its text exactly, lines and
 * indentation kept, entities decoded, the tags inside dropped. Null when the source is no whole `<pre>`.
 */
export function preformatted(source: string): { code: string; language: string | undefined } | null {
  const match = /^\s*<pre\b[^>]*>([\s\S]*?)<\/pre\s*>\s*$/i.exec(source);
  if (!match) return null;
  const inner = match[1] ?? '';
  const language = /<code\b[^>]*\bclass\s*=\s*["'][^"']*\blang(?:uage)?-([\w+#-]+)/i.exec(inner)?.[1];
  const code = decodeEntities(inner.replace(/<\/?[A-Za-z][^<>]*>/g, ''))
    .replace(/^\n/, '')
    .replace(/\n$/, '');
  return { code, language };
}

/** An HTML table's rows of cells (each cell's inner HTML), and whether its first row is all headers. */
export function htmlTable(source: string): { rows: string[][]; header: boolean } | null {
  if (!/^\s*<table\b/i.test(source) || !/<\/table\s*>\s*$/i.test(source)) return null;
  const rows: string[][] = [];
  let header = false;
  for (const [index, row] of [...source.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr\s*>/gi)].entries()) {
    const cells = [...(row[1] ?? '').matchAll(/<(t[dh])\b[^>]*>([\s\S]*?)<\/\1\s*>/gi)];
    if (index === 0) header = cells.length > 0 && cells.every((cell) => cell[1]?.toLowerCase() === 'th');
    rows.push(cells.map((cell) => cell[2] ?? ''));
  }
  return rows.some((row) => row.length > 0) ? { rows, header } : null;
}

/**
 * A raw-text element the model opened and never closed (`<script>`, `<style>`, `<pre>`, `<textarea>`),
 * which Markdown lets run to the end of the answer: its first line, and the rest to read as Markdown.
 */
export function unclosedRawElement(source: string): { first: string; rest: string } | null {
  const open = /^\s*<(script|style|pre|textarea)\b/i.exec(source);
  if (!open || new RegExp(`</${open[1]}\\s*>`, 'i').test(source)) return null;
  const newline = source.indexOf('\n');
  return newline === -1
    ? { first: source, rest: '' }
    : { first: source.slice(0, newline), rest: source.slice(newline + 1) };
}

/** True when the source is only comments and whitespace (`<!-- note -->`): nothing to show. */
export function isOnlyComments(source: string): boolean {
  return source.replace(/<!--[\s\S]*?(?:-->|$)/g, '').trim() === '';
}

/** `<hr>` alone: a divider. */
export const isHorizontalRule = (source: string): boolean => /^\s*<hr\s*\/?>\s*$/i.test(source);

/** Where a `<details>` opened at the start of `source` closes: the index just after its `</details>`, or -1. */
export function detailsClose(source: string): number {
  let depth = 0;
  for (const match of source.matchAll(/<(\/?)details(?=[\s>])[^>]*>/gi)) {
    depth += match[1] === '/' ? -1 : 1;
    if (depth === 0) return match.index + match[0].length;
  }
  return -1;
}

/** Whether a source opens with `<details>`. */
export const opensDetails = (source: string): boolean => /^\s*<details(?:\s[^>]*)?>/i.test(source);

/**
 * A `<details>` element's parts: the `<summary>` (HTML, possibly empty) and the body between it and
 * `</details>` (Markdown), the outer tags removed.
 */
export function detailsParts(source: string): { summary: string; body: string } {
  let rest = source.replace(/^\s*<details(?:\s[^>]*)?>/i, '');
  const close = /<\/details\s*>\s*$/i.exec(rest);
  if (close) rest = rest.slice(0, close.index);
  const summary = /^\s*<summary(?:\s[^>]*)?>([\s\S]*?)<\/summary\s*>/i.exec(rest);
  if (!summary) return { summary: '', body: rest };
  return { summary: summary[1] ?? '', body: rest.slice(summary[0].length) };
}
