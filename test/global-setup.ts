import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase, type DatabaseTarget } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a dumped data directory just after initdb (no schema). */
    pgliteEmpty: string;
    /** PGlite: a dumped data directory with every migration applied by the real migrator. */
    pgliteMigrated: string;
    /** PostgreSQL (TEST_DATABASE_URL): a database with every migration applied, to copy with CREATE DATABASE … TEMPLATE. */
    postgresTemplate: string;
  }
}

/**
 * Runs initdb and the migrations once for the whole run, so each test file's database starts as a copy
 * (PGlite: a dumped data directory; PostgreSQL: CREATE DATABASE … TEMPLATE) instead of repeating them.
 * The migrations are still applied by the real migrator (here), and the migrator's own tests start from
 * an empty database.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-template-'));
  const serverUrl = process.env.TEST_DATABASE_URL;
  const empty = path.join(dir, 'pglite-empty.tar');
  const migrated = path.join(dir, 'pglite-migrated.tar');
  // The empty PGlite cluster is made in both modes: the embedded database's own tests need it.
  const emptyCluster = await createEmptyPGlite(empty);
  let postgresTemplate = '';
  if (serverUrl) postgresTemplate = await createPostgresTemplate(serverUrl);
  else await createMigratedPGlite(emptyCluster, migrated);
  project.provide('pgliteEmpty', empty);
  project.provide('pgliteMigrated', migrated);
  project.provide('postgresTemplate', postgresTemplate);
  return async () => {
    if (serverUrl) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${postgresTemplate} WITH (FORCE)`);
    await fs.rm(dir, { recursive: true, force: true });
  };
}

async function createEmptyPGlite(file: string): Promise<Blob> {
  const initdb = await PGlite.create('memory://');
  const empty = await initdb.dumpDataDir('none');
  await initdb.close();
  await fs.writeFile(file, Buffer.from(await empty.arrayBuffer()));
  return empty;
}

async function createMigratedPGlite(empty: Blob, migratedFile: string): Promise<void> {
  // Migrated on disk through the app's own database layer, then dumped (the dump needs PGlite itself,
  // which openDatabase keeps inside).
  const dataDir = path.join(path.dirname(migratedFile), 'migrated');
  await fs.mkdir(dataDir);
  await (await PGlite.create({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: empty })).close();
  await migrateDatabase({ kind: 'pglite', dataDir });
  const engine = await PGlite.create({ dataDir: path.join(dataDir, 'pglite') });
  const dump = await engine.dumpDataDir('none');
  await engine.close();
  await fs.writeFile(migratedFile, Buffer.from(await dump.arrayBuffer()));
}

async function migrateDatabase(target: DatabaseTarget): Promise<void> {
  const db = await openDatabase(target);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}

async function createPostgresTemplate(serverUrl: string): Promise<string> {
  const name = `gptb_template_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase({ kind: 'postgres', url: url.toString() });
  return name;
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
