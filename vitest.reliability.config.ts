import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: load and fault tests, bounded in time, loopback only. */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 120_000,
    testTimeout: 300_000,
    fileParallelism: false,
  },
});
