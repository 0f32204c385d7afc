import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { startOrphanSweeper } from './chats/orphan-sweeper.js';
import { createTurnsService } from './chats/turns.service.js';
import { SessionStore } from './auth/session-store.js';
import { createPasswordHasher } from './auth/password.js';
import { loadConfigOrExit } from './bootstrap.js';
import { openDatabase } from './db/database.js';
import { openLimits } from './limits/limits.js';
import { migrate } from './db/migrate.js';
import { DEMO_MODEL_LABEL } from './llm/demo-model.js';
import { createChatModel } from './llm/create-model.js';
import { createLogger } from './logger.js';
import { createMetrics } from './observability/metrics.js';
import { runPrimary } from './workers.js';

/** The composition root: read config, open the database, migrate, wire the app, listen, shut down. */
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

if (config.workers > 1 && cluster.isPrimary) {
  runPrimary(config.workers, logger);
} else {
  await runServer();
}

async function runServer(): Promise<void> {
  if (config.session.secretIsEphemeral) {
    logger.warn('SESSION_SECRET is not set: using a random one, so everyone is logged out when the server restarts');
  }

  const db = await openDatabase(config.database, logger);
  logger.info(
    config.database.kind === 'pglite'
      ? { dataDir: config.database.dataDir }
      : { database: 'DATABASE_URL' },
    config.database.kind === 'pglite' ? 'using embedded PostgreSQL (PGlite)' : 'using PostgreSQL',
  );
  await migrate(db, logger);

  const model = createChatModel(config.model, logger);
  if (model.label === DEMO_MODEL_LABEL) {
    logger.warn(
      'No OPENAI_API_KEY or OPENAI_BASE_URL: replies come from the OFFLINE DEMO MODEL, not a real AI. Set one of them to use a real model.',
    );
  }

  const stopSweeper = await startOrphanSweeper(db, logger);
  const metrics = createMetrics(db);
  const turns = createTurnsService(db, model, config.chat, logger, metrics);
  const sessionStore = new SessionStore(db, config.session);
  if (!config.limits.enabled) logger.warn('RATE_LIMITS=off: every rate limit and the daily token budget are OFF');
  const { limits, store: limitsStore } = await openLimits(config.limits, db);
  const hasher = await createPasswordHasher(config.bcryptRounds);
  const clientDir = fileURLToPath(new URL('../dist/client', import.meta.url));
  const app = createApp({ config, db, model, turns, sessionStore, limits, hasher, logger, metrics, clientDir });

  const server = app.listen(config.port, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port, model: model.label }, `gpt-backend listening on http://localhost:${port}`);
  });

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Replies in progress get a few seconds to finish; the rest are stopped and stored as they are.
    await turns.drain(config.shutdownGraceMs);
    server.closeAllConnections();
    await closed;
    stopSweeper();
    sessionStore.close();
    await limitsStore.close();
    await db.close();
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  }
