// A small subset of Notion's formula language, enough that formula properties hold real computed
// values: literals, prop("Name"), + - * / %, comparisons, and/or/not (also && || !), `c ? a : b`,
// method calls (prop("Tags").length()) and the common functions below. Anything else evaluates to an
// error, which the caller renders as an empty formula result.

export type FormulaValue = string | number | boolean | Date | null | FormulaValue[];

export interface FormulaEnv {
  prop(name: string): FormulaValue;
  now(): Date;
}

export class FormulaError extends Error {}

type Node =
  | { k: 'lit'; v: FormulaValue }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'method'; target: Node; name: string; args: Node[] }
  | { k: 'unary'; op: string; arg: Node }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'cond'; c: Node; t: Node; f: Node };

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|>=|<=|&&|\|\||[-+*/%()<>,.?:!]))/y;

type Token = { t: 'num' | 'str' | 'id' | 'op'; v: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(source);
    if (!m) throw new FormulaError(`Unexpected character at ${TOKEN.lastIndex}`);
    if (m[1] !== undefined) tokens.push({ t: 'num', v: m[1] });
    else if (m[2] !== undefined) tokens.push({ t: 'str', v: m[2].replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) tokens.push({ t: 'id', v: m[3] });
    else tokens.push({ t: 'op', v: m[4] ?? '' });
  }
  return tokens;
}

class Parser {
  private i = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): Node {
    const node = this.ternary();
    if (this.i < this.tokens.length) throw new FormulaError(`Unexpected ${this.tokens[this.i]?.v}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return !!t && ((t.t === 'op' && ops.includes(t.v)) || (t.t === 'id' && ops.includes(t.v)));
  }

  private expect(op: string): void {
    if (!this.isOp(op)) throw new FormulaError(`Expected ${op}`);
    this.i++;
  }

  private ternary(): Node {
    const c = this.or();
    if (!this.isOp('?')) return c;
    this.i++;
    const t = this.ternary();
    this.expect(':');
    return { k: 'cond', c, t, f: this.ternary() };
  }

  private or(): Node {
    let l = this.and();
    while (this.isOp('or', '||')) {
      this.i++;
      l = { k: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Node {
    let l = this.not();
    while (this.isOp('and', '&&')) {
      this.i++;
      l = { k: 'bin', op: 'and', l, r: this.not() };
    }
    return l;
  }

  private not(): Node {
    if (this.isOp('not', '!')) {
      this.i++;
      return { k: 'unary', op: 'not', arg: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const l = this.additive();
    if (this.isOp('==', '!=', '>', '<', '>=', '<=')) {
      const op = this.tokens[this.i++]?.v ?? '';
      return { k: 'bin', op, l, r: this.additive() };
    }
    return l;
  }

  private additive(): Node {
    let l = this.multiplicative();
    while (this.isOp('+', '-')) {
      const op = this.tokens[this.i++]?.v ?? '';
      l = { k: 'bin', op, l, r: this.multiplicative() };
    }
    return l;
  }

  private multiplicative(): Node {
    let l = this.unary();
    while (this.isOp('*', '/', '%')) {
      const op = this.tokens[this.i++]?.v ?? '';
      l = { k: 'bin', op, l, r: this.unary() };
    }
    return l;
  }

  private unary(): Node {
    if (this.isOp('-')) {
      this.i++;
      return { k: 'unary', op: '-', arg: this.unary() };
    }
    let node = this.primary();
    while (this.isOp('.')) {
      this.i++;
      const name = this.tokens[this.i++];
      if (name?.t !== 'id') throw new FormulaError('Expected a method name');
      node = { k: 'method', target: node, name: name.v, args: this.args() };
    }
    return node;
  }

  private args(): Node[] {
    this.expect('(');
    const args: Node[] = [];
    if (this.isOp(')')) {
      this.i++;
      return args;
    }
    for (;;) {
      args.push(this.ternary());
      if (this.isOp(')')) {
        this.i++;
        return args;
      }
      this.expect(',');
    }
  }

  private primary(): Node {
    const t = this.tokens[this.i++];
    if (!t) throw new FormulaError('Unexpected end of formula');
    if (t.t === 'num') return { k: 'lit', v: Number(t.v) };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'op' && t.v === '(') {
      const inner = this.ternary();
      this.expect(')');
      return inner;
    }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (this.isOp('(')) return { k: 'call', name: t.v, args: this.args() };
      if (t.v === 'pi') return { k: 'lit', v: Math.PI };
      if (t.v === 'e') return { k: 'lit', v: Math.E };
    }
    throw new FormulaError(`Unexpected ${t.v}`);
  }
}

export function formulaText(v: FormulaValue): string {
  if (v === null) return '';
  if (Array.isArray(v)) return v.map(formulaText).join(', ');
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function num(v: FormulaValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null) return 0;
  if (v instanceof Date) return v.getTime();
  const n = Number(formulaText(v));
  if (Number.isNaN(n)) throw new FormulaError('Not a number');
  return n;
}

function truthy(v: FormulaValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== 0 && v !== '';
}

function isEmpty(v: FormulaValue): boolean {
  return v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
}

function compare(a: FormulaValue, b: FormulaValue): number {
  if (typeof a === 'string' || typeof b === 'string') return formulaText(a).localeCompare(formulaText(b));
  return num(a) - num(b);
}

function equal(a: FormulaValue, b: FormulaValue): boolean {
  if (a instanceof Date || b instanceof Date) return a !== null && b !== null && num(a) === num(b);
  if (Array.isArray(a) || Array.isArray(b)) return formulaText(a) === formulaText(b);
  return a === b;
}

function toDate(v: FormulaValue): Date {
  if (v instanceof Date) return v;
  const d = new Date(formulaText(v));
  if (Number.isNaN(d.getTime())) throw new FormulaError('Not a date');
  return d;
}

const UNIT_MS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 };

const FUNCTIONS: Record<string, (args: FormulaValue[], env: FormulaEnv) => FormulaValue> = {
  concat: (a) => (a.every(Array.isArray) ? (a as FormulaValue[][]).flat() : a.map(formulaText).join('')),
  join: (a) => {
    const [first, ...rest] = a;
    if (Array.isArray(first)) return first.map(formulaText).join(formulaText(rest[0] ?? ''));
    return rest.map(formulaText).join(formulaText(first ?? ''));
  },
  length: (a) => (Array.isArray(a[0]) ? a[0].length : formulaText(a[0] ?? null).length),
  lower: (a) => formulaText(a[0] ?? null).toLowerCase(),
  upper: (a) => formulaText(a[0] ?? null).toUpperCase(),
  trim: (a) => formulaText(a[0] ?? null).trim(),
  format: (a) => formulaText(a[0] ?? null),
  toNumber: (a) => {
    const n = Number(formulaText(a[0] ?? null));
    return Number.isNaN(n) ? null : n;
  },
  empty: (a) => isEmpty(a[0] ?? null),
  not: (a) => !truthy(a[0] ?? null),
  contains: (a) =>
    Array.isArray(a[0])
      ? a[0].some((x) => equal(x, a[1] ?? null))
      : formulaText(a[0] ?? null).includes(formulaText(a[1] ?? null)),
  test: (a) => new RegExp(formulaText(a[1] ?? null)).test(formulaText(a[0] ?? null)),
  replace: (a) => formulaText(a[0] ?? null).replace(new RegExp(formulaText(a[1] ?? null)), formulaText(a[2] ?? null)),
  replaceAll: (a) =>
    formulaText(a[0] ?? null).replace(new RegExp(formulaText(a[1] ?? null), 'g'), formulaText(a[2] ?? null)),
  substring: (a) => formulaText(a[0] ?? null).substring(num(a[1] ?? 0), a[2] === undefined ? undefined : num(a[2])),
  slice: (a) => formulaText(a[0] ?? null).slice(num(a[1] ?? 0), a[2] === undefined ? undefined : num(a[2])),
  round: (a) => {
    const factor = 10 ** num(a[1] ?? 0);
    return Math.round(num(a[0] ?? null) * factor) / factor;
  },
  floor: (a) => Math.floor(num(a[0] ?? null)),
  ceil: (a) => Math.ceil(num(a[0] ?? null)),
  abs: (a) => Math.abs(num(a[0] ?? null)),
  sqrt: (a) => Math.sqrt(num(a[0] ?? null)),
  min: (a) => Math.min(...a.flat().map(num)),
  max: (a) => Math.max(...a.flat().map(num)),
  sum: (a) =>
    a
      .flat()
      .map(num)
      .reduce((x, y) => x + y, 0),
  now: (_a, env) => env.now(),
  today: (_a, env) => new Date(env.now().toISOString().slice(0, 10)),
  dateAdd: (a) =>
    new Date(toDate(a[0] ?? null).getTime() + num(a[1] ?? 0) * (UNIT_MS[formulaText(a[2] ?? 'days')] ?? 86_400_000)),
  dateBetween: (a) =>
    Math.trunc(
      (toDate(a[0] ?? null).getTime() - toDate(a[1] ?? null).getTime()) /
        (UNIT_MS[formulaText(a[2] ?? 'days')] ?? 86_400_000),
    ),
  formatDate: (a) =>
    toDate(a[0] ?? null)
      .toISOString()
      .slice(0, 10),
  year: (a) => toDate(a[0] ?? null).getUTCFullYear(),
  month: (a) => toDate(a[0] ?? null).getUTCMonth(),
  date: (a) => toDate(a[0] ?? null).getUTCDate(),
};

function evaluate(node: Node, env: FormulaEnv): FormulaValue {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'cond':
      return truthy(evaluate(node.c, env)) ? evaluate(node.t, env) : evaluate(node.f, env);
    case 'unary': {
      const v = evaluate(node.arg, env);
      return node.op === 'not' ? !truthy(v) : v === null ? null : -num(v);
    }
    case 'bin': {
      if (node.op === 'and') return truthy(evaluate(node.l, env)) && truthy(evaluate(node.r, env));
      if (node.op === 'or') return truthy(evaluate(node.l, env)) || truthy(evaluate(node.r, env));
      const l = evaluate(node.l, env);
      const r = evaluate(node.r, env);
      switch (node.op) {
        case '+':
          return typeof l === 'string' || typeof r === 'string' ? formulaText(l) + formulaText(r) : num(l) + num(r);
        case '-':
          return num(l) - num(r);
        case '*':
          return num(l) * num(r);
        case '/':
          return num(l) / num(r);
        case '%':
          return num(l) % num(r);
        case '==':
          return equal(l, r);
        case '!=':
          return !equal(l, r);
        case '>':
          return compare(l, r) > 0;
        case '<':
          return compare(l, r) < 0;
        case '>=':
          return compare(l, r) >= 0;
        default:
          return compare(l, r) <= 0;
      }
    }
    case 'call':
    case 'method': {
      const args = node.k === 'method' ? [node.target, ...node.args] : node.args;
      if (node.name === 'prop') return env.prop(formulaText(evaluate(args[0] ?? { k: 'lit', v: '' }, env)));
      if (node.name === 'if') {
        return truthy(evaluate(args[0] ?? { k: 'lit', v: false }, env))
          ? evaluate(args[1] ?? { k: 'lit', v: null }, env)
          : evaluate(args[2] ?? { k: 'lit', v: null }, env);
      }
      if (node.name === 'ifs') {
        for (let i = 0; i + 1 < args.length; i += 2) {
          if (truthy(evaluate(args[i] as Node, env))) return evaluate(args[i + 1] as Node, env);
        }
        return args.length % 2 === 1 ? evaluate(args[args.length - 1] as Node, env) : null;
      }
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new FormulaError(`Unknown function ${node.name}`);
      return fn(
        args.map((a) => evaluate(a, env)),
        env,
      );
    }
  }
}

/** Parses (cached) and evaluates an expression; throws FormulaError when it cannot. */
const parsed = new Map<string, Node>();
export function evaluateFormula(expression: string, env: FormulaEnv): FormulaValue {
  let ast = parsed.get(expression);
  if (!ast) {
    ast = new Parser(tokenize(expression)).parse();
    parsed.set(expression, ast);
  }
  return evaluate(ast, env);
}
