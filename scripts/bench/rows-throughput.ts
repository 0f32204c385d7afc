/** Rows 1, 2 and 9: the chat list and sends per second, against bare `pg` baselines, on both databases. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createRepliesRepo } from '../../src/chats/replies.repo.js';
import { STORE_TURN_SQL } from '../../src/chats/turns.repo.js';
import type { FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { createChats, progress, register, spawnNode, startApp, stop } from './app-process.js';
import { DURATION, cannon, type Load } from './load.js';

interface Throughput {
  list: Load;
  send: Load;
  /** Statements (transactions) and row writes per list request, from pg_stat_database. */
  roundTrips?: number;
  writes?: number;
}

async function dbActivity(url: string): Promise<{ statements: number; writes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ xact: string; writes: string }>(
    `SELECT xact_commit + xact_rollback AS xact, tup_inserted + tup_updated + tup_deleted AS writes
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  await client.end();
  return { statements: Number(rows[0]!.xact), writes: Number(rows[0]!.writes) };
}

async function measureApp(label: string, env: Record<string, string>, fake: FakeOpenAI, dbUrl?: string): Promise<Throughput> {
  const app = await startApp({ OPENAI_BASE_URL: fake.url, ...env });
  try {
    const { cookie } = await register(app.url);
    await createChats(app.url, cookie, 50);
    await cannon({ url: `${app.url}/api/chats?limit=50`, headers: { cookie }, duration: 2 }); // warm-up
    const before = dbUrl ? await dbActivity(dbUrl) : undefined;
    const list = await cannon({ url: `${app.url}/api/chats?limit=50`, headers: { cookie } });
    progress(`${label}: list ${list.rps} req/s`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the statistics collector flushes about once a second
    const after = dbUrl ? await dbActivity(dbUrl) : undefined;

    const chats = await createChats(app.url, cookie, 200);
    let next = 0;
    const send = await cannon({
      url: app.url,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            path: `/api/chats/${chats[next++ % chats.length]}/message`,
            headers: { 'content-type': 'application/json', cookie },
            body: JSON.stringify({ content: 'benchmark message' }),
          }),
        },
      ],
    });
    progress(`${label}: send ${send.rps} messages/s`);
    return {
      list,
      send,
      // The statistics reads themselves are two transactions of their own.
      roundTrips: before && after ? (after.statements - before.statements - 2) / list.requests : undefined,
      writes: before && after ? after.writes - before.writes : undefined,
    };
  } finally {
    await stop(app.child);
  }
}

/** The chat list's SELECT behind a bare node:http server (its own process, same pool size). */
async function bareListRate(dbUrl: string, userId: string): Promise<Load> {
  const server = spawnNode('scripts/bench/baseline-server.ts', { DATABASE_URL: dbUrl, BENCH_USER_ID: userId });
  const url = await new Promise<string>((resolve) =>
    server.stdout!.on('data', (d: Buffer) => resolve(`http://127.0.0.1:${/port=(\d+)/.exec(d.toString())![1]}`)),
  );
  try {
    return await cannon({ url: `${url}/chats` });
  } finally {
    await stop(server);
  }
}

const ECHO_DIGEST = createHash('md5').update('Echo: benchmark message').digest('hex');

/** The statements of a send (session read, the turn, the reply's end) straight through `pg`, pool of 10. */
async function directSendRate(dbUrl: string, userId: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 10 });
  pool.on('error', () => undefined); // the benchmark database may be dropped under an idle client
  const replies = createRepliesRepo(pool);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO chats (user_id, title) SELECT $1, 'direct ' || g FROM generate_series(1, 200) g RETURNING id`,
    [userId],
  );
  const { rows: sessions } = await pool.query<{ sid: string }>('SELECT sid FROM sessions LIMIT 1');
  const newest = new Map<string, { id: string; digest: string }>();
  let done = 0;
  let next = 0;
  const deadline = performance.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < deadline) {
        const chatId = rows[next++ % rows.length]!.id;
        await pool.query(`SELECT sess FROM sessions WHERE sid = $1 AND expire > now() AND created_at > now() - make_interval(secs => $2)`, [
          sessions[0]?.sid ?? '',
          86_400,
        ]);
        const turn = await pool.query<{ placeholder: { id: number } }>(STORE_TURN_SQL, [
          chatId,
          userId,
          'benchmark message',
          null,
          'bench-model',
          'x',
          ['bench-model'],
          null,
          null,
          null, // no files
          // The conversation as the app holds it after serving the chat (see early-start.ts): not read back.
          newest.get(chatId)?.id ?? null,
          newest.get(chatId)?.digest ?? null,
        ]);
        // The reply's end as the app stores it (with its usage charged), through the app's own repository.
        const usage = { promptTokens: 11, completionTokens: 7 };
        await replies.end(
          String(turn.rows[0]!.placeholder.id),
          { content: 'Echo: benchmark message', status: 'complete', model: 'bench-model', usage },
          { userId, model: 'bench-model', usage },
        );
        newest.set(chatId, { id: String(turn.rows[0]!.placeholder.id), digest: ECHO_DIGEST });
        done++;
      }
    }),
  );
  await pool.end();
  return done / DURATION;
}

export async function throughputRows(fake: FakeOpenAI, dbUrl: string): Promise<string[]> {
  const onPg = await measureApp('PostgreSQL', { DATABASE_URL: dbUrl }, fake, dbUrl);
  const userPool = new pg.Pool({ connectionString: dbUrl, max: 1 });
  const userId = (await userPool.query<{ id: string }>('SELECT id FROM users LIMIT 1')).rows[0]!.id;
  await userPool.end();
  const bare = await bareListRate(dbUrl, userId);
  const directSends = await directSendRate(dbUrl, userId);
  progress(`baselines: ${bare.rps} req/s, ${directSends} sends/s`);

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-bench-'));
  const onPglite = await measureApp('PGlite', { DATA_DIR: dataDir }, fake);
  await fs.rm(dataDir, { recursive: true, force: true });

  const f = (n: number, d = 0) => n.toFixed(d);
  return [
    `| 1 | \`GET /api/chats\` (50 chats), req/s | ${f(onPg.list.rps)} (p99 ${onPg.list.p99} ms) | bare node:http + pg: ${f(bare.rps)} | ${f(onPg.list.rps / bare.rps, 2)}× | ≥ 0.5× |`,
    `| 1 | … database statements / row writes per request | ${f(onPg.roundTrips ?? NaN, 2)} / ${onPg.writes} | — | — | ≤ 2 and 0 |`,
    `| 2 | send message (JSON, fake answers at once), messages/s | ${f(onPg.send.rps)} (${onPg.send.failures} failed) | same SQL through pg: ${f(directSends)} | ${f(onPg.send.rps / directSends, 2)}× | ≥ 0.5× |`,
    `| 9 | PGlite: \`GET /api/chats\` req/s / messages/s | ${f(onPglite.list.rps)} / ${f(onPglite.send.rps)} | PostgreSQL: ${f(onPg.list.rps)} / ${f(onPg.send.rps)} | ${f(onPglite.list.rps / onPg.list.rps, 2)}× / ${f(onPglite.send.rps / onPg.send.rps, 2)}× | report |`,
  ];
}
