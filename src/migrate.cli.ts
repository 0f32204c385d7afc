import { loadConfigOrExit } from './bootstrap.js';
import { createLogger } from './logger.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrate.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const db = await openDatabase(config.database, logger);
try {
  const applied = await migrate(db, logger);
  logger.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
} finally {
  await db.close();
}
