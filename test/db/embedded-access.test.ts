import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';

/** Another local process finding the embedded database's loopback port must not get in. */
describe.runIf(!process.env.TEST_DATABASE_URL)('the embedded database server', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await db?.close();
  });

  const connect = (password: string | undefined) => {
    const { host, port } = db.pool.options as { host: string; port: number };
    const client = new pg.Client({ host, port, user: 'postgres', database: 'postgres', password, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    return client.connect().then(
      async () => {
        await client.end();
        return 'connected';
      },
      (err: { code?: string; message: string }) => err.code ?? err.message,
    );
  };

  it('refuses a connection without the process’s random password (or with a wrong one)', async () => {
    expect(await connect('postgres')).toBe('28P01');
    expect(await connect('')).not.toBe('connected');
    expect(await connect(undefined)).not.toBe('connected');
    // The app's own pool has it and works.
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });
});
