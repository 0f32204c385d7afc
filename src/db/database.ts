import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import pg from 'pg';
import type { Logger } from 'pino';
import { lockDataDir } from './data-dir-lock.js';
import { createDataDirInChild } from './pglite-initdb.js';
import { preparedName } from './prepared.js';

/** Anything that can run a query: the pool itself or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** The server's connection URL (PostgreSQL only): a session connection of its own is opened with it. */
  readonly url?: string;
  readonly pool: pg.Pool;
  /** Runs `work` in one transaction; pass `tx` to every repo call inside it. */
  withTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  /**
   * `template`: a dumped PGlite data directory to start a new database from, skipping initdb.
   * `optimize`: 'memory' (the default) compiles PostgreSQL's WebAssembly with V8's baseline compiler
   * only; 'speed' lets V8 optimise its hot functions too (~60 MB more resident; see openEmbedded).
   */
  | { kind: 'pglite'; dataDir: string; template?: Blob; optimize?: 'memory' | 'speed' };

export async function openDatabase(target: DatabaseTarget, logger?: Logger): Promise<Database> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 10_000 });
    return { ...wrapPool('postgres', pool, logger, () => pool.end()), url: target.url };
  }
  return openEmbedded(target, logger);
}

/**
 * PGlite is a single-connection PostgreSQL compiled to WebAssembly. We serve it on a loopback port so
 * the whole app (session store included) speaks the same `pg` protocol in both modes. The pool holds
 * exactly one connection: PGlite runs one query at a time anyway, and a single connection keeps
 * transactions from interleaving. (So never query the pool while holding a transaction's client.)
 */
async function openEmbedded(
  { dataDir, template, optimize }: Extract<DatabaseTarget, { kind: 'pglite' }>,
  logger?: Logger,
): Promise<Database> {
  // By default PostgreSQL's WebAssembly is compiled by V8's baseline compiler (Liftoff) only: its
  // optimising tier (TurboFan) recompiles the hot functions of a 9 MB module on background threads, whose
  // malloc arenas then keep ~60 MB for good (idle RSS ~220 → ~160 MB), and the benchmark's queries ran
  // no faster with it (BENCHMARKS.md, rows 9 and 12). Read at compile time, so set before PGlite loads;
  // Node 24 reads it only from its command line, hence `npm start`'s `node --liftoff-only`.
  if (optimize !== 'speed') v8.setFlagsFromString('--liftoff-only');
  else {
    v8.setFlagsFromString('--no-liftoff-only');
    if (process.execArgv.includes('--liftoff-only'))
      logger?.warn(
        'PGLITE_OPTIMIZE=speed: Node.js was started with --liftoff-only, which Node 24 keeps whatever is set later; start it without that flag (node dist/server/main.js) to optimise the embedded database',
      );
  }
  const [{ PGlite }, { servePGlite }] = await Promise.all([import('@electric-sql/pglite'), import('./pglite-server.js')]);
  const inMemory = dataDir === 'memory://';
  if (!inMemory) await fs.mkdir(path.resolve(dataDir), { recursive: true });
  const unlock = inMemory ? async () => undefined : await lockDataDir(path.resolve(dataDir));
  const options = {
    dataDir: inMemory ? 'memory://' : path.resolve(dataDir, 'pglite'),
    loadDataDir: template,
    // PostgreSQL's 128 MB of shared buffers live in PGlite's WebAssembly memory, resident for good:
    // 16 MB halves the idle footprint, and one process's data is served well from the OS cache anyway.
    postgresqlconf: ['shared_buffers=16MB'],
  };
  const fresh = !inMemory && !template && !existsSync(path.join(options.dataDir, 'PG_VERSION'));
  if (fresh) {
    try {
      await createDataDirInChild(options); // see there: initdb's memory is not kept by this process
    } catch (err) {
      await unlock();
      throw err;
    }
  }
  const engine = await PGlite.create(options);
  // A new random password per process: the loopback port is no way in for anyone else.
  const password = randomBytes(24).toString('base64url');
  const server = await servePGlite(engine, password);
  const pool = new pg.Pool({
    host: server.host,
    port: server.port,
    user: 'postgres',
    password,
    database: 'postgres',
    max: 1,
    idleTimeoutMillis: 0,
  });
  return wrapPool('pglite', pool, logger, async () => {
    await pool.end();
    await server.close();
    await engine.close();
    await unlock();
  });
}

function wrapPool(kind: Database['kind'], pool: pg.Pool, logger: Logger | undefined, shutdown: () => Promise<void>): Database {
  // An idle client whose connection drops emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (err) => logger?.warn({ err }, 'idle database connection failed'));
  // So does a client between a checkout and its first query, for a moment no other listener covers:
  // give every client a listener of its own. (The failing query, if any, still rejects as usual.)
  pool.on('connect', (client) => client.on('error', (err) => logger?.debug({ err }, 'database connection failed')));
  let closing: Promise<void> | undefined;
  return {
    kind,
    pool,
    query: (text, values) => {
      // Not on PGlite: after a failed statement its wire server and pg disagree on what is prepared.
      const name = kind === 'postgres' ? preparedName(text) : undefined;
      return name ? pool.query({ name, text, values }) : pool.query(text, values);
    },
    async withTransaction(work) {
      const client = await pool.connect();
      // A checked-out client whose connection dies emits 'error'; unheard, it would crash the process.
      // The failing query rejects anyway; the broken client is destroyed instead of going back to the pool.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
        logger?.warn({ err }, 'database connection lost during a transaction');
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => (closing ??= shutdown()),
  };
}
