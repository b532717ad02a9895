import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  test: {
    // `npm test` runs the unit tests with coverage: the core's domains and the background must stay
    // at least 80 % covered by unit tests, folder by folder.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx}'],
      exclude: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.tmp/coverage',
      thresholds: {
        'src/jobs/**': { lines: 80 },
        'src/background/**': { lines: 80 },
        'src/settings/**': { lines: 80 },
        'src/connections/**': { lines: 80 },
      },
    },
    projects: [
      {
        // Pure logic and extension code against WXT's fake browser; sandbox services against real SDKs.
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'src/**/*.test.tsx',
            'tests/sandbox/**/*.test.ts',
            'tests/architecture/**/*.test.ts',
          ],
          environment: 'node',
          // The extension origin's IndexedDB (where secrets live), in memory.
          setupFiles: ['fake-indexeddb/auto'],
        },
      },
      {
        // `npm run bench`: speed and memory as ratios against their bounds, against the sandbox, in one process.
        plugins: [WxtVitest()],
        test: {
          name: 'bench',
          include: ['tests/bench/**/*.bench.ts'],
          environment: 'node',
          setupFiles: ['fake-indexeddb/auto'],
          testTimeout: 3_600_000,
          hookTimeout: 120_000,
          // The heap line measures from a collected heap.
          execArgv: ['--expose-gc'],
        },
      },
      {
        // The production build in real Chromium against the sandbox. One browser at a time.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
