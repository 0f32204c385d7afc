import { defineConfig } from 'vitest/config';

/** `npm run test:e2e`: the web client in Debian's Chromium (playwright-core); skipped, saying why, without one. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 120_000,
    testTimeout: 60_000,
  },
});
