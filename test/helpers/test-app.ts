import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../../src/app.js';
import type { PasswordHasher } from '../../src/auth/password.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type DatabaseTarget } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { buildServices, type ServiceOptions, type Services } from '../../src/services.js';
import { afterAll, beforeAll } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { listen } from './sse.js';
import { createTestDatabaseTarget } from './test-db.js';

export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-and-random-enough-9f8e7d';
export const TEST_API_KEY = 'sk-test-secret-key-that-must-never-leak';

/** An app built exactly as main builds it (src/services.ts), on its own database unless it shares one. */
export interface TestApp extends Omit<Services, 'close'> {
  app: Express;
  /** Closes the services and (unless shared) the database; disposes the database too unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  fake?: FakeOpenAI;
  env?: Record<string, string | undefined>;
  /** Reuse an existing database location (to restart an app on the same data). */
  target?: DatabaseTarget;
  /**
   * A second instance: the same database (and config) as this app, with its own services and memory, as
   * another process would have. Closing it leaves the database open.
   */
  instanceOf?: TestApp;
  wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
  /** Serve the built web client from this folder. */
  clientDir?: string;
  /** Log somewhere other than nowhere (the log tests read the lines). */
  logger?: Logger;
  /** The memory release's readers (its test sets the resident size and watches the collections). */
  memory?: ServiceOptions['memory'];
}

export function testConfig(fake: FakeOpenAI | undefined, env: Record<string, string | undefined> = {}): Config {
  return loadConfig(
    {
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'silent',
      SESSION_SECRET: TEST_SESSION_SECRET,
      OPENAI_MAX_RETRIES: '0',
      OPENAI_MODEL: 'test-model',
      // Tests create many users from one address; the security tests switch limits back on.
      RATE_LIMITS: 'off',
      ...(fake ? { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: TEST_API_KEY } : {}),
      ...env,
    },
    () => 'ephemeral-test-secret',
  );
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = options.instanceOf?.config ?? testConfig(options.fake, options.env);
  const owned = options.target || options.instanceOf ? undefined : await createTestDatabaseTarget({ schema: 'migrated' });
  const db = options.instanceOf?.db ?? (await openDatabase(options.target ?? owned!.target));
  if (!options.instanceOf) await migrate(db);
  const logger = options.logger ?? createLogger(config.logLevel);
  const services = await buildServices(config, db, { logger, wrapHasher: options.wrapHasher, memory: options.memory });
  await services.admins.atStart(logger); // as main does
  const app = createApp(services, { clientDir: options.clientDir });
  return {
    ...services,
    app,
    async close({ keepData = false } = {}) {
      await services.close();
      if (options.instanceOf) return;
      await db.close();
      if (!keepData) await owned?.dispose();
    },
  };
}

export interface TestAppContext {
  /** The fake model server the app talks to. */
  readonly fake: FakeOpenAI;
  readonly t: TestApp;
  /** The app on a real loopback port (only with `listen: true`), for streaming clients. */
  readonly server: { url: string; close(): Promise<void> };
}

/**
 * The usual setup of a test file: a fake model server and a fresh app (optionally listening), started
 * before the file's tests and closed after them. Read them through the returned context inside tests.
 */
export function useTestApp(options: Omit<TestAppOptions, 'fake'> & { listen?: boolean } = {}): TestAppContext {
  let fake: FakeOpenAI | undefined;
  let t: TestApp | undefined;
  let server: TestAppContext['server'] | undefined;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    t = await startTestApp({ ...options, fake });
    if (options.listen) server = await listen(t.app);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    await fake?.close();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only ready inside tests (after beforeAll)`);
    return value;
  };
  return {
    get fake() {
      return ready(fake, 'the fake model');
    },
    get t() {
      return ready(t, 'the test app');
    },
    get server() {
      return ready(server, 'the listening server (useTestApp({ listen: true }))');
    },
  };
}
