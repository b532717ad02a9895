// The layer table of ARCHITECTURE.md, held by the build: the repository's own lint configuration
// run over a fixture tree with one import of every kind (each layer to every other), as value and as
// type-only imports, and a circle closed only through `import type`. Every import the table forbids
// must fail lint, and every import it allows must pass.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const oxlint = join(root, 'node_modules', '.bin', 'oxlint');

type Layer = string;
/** Where each layer lives: a folder under src/, a module in src/, or the entrypoints. */
const PLACE: Record<Layer, { dir: string; module?: string }> = {
  entrypoints: { dir: 'entrypoints/notion.content' },
  background: { dir: 'src/background' },
  ui: { dir: 'src/ui/popup' },
  messaging: { dir: 'src', module: 'messaging' },
  settings: { dir: 'src/settings' },
  connections: { dir: 'src/connections' },
  jobs: { dir: 'src/jobs' },
  usage: { dir: 'src/usage' },
  prompt: { dir: 'src/prompt' },
  notion: { dir: 'src/notion' },
  llm: { dir: 'src/llm' },
  storage: { dir: 'src', module: 'storage' },
  shared: { dir: 'src/shared' },
};
const LAYERS = Object.keys(PLACE);

/** The table: what each layer may import (besides itself). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  entrypoints: ['background', 'ui', 'messaging', 'storage', 'shared'],
  background: ['messaging', 'settings', 'connections', 'jobs', 'usage', 'prompt', 'notion', 'llm', 'storage', 'shared'],
  ui: ['messaging', 'storage', 'shared'],
  messaging: ['shared'],
  settings: ['prompt', 'notion', 'llm', 'storage', 'shared'],
  connections: ['prompt', 'notion', 'llm', 'storage', 'shared'],
  usage: ['prompt', 'notion', 'llm', 'storage', 'shared'],
  jobs: ['connections', 'usage', 'prompt', 'notion', 'llm', 'storage', 'shared'],
  prompt: ['notion', 'llm', 'shared'],
  notion: ['shared'],
  llm: ['shared'],
  storage: ['shared'],
  shared: [],
};

/** A layer's module: the module itself where the layer is one file, else a file in its folder. */
const moduleOf = (layer: Layer) => `${PLACE[layer]!.dir}/${PLACE[layer]!.module ?? 'thing'}.ts`;

function specifier(fromDir: string, file: string): string {
  const from = fromDir.split('/');
  const to = file.replace(/\.ts$/, '').split('/');
  let common = 0;
  while (common < from.length && from[common] === to[common]) common++;
  const up = from.length - common;
  return `${up === 0 ? './' : '../'.repeat(up)}${to.slice(common).join('/')}`;
}

let tree: string;
/** Lint error codes by fixture file and line, as the repository's configuration reports them. */
const errors = new Map<string, string[]>();
/** Where each import of the fixture is: `from→to value|type` → file and line. */
const lineOf = new Map<string, string>();

function write(file: string, text: string) {
  mkdirSync(dirname(join(tree, file)), { recursive: true });
  writeFileSync(join(tree, file), text);
}

beforeAll(() => {
  tree = mkdtempSync(join(tmpdir(), 'inkling-layers-'));
  copyFileSync(join(root, '.oxlintrc.json'), join(tree, '.oxlintrc.json'));
  for (const from of LAYERS) {
    // Each layer's module imports every other layer's module, once as a value and once as a type.
    const lines = ['export interface Thing { n: number }', 'export const thing = 1;'];
    const dir = PLACE[from]!.dir;
    const file = moduleOf(from);
    for (const to of LAYERS) {
      if (to === from) continue;
      const spec = specifier(dir, moduleOf(to));
      const local = to.replace(/\W/g, '');
      lines.push(`import { thing as ${local} } from '${spec}';`);
      lineOf.set(`${from}→${to} value`, `${file}:${lines.length}`);
      lines.push(`import type { Thing as ${local}Type } from '${spec}';`);
      lineOf.set(`${from}→${to} type`, `${file}:${lines.length}`);
      lines.push(`export const use${local}: ${local}Type = { n: ${local} };`);
    }
    write(file, `${lines.join('\n')}\n`);
  }
  // A circle that only type imports close.
  write('src/shared/circle-a.ts', "import type { B } from './circle-b';\nexport interface A { b?: B }\n");
  write('src/shared/circle-b.ts', "import type { A } from './circle-a';\nexport interface B { a?: A }\n");

  let output = '';
  try {
    output = execFileSync(oxlint, ['-f', 'json', '.'], { cwd: tree, encoding: 'utf8' });
  } catch (failure) {
    output = (failure as { stdout: string }).stdout;
  }
  const report = JSON.parse(output) as {
    diagnostics: Array<{ code: string; filename: string; labels: Array<{ span: { line: number } }> }>;
  };
  for (const d of report.diagnostics) {
    const file = d.filename.replace(/^\.\//, '');
    for (const where of [file, ...d.labels.map((label) => `${file}:${label.span.line}`)]) {
      errors.set(where, [...(errors.get(where) ?? []), d.code]);
    }
  }
}, 60_000);

afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe('the layer table is enforced by lint', () => {
  for (const from of LAYERS) {
    it(`${from} may import ${MAY_IMPORT[from]!.join(', ') || 'nothing of ours'}, and lint refuses the rest`, () => {
      const refused: string[] = [];
      for (const to of LAYERS) {
        if (to === from) continue;
        for (const kind of ['value', 'type'] as const) {
          const codes = errors.get(lineOf.get(`${from}→${to} ${kind}`)!) ?? [];
          if (codes.includes('eslint(no-restricted-imports)')) refused.push(`${to} (${kind})`);
        }
      }
      const expected = LAYERS.filter((to) => to !== from && !MAY_IMPORT[from]!.includes(to)).flatMap((to) => [
        `${to} (value)`,
        `${to} (type)`,
      ]);
      expect(refused).toEqual(expected);
    });
  }
});

describe('no circles, type imports included', () => {
  it('a circle closed by type-only imports fails lint', () => {
    expect(errors.get('src/shared/circle-a.ts')).toContain('import(no-cycle)');
    expect(errors.get('src/shared/circle-b.ts')).toContain('import(no-cycle)');
  });
});
