import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: load and fault tests, bounded in time, loopback only. */
export default defineConfig({
  test: {
    // Bad input: the fuzzing of every route (also part of `npm test`'s security suite).
    include: ['test/reliability/**/*.test.ts', 'test/security/fuzz.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 120_000,
    testTimeout: 300_000,
    fileParallelism: false,
  },
});
