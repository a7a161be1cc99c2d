import { defineConfig } from 'vitest/config';

// The end-to-end test drives the built page (dist/) in headless Chromium: one file, one process.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000, pool: 'forks' },
});
