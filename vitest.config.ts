import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file gets its own database; PGlite start-up dominates, so keep files in parallel.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
