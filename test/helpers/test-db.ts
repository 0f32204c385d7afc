import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

export async function createTestDatabaseTarget(options: { onDisk?: boolean } = {}): Promise<TestDatabaseTarget> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return createServerDatabase(serverUrl);
  if (!options.onDisk) {
    // Starting from the freshly initialised cluster made once by global-setup skips a slow initdb.
    const template = new Blob([await fs.readFile(inject('pgliteTemplate'))]);
    return { target: { kind: 'pglite', dataDir: 'memory://', template }, dispose: async () => undefined };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-test-'));
  return {
    target: { kind: 'pglite', dataDir },
    dispose: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
}

/** A new, empty database on a PostgreSQL server (also used by the benchmark); dispose drops it. */
export async function createServerDatabase(serverUrl: string, prefix = 'gptb_test'): Promise<TestDatabaseTarget> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
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
