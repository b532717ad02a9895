// Structured output: build a JSON value that validly conforms to the schema a client sent, so
// that the client's own validation passes, and check schemas the way OpenAI's strict mode does.
//
// Two dialects arrive here:
//  - 'json-schema': OpenAI's response_format.json_schema.schema and Gemini's responseJsonSchema.
//  - 'openapi': Gemini's responseSchema, an OpenAPI 3.0 subset whose types may be UPPERCASE
//    ("OBJECT") or lowercase, with `nullable`, `propertyOrdering` and boolean exclusive bounds.
// Values are derived from a hash of the prompt and the property path, so the same prompt always
// yields the same value while different fields and different prompts vary.
//
// Not supported (values may not match): `pattern`, `not`, `if/then/else`, `dependentSchemas`,
// `contains`, `patternProperties`.

export type SchemaDialect = 'json-schema' | 'openapi';

type Json = Record<string, unknown>;

/** Sample values for string formats; the date is the one fixed sandbox "today". */
export const SAMPLE_DATE = '2026-01-15';
export const SAMPLE_DATE_TIME = '2026-01-15T09:30:00Z';
export const SAMPLE_TIME = '09:30:00';
export const SAMPLE_EMAIL = 'alex.morgan@example.com';
export const SAMPLE_URI_BASE = 'https://example.com/';

/** Arrays without bounds get this many items: enough to show a list, few enough to read. */
const DEFAULT_ARRAY_LENGTH = 2;
/** Beyond this nesting depth only required properties and minimum item counts are produced,
 * so that recursive schemas ($ref to themselves) terminate. */
const FULL_DETAIL_DEPTH = 4;
const HARD_DEPTH_LIMIT = 12;
/** Default numeric range when the schema gives no bounds. */
const DEFAULT_NUMBER_SPAN = 100;
/** How much of the topic a generated string quotes. */
const TOPIC_QUOTE_CHARS = 48;

interface Ctx {
  root: unknown;
  seed: string;
  topic: string;
  dialect: SchemaDialect;
}

/** FNV-1a: tiny, stable across runs and platforms. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A value conforming to `schema`. `seed` (normally the prompt) drives the choices; `topic`
 * (normally the first line of the user prompt) is quoted in generated strings.
 */
export function sampleFromSchema(schema: unknown, seed: string, topic: string, dialect: SchemaDialect): unknown {
  return sample(schema, { root: schema, seed, topic: shorten(topic, TOPIC_QUOTE_CHARS), dialect }, [], 0);
}

function shorten(text: string, max: number): string {
  const points = Array.from(text.trim());
  return points.length <= max ? points.join('') : `${points.slice(0, max - 1).join('')}…`;
}

function hashAt(ctx: Ctx, path: string[], salt = ''): number {
  return hashString(`${ctx.seed}|${path.join('/')}|${salt}`);
}

/** Follows a local $ref (#/$defs/X, #/definitions/X, #) and merges allOf. */
function resolve(schema: unknown, ctx: Ctx, seen = 0): unknown {
  if (!isObj(schema) || seen > HARD_DEPTH_LIMIT) return schema;
  if (typeof schema.$ref === 'string') {
    const target = lookupRef(ctx.root, schema.$ref);
    const { $ref: _ignored, ...rest } = schema;
    return resolve(isObj(target) ? { ...target, ...rest } : rest, ctx, seen + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const { allOf, ...rest } = schema;
    let merged: Json = { ...rest };
    for (const part of allOf) {
      const p = resolve(part, ctx, seen + 1);
      if (!isObj(p)) continue;
      merged = {
        ...p,
        ...merged,
        properties: {
          ...(isObj(p.properties) ? p.properties : {}),
          ...(isObj(merged.properties) ? merged.properties : {}),
        },
        required: [...asStrings(p.required), ...asStrings(merged.required)],
      };
    }
    return merged;
  }
  return schema;
}

function lookupRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObj(node) ? node[key] : undefined;
  }
  return node;
}

const asStrings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The single type to produce: the first non-null of a type list, lowercased; inferred if absent. */
function typeOf(schema: Json): string {
  const raw = schema.type;
  const types = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((t) => String(t).toLowerCase());
  const chosen = types.find((t) => t !== 'null') ?? types[0];
  if (chosen && chosen !== 'type_unspecified') return chosen;
  if (isObj(schema.properties)) return 'object';
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return 'array';
  return 'string';
}

function sample(schemaIn: unknown, ctx: Ctx, path: string[], depth: number): unknown {
  const schema = resolve(schemaIn, ctx);
  if (!isObj(schema)) return sampleString({}, ctx, path); // `true` or `{}`: anything goes
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[hashAt(ctx, path) % schema.enum.length];
  }
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (branches && branches.length > 0) {
    // The first branch that is not plain null: a nullable field still gets a real value.
    const branch = branches.find((b) => !(isObj(b) && typeOf(resolve(b, ctx) as Json) === 'null')) ?? branches[0];
    const { anyOf: _a, oneOf: _o, ...outer } = schema;
    const inner = resolve(branch, ctx);
    return sample(isObj(inner) ? { ...outer, ...inner } : inner, ctx, path, depth);
  }
  switch (typeOf(schema)) {
    case 'object':
      return sampleObject(schema, ctx, path, depth);
    case 'array':
      return sampleArray(schema, ctx, path, depth);
    case 'integer':
      return sampleNumber(schema, ctx, path, true);
    case 'number':
      return sampleNumber(schema, ctx, path, false);
    case 'boolean':
      return hashAt(ctx, path) % 2 === 0;
    case 'null':
      return null;
    default:
      return sampleString(schema, ctx, path);
  }
}

function sampleObject(schema: Json, ctx: Ctx, path: string[], depth: number): Json {
  const props = isObj(schema.properties) ? schema.properties : {};
  const required = new Set(asStrings(schema.required));
  let keys = Object.keys(props);
  if (ctx.dialect === 'openapi') {
    // Gemini's responseSchema orders output keys by propertyOrdering, else alphabetically.
    const ordering = asStrings(schema.propertyOrdering);
    keys =
      ordering.length > 0
        ? [...ordering.filter((k) => k in props), ...keys.filter((k) => !ordering.includes(k)).toSorted()]
        : keys.toSorted();
  }
  const out: Json = {};
  for (const key of keys) {
    if (depth >= FULL_DETAIL_DEPTH && !required.has(key)) continue;
    if (depth >= HARD_DEPTH_LIMIT) continue;
    out[key] = sample(props[key], ctx, [...path, key], depth + 1);
  }
  // Required keys with no declared schema still have to be present.
  for (const key of required) if (!(key in out)) out[key] = sampleString({}, ctx, [...path, key]);
  return out;
}

function sampleArray(schema: Json, ctx: Ctx, path: string[], depth: number): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  const wanted = depth >= FULL_DETAIL_DEPTH ? min : Math.min(max, Math.max(min, DEFAULT_ARRAY_LENGTH));
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const itemSchema = schema.items === undefined || schema.items === true ? { type: 'string' } : schema.items;
  const out: unknown[] = [];
  const seen = new Set<string>();
  // Extra attempts let uniqueItems succeed when an enum or boolean repeats a value.
  for (let attempt = 0; out.length < wanted && attempt < wanted + 16; attempt++) {
    const index = out.length;
    const itemPath = [...path, attempt === index ? String(index) : `${index}~${attempt}`];
    const value = sample(index < prefix.length ? prefix[index] : itemSchema, ctx, itemPath, depth + 1);
    const key = JSON.stringify(value);
    if (schema.uniqueItems === true && seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function sampleNumber(schema: Json, ctx: Ctx, path: string[], integer: boolean): number {
  // JSON Schema: exclusiveMinimum is a number. OpenAPI 3.0: a boolean modifying `minimum`.
  const exMin = num(schema.exclusiveMinimum) ?? (schema.exclusiveMinimum === true ? num(schema.minimum) : undefined);
  const exMax = num(schema.exclusiveMaximum) ?? (schema.exclusiveMaximum === true ? num(schema.maximum) : undefined);
  const min = exMin === undefined ? num(schema.minimum) : undefined;
  const max = exMax === undefined ? num(schema.maximum) : undefined;
  const loBound = min ?? exMin;
  const hiBound = max ?? exMax;
  const lo = loBound ?? (hiBound !== undefined ? hiBound - DEFAULT_NUMBER_SPAN : 0);
  const hi = hiBound ?? lo + DEFAULT_NUMBER_SPAN;
  const h = hashAt(ctx, path);
  const step = num(schema.multipleOf) ?? (integer ? 1 : undefined);
  if (step !== undefined && step > 0) {
    let first = Math.ceil(lo / step) * step;
    if (exMin !== undefined && first <= exMin) first += step;
    let last = Math.floor(hi / step) * step;
    if (exMax !== undefined && last >= exMax) last -= step;
    if (last < first) return first;
    const count = Math.floor((last - first) / step) + 1;
    const value = first + (h % count) * step;
    return integer ? Math.round(value) : Number(value.toFixed(10));
  }
  // Strictly inside the range (10%–90%) so that exclusive bounds hold; two decimals when that keeps it inside.
  const fraction = 0.1 + ((h % 1000) / 1000) * 0.8;
  const raw = lo + (hi - lo) * fraction;
  const rounded = Math.round(raw * 100) / 100;
  const inside = (v: number) =>
    (min === undefined || v >= min) &&
    (max === undefined || v <= max) &&
    (exMin === undefined || v > exMin) &&
    (exMax === undefined || v < exMax);
  return inside(rounded) ? rounded : raw;
}

function humanLabel(path: string[]): string {
  const named = path.toReversed().find((p) => !/^\d/.test(p));
  const index =
    path.length > 0 && /^\d/.test(path[path.length - 1] ?? '')
      ? ` ${Number.parseInt(path[path.length - 1] ?? '0', 10) + 1}`
      : '';
  if (!named) return `Item${index}`;
  const words = named
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${index}`;
}

function sampleString(schema: Json, ctx: Ctx, path: string[]): string {
  const h = hashAt(ctx, path);
  const slug = (
    ctx.topic
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'item'
  ).slice(0, 40);
  switch (typeof schema.format === 'string' ? schema.format.toLowerCase() : '') {
    case 'date':
      return SAMPLE_DATE;
    case 'date-time':
      return SAMPLE_DATE_TIME;
    case 'time':
      return SAMPLE_TIME;
    case 'email':
    case 'idn-email':
      return SAMPLE_EMAIL;
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
    case 'iri-reference':
      return `${SAMPLE_URI_BASE}${slug}`;
    case 'uuid': {
      const hex = [h, hashAt(ctx, path, 'b'), hashAt(ctx, path, 'c'), hashAt(ctx, path, 'd')]
        .map((n) => n.toString(16).padStart(8, '0'))
        .join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    }
    case 'hostname':
    case 'idn-hostname':
      return 'example.com';
    case 'ipv4':
      return `192.0.2.${h % 255}`;
    case 'ipv6':
      return `2001:db8::${(h % 65535).toString(16)}`;
    case 'duration':
      return `P${(h % 9) + 1}D`;
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  let points = Array.from(`${humanLabel(path)}: ${ctx.topic || 'sandbox'}`);
  // Pad by repeating the topic, then cut to the maximum.
  while (points.length < minLength) points = [...points, ' ', ...Array.from(ctx.topic || 'sandbox')];
  return points.slice(0, maxLength).join('');
}

/**
 * OpenAI strict mode rejects schemas whose objects do not set `additionalProperties: false` and
 * list every property in `required`, and whose root is not an object. Returns the API's error
 * message for the first problem, or undefined.
 */
export function strictSchemaProblem(schema: unknown, formatName: string): string | undefined {
  const prefix = `Invalid schema for response_format '${formatName}': `;
  if (!isObj(schema))
    return `${prefix}schema must be a JSON Schema of 'type: "object"', got 'type: "${typeof schema}"'.`;
  if (schema.type !== 'object' && !isObj(schema.properties) && !schema.$ref && !schema.anyOf) {
    return `${prefix}schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`;
  }
  const problem = walkStrict(schema, []);
  return problem === undefined ? undefined : prefix + problem;
}

/** Python tuple repr, as OpenAI's messages print the context path: (), ('items',), ('properties', 'a'). */
function contextRepr(path: string[]): string {
  if (path.length === 0) return '()';
  const items = path.map((p) => `'${p}'`);
  return path.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

function walkStrict(schema: unknown, path: string[]): string | undefined {
  if (!isObj(schema)) return undefined;
  const isObject =
    schema.type === 'object' ||
    (Array.isArray(schema.type) && schema.type.includes('object')) ||
    isObj(schema.properties);
  if (isObject) {
    if (schema.additionalProperties !== false) {
      return `In context=${contextRepr(path)}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const props = isObj(schema.properties) ? Object.keys(schema.properties) : [];
    const required = asStrings(schema.required);
    const missing = props.find((p) => !required.includes(p));
    if (missing !== undefined || (props.length > 0 && !Array.isArray(schema.required))) {
      return `In context=${contextRepr(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing ?? props[0]}'.`;
    }
  }
  const nested: Array<[unknown, string[]]> = [];
  if (isObj(schema.properties))
    for (const [k, v] of Object.entries(schema.properties)) nested.push([v, [...path, 'properties', k]]);
  if (schema.items !== undefined) nested.push([schema.items, [...path, 'items']]);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((v, i) => nested.push([v, [...path, key, String(i)]]));
  }
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = schema[key];
    if (isObj(defs)) for (const [k, v] of Object.entries(defs)) nested.push([v, [...path, key, k]]);
  }
  for (const [child, childPath] of nested) {
    const problem = walkStrict(child, childPath);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
