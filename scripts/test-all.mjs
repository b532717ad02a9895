// `npm test`: everything, in the order a reviewer would check it — typecheck, lint, format, unit tests,
// both production builds, then the E2E suite in real Chromium (and the Firefox smoke suite in Firefox
// ESR) against the sandbox, then the benchmark. Every step runs even when an earlier one failed
// (except E2E, which needs the builds and browsers), and the last line is the plain
// `N passed, N failed` CI reads. The exit code is non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tmp = join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

const results = [];
let passed = 0;
let failed = 0;

function run(name, command, args, options = {}) {
  const started = Date.now();
  console.log(`\n▶ ${name}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env, ...options });
  const ok = result.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  return ok;
}

/** Counts a vitest JSON report's tests into the totals; a missing report counts as one failure. */
function countReport(file, stepOk) {
  if (!existsSync(file)) {
    failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that failed to load has no failed tests but is still a failure.
  if (!stepOk && report.numFailedTests === 0) failed += 1;
  if (report.numTotalTests === 0) failed += 1;
}

/**
 * Debian's Chromium and Firefox ESR, the two browsers E2E runs in, installed when missing, with
 * Chromium's language packs: without them Chromium speaks only en-US whatever its --lang, and the
 * locale tests would prove nothing.
 */
function ensureBrowsers() {
  const missing = [
    [chromium, 'chromium'],
    ...(process.env.CHROMIUM_PATH ? [] : [['/usr/lib/chromium/locales/de.pak', 'chromium-l10n']]),
    [firefox, 'firefox-esr'],
  ].filter(([path]) => !existsSync(path));
  if (missing.length === 0) return true;
  const packages = missing.map(([, name]) => name);
  console.log(`\nNot found: ${missing.map(([path]) => path).join(', ')}: installing Debian's ${packages.join(', ')}.`);
  if (process.getuid?.() !== 0) {
    console.error('Installing browsers needs root (apt-get). Install them, or set CHROMIUM_PATH / FIREFOX_PATH.');
    return false;
  }
  return (
    run('install browsers (apt-get update)', 'apt-get', ['update', '-qq']) &&
    run('install browsers', 'apt-get', ['install', '-y', '-qq', ...packages], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  );
}

const vitestJson = (name) => join(tmp, `${name}.json`);

const typecheckOk = run('typecheck', 'tsc', ['--noEmit', '-p', '.']);
const lintOk = run('lint', 'oxlint', ['--deny-warnings', 'src', 'entrypoints', 'tests', 'scripts']);
const formatOk = run('format', 'prettier', ['--check', '--log-level=warn', '.']);
for (const ok of [typecheckOk, lintOk, formatOk]) {
  if (ok) passed += 1;
  else failed += 1;
}

rmSync(vitestJson('unit'), { force: true });
const unitOk = run('unit tests', 'vitest', [
  'run',
  '--project',
  'unit',
  '--coverage.enabled',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson('unit')}`,
]);
countReport(vitestJson('unit'), unitOk);
printCoverage(join(tmp, 'coverage', 'coverage-summary.json'));

/** Unit-test line coverage per folder of src/ (the thresholds are in vitest.config.ts). */
function printCoverage(file) {
  if (!existsSync(file)) return;
  const folders = new Map();
  for (const [path, totals] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
    const folder = /\/src\/([^/]+)\//.exec(path)?.[1];
    if (!folder) continue;
    const sum = folders.get(folder) ?? { covered: 0, total: 0 };
    sum.covered += totals.lines.covered;
    sum.total += totals.lines.total;
    folders.set(folder, sum);
  }
  console.log('\nUnit line coverage by folder:');
  for (const [folder, { covered, total }] of [...folders].toSorted(([a], [b]) => a.localeCompare(b))) {
    console.log(`  src/${folder}: ${((100 * covered) / Math.max(total, 1)).toFixed(1)} % of ${total} lines`);
  }
}

// Both builds, as npm run zip makes them for the stores: Chromium's, and Firefox's (with its sources
// package) that its smoke suite loads. E2E reads the zips back as a store reviewer would.
const buildOk =
  run('build and zip', 'wxt', ['zip']) && run('build and zip for Firefox', 'wxt', ['zip', '-b', 'firefox', '--mv3']);
if (buildOk) passed += 1;
else failed += 1;

if (buildOk && ensureBrowsers()) {
  rmSync(vitestJson('e2e'), { force: true });
  const e2eOk = run('e2e tests', 'vitest', [
    'run',
    '--project',
    'e2e',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${vitestJson('e2e')}`,
  ]);
  countReport(vitestJson('e2e'), e2eOk);
  // The benchmark (npm run bench) last: speed as ratios to Notion's bound, which its tests hold to.
  rmSync(vitestJson('bench'), { force: true });
  const benchOk = run('bench', 'vitest', [
    'run',
    '--project',
    'bench',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${vitestJson('bench')}`,
  ]);
  countReport(vitestJson('bench'), benchOk);
} else {
  console.error('E2E skipped: a build or a browser is missing. Counted as a failure.');
  failed += 1;
}

console.log('\nSteps:');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✖'} ${r.name} (${r.seconds.toFixed(1)} s)`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
