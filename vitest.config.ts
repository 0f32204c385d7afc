import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'node_modules/**'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // Each test file boots its own embedded PostgreSQL (a few seconds) or creates its own database.
    hookTimeout: 60_000,
    testTimeout: 30_000,
    reporters: ['default'],
  },
});
