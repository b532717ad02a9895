// What the emulated model says: scripted rules first, otherwise a deterministic answer derived
// from the prompt, so that tests can predict the text without scripting anything.
import { attachmentNote } from './media.ts';
import type { Received } from './media.ts';
import { sampleFromSchema } from './schema.ts';
import type { SchemaDialect } from './schema.ts';

export type Provider = 'openai' | 'gemini' | 'compatible';

export type ModelFault =
  | 'unauthorized'
  | 'invalid_key'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'server_error'
  | 'overloaded'
  | 'safety'
  | 'prompt_blocked'
  | 'model_not_found'
  | 'context_length'
  | 'drop';

/** A page a web search "found": what the answer cites. */
export interface WebSource {
  url: string;
  title: string;
}

/** What a rule says about the web search tools; absent fields take the defaults (see search.ts). */
export interface SearchScript {
  /** The pages found; default: two derived from the prompt's user text (see defaultSources). */
  sources?: WebSource[];
  /** How many searches the model makes when the request offers a search tool; default 1, 0 = it chose not to. */
  searches?: number;
}

export interface ScriptRule extends SearchScript {
  provider?: Provider;
  /** Substring of, or RegExp tested against, the system+user prompt text. Absent: matches every call. */
  match?: string | RegExp;
  text?: string;
  json?: unknown;
  fault?: ModelFault;
  /** How many calls this rule answers; absent means unlimited. */
  times?: number;
  /** Extra latency before the provider starts answering. */
  delayMs?: number;
}

/** The prompt as the model sees it. */
export interface PromptText {
  /** System (and OpenAI "developer") instructions, joined. */
  system: string;
  /** User turns, joined. */
  user: string;
  /** Every input message's text (all roles), the basis of input token counts. */
  all: string;
  /** The images and files the request carried (see media.ts). */
  attachments?: Received[];
}

/** System then user text: what rules match against and what `calls[].prompt` records. */
export function promptForMatching(p: PromptText): string {
  return [p.system, p.user].filter((s) => s.length > 0).join('\n\n');
}

/** What the caller asked the answer to look like. */
export type OutputFormat =
  | { kind: 'text' }
  /** JSON; `schema` absent means any JSON object (OpenAI json_object mode, Gemini JSON mime without schema). */
  | { kind: 'json'; schema?: unknown; dialect: SchemaDialect }
  /** Gemini's text/x.enum: the bare enum value as text. */
  | { kind: 'enum'; schema: unknown };

export type Plan = { delayMs: number; search: SearchScript } & (
  { kind: 'fault'; fault: ModelFault } | { kind: 'answer'; text: string }
);

/** Languages the default answer knows how to "translate" into: a stable pseudo-translation. */
const LANGUAGE_CODES: Record<string, string> = {
  japanese: 'ja',
  french: 'fr',
  german: 'de',
  spanish: 'es',
  italian: 'it',
  portuguese: 'pt',
  chinese: 'zh',
  korean: 'ko',
  english: 'en',
};

/** Upper bound on how much of the prompt a default answer echoes. */
const ECHO_MAX_CHARS = 200;

export class Script {
  private rules: Array<ScriptRule & { used: number }> = [];

  add(rule: ScriptRule): void {
    this.rules.push({ ...rule, used: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule for this provider whose `match` matches and that has uses left; consumes one use. */
  take(provider: Provider, prompt: string): ScriptRule | undefined {
    for (const rule of this.rules) {
      if (rule.provider !== undefined && rule.provider !== provider) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (!matches(rule.match, prompt)) continue;
      rule.used++;
      return rule;
    }
    return undefined;
  }

  /** Decides the outcome of one call: a fault, scripted text or JSON, or the default answer. */
  plan(provider: Provider, prompt: PromptText, format: OutputFormat): Plan {
    const rule = this.take(provider, promptForMatching(prompt));
    const common = { delayMs: rule?.delayMs ?? 0, search: { sources: rule?.sources, searches: rule?.searches } };
    if (rule?.fault !== undefined) return { kind: 'fault', fault: rule.fault, ...common };
    if (rule && 'json' in rule && rule.json !== undefined)
      return { kind: 'answer', text: JSON.stringify(rule.json), ...common };
    if (rule?.text !== undefined) return { kind: 'answer', text: rule.text, ...common };
    return { kind: 'answer', text: defaultAnswer(prompt, format), ...common };
  }
}

function matches(match: string | RegExp | undefined, prompt: string): boolean {
  if (match === undefined) return true;
  if (typeof match === 'string') return prompt.includes(match);
  match.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
  return match.test(prompt);
}

/** First non-empty line of the user's text (or the system text when there is no user turn). */
export function firstLine(p: PromptText): string {
  const source = p.user.trim() ? p.user : p.system;
  const line =
    source
      .split(/\r?\n/)
      .find((l) => l.trim().length > 0)
      ?.trim() ?? '';
  return Array.from(line).slice(0, ECHO_MAX_CHARS).join('');
}

/**
 * The unscripted answer:
 *  - Several rows in one call (a schema keyed by the ids of `<row id="…">` blocks): each row answered
 *    as a call for that row alone would be (see packedAnswer).
 *  - JSON formats: a value conforming to the schema (see schema.ts), seeded by the prompt.
 *  - "Translate … to Japanese" with a `Topic: X` line (or the last line): 「X」(ja).
 *  - Anything else: `Answer: <first line of the user prompt>`.
 * With attachments, the `Answer: …` forms (also JSON mode's `{answer}`) end in a note of what arrived, e.g.
 * `Answer: Describe it (with 1 image)` (see attachmentNote); a packed row's note counts what came after its block.
 */
export function defaultAnswer(p: PromptText, format: OutputFormat): string {
  const seed = promptForMatching(p);
  const note = attachmentNote(p.attachments);
  const packed = format.kind === 'json' ? packedAnswer(p, format) : undefined;
  if (packed !== undefined) return packed;
  if (format.kind === 'json') {
    if (format.schema === undefined) return JSON.stringify({ answer: `Answer: ${firstLine(p)}${note}` });
    return JSON.stringify(sampleFromSchema(format.schema, seed, firstLine(p), format.dialect));
  }
  if (format.kind === 'enum') return String(sampleFromSchema(format.schema, seed, firstLine(p), 'openapi'));
  const translation = /\btranslate\b[^\n]*?\b(?:in)?to\s+([A-Za-z]+)/i.exec(seed);
  const code = translation ? LANGUAGE_CODES[(translation[1] ?? '').toLowerCase()] : undefined;
  if (code) {
    const subject = translationSubject(p);
    return code === 'ja' ? `「${subject}」(ja)` : `“${subject}” (${code})`;
  }
  return `Answer: ${firstLine(p)}${note}`;
}

/** The text to translate: a `Topic:`/`Text:`/`Title:` line anywhere, else the last user line. */
function translationSubject(p: PromptText): string {
  const all = `${p.system}\n${p.user}`;
  const labelled = /^\s*(?:topic|text|title|input|source)\s*:\s*(.+?)\s*$/im.exec(all);
  if (labelled?.[1]) return labelled[1];
  const lines = p.user
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A call that carries several rows, each in a `<row id="…">` block of `Name: value` lines after one
 * `<instruction>` (where `{{Name}}` stands for a row's value), with a schema keyed by those ids: each
 * key gets the answer a call for that row alone would get, the instruction filled in with the row's
 * values. A row's answer depends on its own block only, so it is the same in whatever pack it comes.
 */
function packedAnswer(p: PromptText, format: { schema?: unknown; dialect: SchemaDialect }): string | undefined {
  const properties = isObject(format.schema) && isObject(format.schema.properties) ? format.schema.properties : {};
  const blocks = new Map(
    [...p.user.matchAll(/<row id="([^"]+)">\n([\s\S]*?)\n<\/row>/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );
  const ids = Object.keys(properties);
  if (ids.length === 0 || !ids.every((id) => blocks.has(id))) return undefined;
  const instruction = /<instruction>\n([\s\S]*?)\n<\/instruction>/.exec(p.user)?.[1] ?? '';
  const answer: Record<string, unknown> = {};
  for (const id of ids) {
    const block = blocks.get(id) ?? '';
    const values = new Map(
      block.split('\n').flatMap((line) => {
        const m = /^([^:]+):\s?(.*)$/.exec(line);
        return m ? [[(m[1] ?? '').trim().toLowerCase(), m[2] ?? ''] as const] : [];
      }),
    );
    const filled = instruction.replace(
      /\{\{\s*([^}]+?)\s*\}\}/g,
      (_, name: string) => values.get(name.toLowerCase()) ?? '',
    );
    const attachments = p.attachments?.filter((a) => a.row === id);
    const row: PromptText = { system: p.system, user: `${filled}\n\n${block}`, all: '', attachments };
    const schema = properties[id];
    const plain = isObject(schema) && schema.type === 'string' && schema.enum === undefined;
    answer[id] = plain
      ? defaultAnswer(row, { kind: 'text' })
      : JSON.parse(defaultAnswer(row, { kind: 'json', dialect: format.dialect, schema }));
  }
  return JSON.stringify(answer);
}
