// `npm run demo` on a machine without a display: it starts the sandbox, fills Settings through the
// popup, drives a page run and a database run in the production build, and leaves a gallery of each
// step — the whole flow without any account. Run here as a person would run it (its own process).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'inkling-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const { DISPLAY: _display, ...env } = process.env;
    const child = spawn(process.execPath, ['scripts/demo.ts', '--out', out], { cwd: ROOT, env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => done({ code, output }));
  });
}

describe('npm run demo', () => {
  it('without a display, runs the whole flow against the sandbox and prints its gallery’s address', async () => {
    const { code, output } = await runDemo();
    expect(code, output).toBe(0);
    const address = /Gallery: (file:\/\/\S+index\.html)/.exec(output)?.[1];
    expect(address, output).toBeDefined();
    const index = fileURLToPath(address!);
    expect(index).toBe(join(out, 'index.html'));
    const gallery = readFileSync(index, 'utf8');
    const images = [...gallery.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
    expect(images).toEqual([
      '1-settings.png',
      '2-page-prompt.png',
      '3-page-done.png',
      '4-database-estimate.png',
      '5-database-done.png',
      '6-connections.png',
      '7-usage.png',
    ]);
    // Real pictures, not empty files.
    for (const image of images) expect(statSync(join(out, image)).size, image).toBeGreaterThan(5_000);
    expect(output).toContain('Settings, filled for the sandbox and verified');
  });
});
