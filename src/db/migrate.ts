import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Database } from './database.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Any fixed 64-bit number; every instance uses the same one so only one of them migrates at a time.
const MIGRATION_LOCK_KEY = 727_274_001;

interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

let cached: Promise<Migration[]> | undefined;
/** The migration files (read once: they do not change while the app runs). */
const readMigrations = () => (cached ??= readMigrationFiles());

async function readMigrationFiles(): Promise<Migration[]> {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await fs.readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
      return {
        version: file.slice(0, 3),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

/**
 * Applies every numbered migration not yet applied, each in its own transaction, under a session-level
 * advisory lock so two instances starting at once never run the same migration twice. A migration that
 * was edited after it landed is refused: add the next number instead.
 */
export async function migrate(db: Database, logger?: Logger, { upTo }: { upTo?: string } = {}): Promise<string[]> {
  // `upTo` (a version, e.g. '010'): stop there, as an earlier release would (tests of a migration on its data).
  const migrations = (await readMigrations()).filter((m) => upTo === undefined || m.version <= upTo);
  const client = await db.pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err); // the failing query reports it; see withTransaction
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const applied = new Map(rows.map((r) => [r.version, r.checksum]));
    const newlyApplied: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was edited after it was applied; add a new migration instead.`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      newlyApplied.push(migration.name);
      logger?.info({ migration: migration.name }, 'applied migration');
    }
    return newlyApplied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.off('error', onError);
    client.release(broken);
  }
}

/** Migrations not yet applied to this database (empty: the schema is current). */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const migrations = await readMigrations();
  const UNDEFINED_TABLE = '42P01';
  const { rows } = await db.query<{ version: string }>('SELECT version FROM schema_migrations').catch((err: unknown) => {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return { rows: [] as { version: string }[] };
    throw err;
  });
  const applied = new Set(rows.map((r) => r.version));
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.name);
}
