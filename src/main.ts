import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { loadConfigOrExit } from './bootstrap.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createServer } from './http/server.js';
import { createJobs } from './jobs.js';
import { DEMO_MODEL_LABEL } from './llm/demo-model.js';
import { createLogger } from './logger.js';
import { exitOnFatalErrors } from './process-handlers.js';
import { buildServices } from './services.js';
import { explainStartupFailure } from './startup-errors.js';
import { runPrimary } from './workers.js';

/** The composition root: read config, open the database, migrate, build the services, listen, run jobs, shut down. */
const config = loadConfigOrExit();
// Readable lines for a person at a terminal in development; JSON lines for everything else.
const logger = createLogger(config.logLevel, undefined, { pretty: config.env === 'development' && process.stdout.isTTY });
exitOnFatalErrors(logger);

if (config.workers > 1 && cluster.isPrimary) {
  runPrimary(config.workers, logger);
} else {
  await runServer().catch((err: unknown) => {
    const line = explainStartupFailure(err, config);
    if (line) console.error(line);
    else logger.fatal({ err }, 'could not start');
    logger.flush();
    process.exit(1);
  });
}

async function runServer(): Promise<void> {
  if (config.session.secretIsEphemeral) {
    logger.warn('SESSION_SECRET is not set: using a random one, so everyone is logged out when the server restarts');
  }
  if (!config.limits.enabled) logger.warn('RATE_LIMITS=off: every rate limit and the daily token budget are OFF');

  const db = await openDatabase(config.database, logger);
  logger.info(
    config.database.kind === 'pglite' ? { dataDir: config.database.dataDir } : { database: 'DATABASE_URL' },
    config.database.kind === 'pglite' ? 'using embedded PostgreSQL (PGlite)' : 'using PostgreSQL',
  );
  await migrate(db, logger);

  const services = await buildServices(config, db, { logger });
  await services.admins.atStart(logger);
  if (services.model.label === DEMO_MODEL_LABEL) {
    logger.warn(
      'No OPENAI_API_KEY or OPENAI_BASE_URL: replies come from the OFFLINE DEMO MODEL, not a real AI. Set one of them to use a real model.',
    );
  }
  const jobs = createJobs(services, logger);
  await jobs.prepare();

  // Compiled (dist/server/main.js) the client is next door; run from source (src/main.ts), under dist/.
  const compiled = fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}server${path.sep}`);
  const clientDir = fileURLToPath(new URL(compiled ? '../client' : '../dist/client', import.meta.url));
  const app = createApp(services, { clientDir });
  if (config.isProduction && !config.metricsToken) logger.info('METRICS_TOKEN is not set: GET /metrics is off (404) in production');
  const server = createServer(app, config.server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Installed before the "listening" line: a supervisor may signal as soon as it reads it.
  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    jobs.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Replies in progress get a few seconds to finish; the rest are stopped and stored as they are.
    await services.close(config.shutdownGraceMs);
    server.closeAllConnections();
    await closed;
    await db.close();
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const { port } = server.address() as AddressInfo;
  logger.info(
    { port, model: services.model.label, modelServer: services.model.server },
    `gpt-backend listening on ${config.server.tls ? 'https' : 'http'}://localhost:${port} (model ${services.model.label}${services.model.server ? ` at ${services.model.server}` : ''})`,
  );
  jobs.start();
}
