import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseTarget } from '../../src/db/database.js';

/**
 * Where a test's data lives: a fresh PGlite by default, or, when TEST_DATABASE_URL is set, a fresh
 * database of its own on that PostgreSQL server (dropped afterwards). Tests never share data.
 */
export interface TestDatabaseTarget {
  target: DatabaseTarget;
  dispose(): Promise<void>;
}

export const usingRealPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDatabaseOptions {
  /** On disk (PGlite: a data directory of its own, for child processes and restarts). */
  onDisk?: boolean;
  /** `migrated`: every migration already applied (copied from global-setup's template); `empty` (default): no schema. */
  schema?: 'empty' | 'migrated';
}

export async function createTestDatabaseTarget(options: TestDatabaseOptions = {}): Promise<TestDatabaseTarget> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const migrated = options.schema === 'migrated';
  if (serverUrl) return createServerDatabase(serverUrl, 'gptb_test', migrated ? inject('postgresTemplate') : undefined);
  // Every database starts as a copy of a cluster global-setup made once (initdb, and the migrations).
  const template = new Blob([await fs.readFile(inject(migrated ? 'pgliteMigrated' : 'pgliteEmpty'))]);
  if (!options.onDisk) return { target: { kind: 'pglite', dataDir: 'memory://', template }, dispose: async () => undefined };
  return createPGliteDataDir(template);
}

/**
 * An embedded database on disk (a DATA_DIR, as the app and its child processes open it), whatever the
 * test run's database: created from global-setup's empty cluster (no schema) unless `template` is given.
 */
export async function createPGliteDataDir(template?: Blob): Promise<TestDatabaseTarget & { dataDir: string }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-test-'));
  const loadDataDir = template ?? new Blob([await fs.readFile(inject('pgliteEmpty'))]);
  await (await PGlite.create({ dataDir: path.join(dataDir, 'pglite'), loadDataDir })).close();
  return {
    dataDir,
    target: { kind: 'pglite', dataDir },
    dispose: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
}

/** A new database on a PostgreSQL server (also used by the benchmark), empty or a copy of `template`; dispose drops it. */
export async function createServerDatabase(serverUrl: string, prefix = 'gptb_test', template?: string): Promise<TestDatabaseTarget> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    async dispose() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
