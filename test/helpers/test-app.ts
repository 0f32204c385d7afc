import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../../src/app.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/password.js';
import { SessionStore } from '../../src/auth/session-store.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Database, type DatabaseTarget } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createTurnsService, type TurnsService } from '../../src/chats/turns.service.js';
import { createChatModel } from '../../src/llm/create-model.js';
import type { ChatModel } from '../../src/llm/chat-model.js';
import { openLimits, type Limits } from '../../src/limits/limits.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { afterAll, beforeAll } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { listen } from './sse.js';
import { createTestDatabaseTarget } from './test-db.js';

export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-and-random-enough-9f8e7d';
export const TEST_API_KEY = 'sk-test-secret-key-that-must-never-leak';

export interface TestApp {
  app: Express;
  db: Database;
  config: Config;
  model: ChatModel;
  turns: TurnsService;
  sessionStore: SessionStore;
  limits: Limits;
  metrics: Metrics;
  logger: Logger;
  hasher: PasswordHasher;
  /** Closes the app's store and database; disposes the database too unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  fake?: FakeOpenAI;
  env?: Record<string, string | undefined>;
  /** Reuse an existing database location (to restart an app on the same data). */
  target?: DatabaseTarget;
  wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
  /** Serve the built web client from this folder. */
  clientDir?: string;
  /** Log somewhere other than nowhere (the log tests read the lines). */
  logger?: Logger;
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
  const config = testConfig(options.fake, options.env);
  const owned = options.target ? undefined : await createTestDatabaseTarget();
  const db = await openDatabase(options.target ?? owned!.target);
  await migrate(db);
  const logger = createLogger(config.logLevel);
  const model = createChatModel(config.model, logger);
  const realHasher = await createPasswordHasher(config.bcryptRounds);
  const hasher = options.wrapHasher ? options.wrapHasher(realHasher) : realHasher;
  const sessionStore = new SessionStore(db, config.session);
  const { limits, store: limitsStore } = await openLimits(config.limits, db);
  const metrics = createMetrics(db);
  const turns = createTurnsService(db, model, config.chat, options.logger ?? logger, metrics);
  const app = createApp({ config, db, model, turns, sessionStore, limits, hasher, logger: options.logger ?? logger, metrics, clientDir: options.clientDir });
  return {
    app,
    db,
    config,
    model,
    turns,
    sessionStore,
    limits,
    metrics,
    logger,
    hasher,
    async close({ keepData = false } = {}) {
      await turns.drain(0);
      sessionStore.close();
      await limitsStore.close();
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
