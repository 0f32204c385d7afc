import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * `npm test`: the integration suite. Test files are independent (each has its own database, copied
 * from the template global-setup migrates once), so they run in parallel: one more worker than cores,
 * since many tests spend their time waiting on timers, sockets and child processes, not on a core.
 * A worker runs file after file in one process (`isolate: false`): each file still builds its own
 * app and database, but the app's modules are loaded once per worker instead of once per file
 * (0.9 s of CPU each). The browser tests are `npm run test:e2e` (vitest.e2e.config.ts); load and
 * fault tests are `npm run test:reliability`.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    isolate: false,
    maxWorkers: Number(process.env.TEST_WORKERS) || os.availableParallelism() + 1,
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 60_000,
    testTimeout: 30_000,
    reporters: ['default'],
  },
});
