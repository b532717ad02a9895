import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  test: {
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
