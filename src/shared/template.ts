// "{{Property name}}" templates: one prompt, filled per row with that row's values. Checked before a
// run (unknown names with a suggestion), rendered per row, and completed while the user types.

/** `{{page}}` stands for the row's page content. */
export const PAGE_PLACEHOLDER = 'page';

/**
 * `{{name}}`, or `\{{name}}` (escaped: stays literal). A name runs to the first `}}` and holds no
 * `{{` or line break, so a stray `{{` with no close on its line is plain text.
 */
const PLACEHOLDER = /(\\?)\{\{((?:(?!\{\{)[^}\n]|\}(?!\}))*)\}\}/g;

/** Edit distance (with transpositions) up to which an unknown name gets a "Did you mean". */
const SUGGEST_MAX_DISTANCE = 3;
/** How many property names an error lists before "…". */
const LISTED_NAMES_MAX = 12;

interface Placeholder {
  /** Index of the match in the template, including a leading backslash. */
  index: number;
  /** The whole match as written. */
  raw: string;
  escaped: boolean;
  /** What is between the braces, untrimmed. */
  written: string;
}

function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({
    index: m.index,
    raw: m[0],
    escaped: m[1] === '\\',
    written: m[2] ?? '',
  }));
}

/** How names compare when not written exactly alike: case, Unicode form and surrounding spaces. */
const fold = (name: string): string => name.normalize('NFC').trim().toLowerCase();

/**
 * The property a placeholder means, as spelled in the database, or `page`. An exact property name
 * wins over `page` (a column called "page" shadows the page content); then case-insensitive.
 */
function resolve(written: string, propertyNames: readonly string[]): string | undefined {
  if (propertyNames.includes(written)) return written;
  const trimmed = written.trim();
  if (propertyNames.includes(trimmed)) return trimmed;
  if (trimmed === PAGE_PLACEHOLDER) return PAGE_PLACEHOLDER;
  const key = fold(written);
  return propertyNames.find((name) => fold(name) === key) ?? (key === PAGE_PLACEHOLDER ? PAGE_PLACEHOLDER : undefined);
}

/** Property names plus `page`, unless a column already takes that name. */
function candidates(propertyNames: readonly string[]): string[] {
  const shadowed = propertyNames.some((name) => fold(name) === PAGE_PLACEHOLDER);
  return shadowed ? [...propertyNames] : [...propertyNames, PAGE_PLACEHOLDER];
}

export interface TemplateCheck {
  /** Canonical property names used, in order, unique; 'page' included if used. */
  references: string[];
  /** One per unknown name, with a suggestion when one is close. */
  errors: string[];
}

export function checkTemplate(template: string, propertyNames: readonly string[]): TemplateCheck {
  const references: string[] = [];
  const errors: string[] = [];
  const reported = new Set<string>();
  for (const { escaped, written } of placeholders(template)) {
    if (escaped) continue;
    const name = resolve(written, propertyNames);
    if (name !== undefined) {
      if (!references.includes(name)) references.push(name);
      continue;
    }
    const shownName = written.trim();
    if (reported.has(shownName)) continue;
    reported.add(shownName);
    errors.push(shownName === '' ? emptyError(propertyNames) : unknownError(shownName, propertyNames));
  }
  return { references, errors };
}

function emptyError(propertyNames: readonly string[]): string {
  const example = propertyNames[0] ?? 'Name';
  return `{{}} has no property name: write one between the braces, like {{${example}}}.`;
}

function unknownError(name: string, propertyNames: readonly string[]): string {
  const unknown = `{{${name}}} is not a property of this database.`;
  const close = closestName(name, candidates(propertyNames));
  if (close !== undefined) return `${unknown} Did you mean {{${close}}}?`;
  if (propertyNames.length === 0) return unknown;
  const listed = propertyNames.slice(0, LISTED_NAMES_MAX).join(', ');
  return `${unknown} Properties: ${listed}${propertyNames.length > LISTED_NAMES_MAX ? ', …' : '.'}`;
}

/** Letters and digits only, lower case: "Due-Date" and "due date" look alike to a person. */
const loose = (name: string): string => fold(name).replace(/[^\p{L}\p{N}]/gu, '');

/**
 * The name a typo most likely meant: one equal but for case, spaces and punctuation, else the
 * nearest by edit distance. Short names get a smaller allowance, so "{{x}}" suggests nothing.
 */
function closestName(written: string, names: readonly string[]): string | undefined {
  const key = loose(written);
  const same = names.find((name) => key !== '' && loose(name) === key);
  if (same !== undefined) return same;
  const allowed = Math.min(SUGGEST_MAX_DISTANCE, Math.max(1, Math.floor(written.length / 2)));
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(fold(written), fold(name));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps cost 1. */
function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  // rows[i][j] = distance between the first i characters of s and the first j of t.
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_row, i) =>
    Array.from({ length: t.length + 1 }, (_cell, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= s.length; i++) {
    const row = rows[i]!;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(s.length, t.length);
}

/**
 * Fills placeholders with `values` (keyed by the canonical names checkTemplate reports; a known
 * name with no value becomes ''). Names match exactly, or case-insensitively and trimmed
 * ("{{ topic }}" works). Unknown names are left as written; `\{{…}}` loses its backslash.
 */
export function renderTemplate(
  template: string,
  values: Record<string, string>,
  propertyNames: readonly string[],
): string {
  let out = '';
  let last = 0;
  for (const p of placeholders(template)) {
    out += template.slice(last, p.index);
    last = p.index + p.raw.length;
    if (p.escaped) {
      out += p.raw.slice(1);
      continue;
    }
    const name = resolve(p.written, propertyNames);
    out += name === undefined ? p.raw : (values[name] ?? '');
  }
  return out + template.slice(last);
}

export interface Suggestion {
  /** What has been typed after `{{` (leading spaces dropped). */
  partial: string;
  /** Where the name goes: the index just after `{{` and any spaces. */
  start: number;
  /** Matching names: those starting with `partial` first, then those containing it. */
  names: string[];
}

/**
 * For autocompletion while typing: when the caret is inside an unclosed "{{par" on its line, the
 * partial text and the names that start with or contain it (case-insensitive). `page` is offered
 * too, after the columns.
 */
export function suggestAt(template: string, caret: number, propertyNames: readonly string[]): Suggestion | null {
  const before = template.slice(0, caret);
  const open = before.lastIndexOf('{{');
  if (open < 0 || before[open - 1] === '\\') return null;
  const typed = before.slice(open + 2);
  if (typed.includes('\n') || typed.includes('}}') || typed.includes('{')) return null;
  const partial = typed.trimStart();
  const query = fold(partial);
  const all = candidates(propertyNames);
  const starting = all.filter((name) => fold(name).startsWith(query));
  const containing = all.filter((name) => !fold(name).startsWith(query) && fold(name).includes(query));
  return { partial, start: caret - partial.length, names: [...starting, ...containing] };
}

/**
 * Inserts a chosen name at the suggestion and closes the braces; returns the new text and the
 * caret, just after `}}`. When the caret sat inside a placeholder that was already closed, the
 * rest of that placeholder is replaced rather than left dangling.
 */
export function applySuggestion(
  template: string,
  suggestion: { start: number },
  caret: number,
  name: string,
): { text: string; caret: number } {
  const restOfPlaceholder = /^[^{}\n]*\}\}/.exec(template.slice(caret));
  const end = caret + (restOfPlaceholder?.[0].length ?? 0);
  const inserted = `${name}}}`;
  return {
    text: template.slice(0, suggestion.start) + inserted + template.slice(end),
    caret: suggestion.start + inserted.length,
  };
}
