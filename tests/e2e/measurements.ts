// Numbers an E2E run measures along the way (wall times against their bounds), printed and kept in
// .tmp/measurements.json for the notes. Not assertions about speed: those live in tests/bench.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const FILE = resolve(import.meta.dirname, '../../.tmp/measurements.json');

export function recordMeasurement(name: string, values: Record<string, number>): void {
  const rounded = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  console.log(`[measure] ${name}: ${JSON.stringify(rounded)}`);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {
    // first measurement of the run
  }
  all[name] = { ...rounded, at: new Date().toISOString() };
  mkdirSync(resolve(FILE, '..'), { recursive: true });
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
}
