// `npm test`: everything, in the order a reviewer would check it — typecheck, lint, format, unit tests,
// production build, then the E2E suite in real Chromium against the sandbox, then the benchmark. Every step runs even
// when an earlier one failed (except E2E, which needs the build), and the last line is the plain
// `N passed, N failed` CI reads. The exit code is non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tmp = join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

function ensureChromium() {
  if (existsSync(chromium)) return true;
  console.log(`\nChromium not found at ${chromium}: installing Debian's chromium package.`);
  if (process.getuid?.() !== 0) {
    console.error('Installing Chromium needs root (apt-get). Install the `chromium` package, or set CHROMIUM_PATH.');
    return false;
  }
  return (
    run('install chromium (apt-get update)', 'apt-get', ['update', '-qq']) &&
    run('install chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], {
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

const buildOk = run('build', 'wxt', ['build']);
if (buildOk) passed += 1;
else failed += 1;

if (buildOk && ensureChromium()) {
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
  console.error('E2E skipped: the build or Chromium is missing. Counted as a failure.');
  failed += 1;
}

console.log('\nSteps:');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✖'} ${r.name} (${r.seconds.toFixed(1)} s)`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
