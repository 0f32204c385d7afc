/**
 * `npm run bench:load`: throughput and overhead against baselines measured in the same run.
 * The app runs as its own process (the real `src/main.ts`) on a fresh PostgreSQL database (and then on
 * PGlite), the model is the zero-latency fake OpenAI server, and load comes from this process
 * (autocannon and a small SSE client). Prints a Markdown report for BENCHMARKS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { startFakeOpenAI, type FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { openSse } from '../../test/helpers/sse.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const PASSWORD = 'benchmark-passphrase-123';
const TSX = import.meta.resolve('tsx');

const report: string[] = [];
const line = (text = '') => {
  report.push(text);
  console.error(text);
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function spawnNode(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return child;
}

async function startApp(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnNode('src/main.ts', { PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMITS: 'off', NODE_ENV: 'development', ...env });
  child.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/api/health/ready`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the app did not start');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gptb_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function register(url: string): Promise<{ cookie: string; userId: string }> {
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: `bench-${randomBytes(4).toString('hex')}@example.com`, password: PASSWORD }),
  });
  const body = (await res.json()) as { user: { id: string } };
  return { cookie: res.headers.getSetCookie()[0]!.split(';')[0]!, userId: body.user.id };
}

async function createChats(url: string, cookie: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/chats`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify({ title: `chat ${i}` }) });
    ids.push(((await res.json()) as { chat: { id: string } }).chat.id);
  }
  return ids;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

async function cannon(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ duration: DURATION, connections: 10, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function dbActivity(url: string): Promise<{ statements: number; writes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ xact: string; writes: string }>(
    `SELECT xact_commit + xact_rollback AS xact, tup_inserted + tup_updated + tup_deleted AS writes
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  await client.end();
  return { statements: Number(rows[0]!.xact), writes: Number(rows[0]!.writes) };
}

/** Row 1 and 2 for one database mode; returns req/s and messages/s. */
async function throughputRows(label: string, env: Record<string, string>, fake: FakeOpenAI, dbUrl?: string) {
  const app = await startApp({ OPENAI_BASE_URL: fake.url, SESSION_SECRET: 'bench-session-secret-0123456789-abcdef', ...env });
  progress(`${label}: app started`);
  try {
    const { cookie } = await register(app.url);
    progress(`${label}: registered`);
    await createChats(app.url, cookie, 50);
    progress(`${label}: 50 chats`);
    await cannon({ url: `${app.url}/api/chats?limit=50`, headers: { cookie }, duration: 2 }); // warm-up
    progress(`${label}: warmed up`);
    const before = dbUrl ? await dbActivity(dbUrl) : undefined;
    progress(`${label}: stats read`);
    const list = await cannon({ url: `${app.url}/api/chats?limit=50`, headers: { cookie } });
    progress(`${label}: list measured ${list.rps}`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // statistics are flushed about once a second
    const after = dbUrl ? await dbActivity(dbUrl) : undefined;

    const chats = await createChats(app.url, cookie, 200);
    progress(`${label}: 200 chats`);
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
    return {
      list,
      send,
      roundTrips: before && after ? (after.statements - before.statements) / list.requests : undefined,
      writes: before && after ? after.writes - before.writes : undefined,
      label,
    };
  } finally {
    progress(`${label}: stopping`);
    await stop(app.child);
    progress(`${label}: stopped`);
  }
}

async function directSendRate(dbUrl: string, userId: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 10 });
  const { rows } = await pool.query<{ id: string }>(`INSERT INTO chats (user_id, title) SELECT $1, 'direct ' || g FROM generate_series(1, 200) g RETURNING id`, [userId]);
  let done = 0;
  let next = 0;
  const deadline = performance.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < deadline) {
        const chatId = rows[next++ % rows.length]!.id;
        const client = await pool.connect();
        let replyId: string;
        try {
          await client.query('BEGIN');
          const user = await client.query<{ id: string }>(`INSERT INTO messages (chat_id, role, content) VALUES ($1, 'user', 'benchmark message') RETURNING id`, [chatId]);
          await client.query('UPDATE chats SET title = $2 WHERE id = $1 AND title IS NULL', [chatId, 'x']);
          const reply = await client.query<{ id: string }>(
            `INSERT INTO messages (chat_id, role, content, reply_to, model, status, heartbeat_at) VALUES ($1, 'assistant', '', $2, 'bench', 'streaming', now()) RETURNING id`,
            [chatId, user.rows[0]!.id],
          );
          await client.query('SELECT * FROM chats WHERE id = $1 AND user_id = $2', [chatId, userId]);
          await client.query('COMMIT');
          replyId = reply.rows[0]!.id;
        } finally {
          client.release();
        }
        await pool.query('SELECT id, role, content FROM messages WHERE chat_id = $1 ORDER BY id', [chatId]);
        await pool.query(`UPDATE messages SET content = 'Echo: benchmark message', status = 'complete', heartbeat_at = NULL WHERE id = $1`, [replyId]);
        done++;
      }
    }),
  );
  await pool.end();
  return done / DURATION;
}

/** Time to first delta through the app, and straight from the fake server, at a given concurrency. */
async function firstTokenTimes(url: string, cookie: string, chats: string[], fake: FakeOpenAI, concurrency: number, rounds: number) {
  const viaApp: number[] = [];
  const direct: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const start = performance.now();
        const sse = await openSse(`${url}/api/chats/${chats[(r * concurrency + i) % chats.length]}/message`, { cookie, body: { content: 'hi' } });
        await sse.waitFor((e) => e.event === 'delta', 30_000);
        viaApp.push(performance.now() - start);
        await sse.ended;
      }),
    );
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const start = performance.now();
        const res = await fetch(`${fake.url}/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        });
        const reader = res.body!.getReader();
        let text = '';
        while (!text.includes('"content":"Echo')) text += new TextDecoder().decode((await reader.read()).value);
        direct.push(performance.now() - start);
        while (!(await reader.read()).done);
      }),
    );
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  return {
    added50: pct(viaApp, 50) - pct(direct, 50),
    added99: pct(viaApp, 99) - pct(direct, 99),
    app50: pct(viaApp, 50),
    direct50: pct(direct, 50),
  };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
function progress(what: string): void {
  if (process.env.BENCH_VERBOSE) console.error(`[bench] ${what}`);
}

const fake = await startFakeOpenAI();
const db = await createDatabase();
try {
  line(`Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; ` +
    `autocannon ${DURATION} s × 10 connections from this process; the app in its own process (LOG_LEVEL=warn, RATE_LIMITS=off).`);
  line();

  // Rows 1 and 2 on PostgreSQL, with their baselines.
  const onPg = await throughputRows('PostgreSQL', { DATABASE_URL: db.url }, fake, db.url);
  const baselineUser = (await new pg.Pool({ connectionString: db.url, max: 1 }).query<{ id: string }>('SELECT id FROM users LIMIT 1')).rows[0]!.id;
  const basePort = spawnNode('scripts/bench-load/baseline-server.ts', { DATABASE_URL: db.url, BENCH_USER_ID: baselineUser });
  const baseUrl = await new Promise<string>((resolve) => basePort.stdout!.on('data', (d: Buffer) => resolve(`http://127.0.0.1:${/port=(\d+)/.exec(d.toString())![1]}`)));
  progress('baseline server started');
  const bare = await cannon({ url: `${baseUrl}/chats` });
  progress(`bare: ${bare.rps} req/s, ${bare.failures} failed`);
  await stop(basePort);
  const directSends = await directSendRate(db.url, baselineUser);
  progress('baselines measured');

  // Row 9: the same on the embedded PGlite.
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-bench-'));
  const onPglite = await throughputRows('PGlite', { DATA_DIR: dataDir }, fake);
  await fs.rm(dataDir, { recursive: true, force: true });

  // Row 3: time to first token added by the backend.
  const app = await startApp({ DATABASE_URL: db.url, OPENAI_BASE_URL: fake.url, SESSION_SECRET: 'bench-session-secret-0123456789-abcdef' });
  const { cookie } = await register(app.url);
  const chats = await createChats(app.url, cookie, 200);
  progress('first-token app started');
  const ttft1 = await firstTokenTimes(app.url, cookie, chats, fake, 1, 100);
  progress('first token at 1 measured');
  const ttft100 = await firstTokenTimes(app.url, cookie, chats, fake, 100, 3);
  await stop(app.child);

  // Row 7: logins at bcrypt cost 12 with 8 concurrent clients.
  const hashStart = performance.now();
  const hash = await bcrypt.hash(PASSWORD, 12);
  for (let i = 0; i < 3; i++) await bcrypt.compare(PASSWORD, hash);
  const compareMs = (performance.now() - hashStart) / 4;
  const login = await startApp({ DATABASE_URL: db.url, OPENAI_BASE_URL: fake.url, BCRYPT_ROUNDS: '12', SESSION_SECRET: 'bench-session-secret-0123456789-abcdef' });
  const email = `login-${randomBytes(4).toString('hex')}@example.com`;
  await fetch(`${login.url}/api/auth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  progress('login app started');
  const logins = await cannon({ url: `${login.url}/api/auth/login`, method: 'POST', connections: 8, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  const metrics = await (await fetch(`${login.url}/metrics`)).text();
  const loopP99 = Number(/nodejs_eventloop_lag_p99_seconds (\S+)/.exec(metrics)?.[1] ?? NaN) * 1000;
  await stop(login.child);
  const bound = os.cpus().length / (compareMs / 1000);

  line('| # | What | Measured | Baseline (same run) | Ratio / result | Target |');
  line('| --- | --- | ---: | ---: | ---: | --- |');
  line(`| 1 | \`GET /api/chats\` (50 chats), req/s | ${fmt(onPg.list.rps, 0)} (p99 ${onPg.list.p99} ms) | bare node:http + pg: ${fmt(bare.rps, 0)} | ${fmt(onPg.list.rps / bare.rps, 2)}× | ≥ 0.5× |`);
  line(`| 1 | … database round trips / writes per request | ${fmt(onPg.roundTrips ?? NaN, 2)} / ${onPg.writes} | — | — | ≤ 2 and 0 |`);
  line(`| 2 | send message (JSON, fake answers at once), messages/s | ${fmt(onPg.send.rps, 0)} (${onPg.send.failures} failed) | same SQL through pg: ${fmt(directSends, 0)} | ${fmt(onPg.send.rps / directSends, 2)}× | ≥ 0.5× |`);
  line(`| 3 | time to first token added, 1 stream: median / p99 | ${fmt(ttft1.added50, 2)} / ${fmt(ttft1.added99, 2)} ms | fake direct median ${fmt(ttft1.direct50, 2)} ms | via app ${fmt(ttft1.app50, 2)} ms | ≤ 1 / ≤ 5 ms |`);
  line(`| 3 | … 100 concurrent streams: median / p99 | ${fmt(ttft100.added50, 1)} / ${fmt(ttft100.added99, 1)} ms | fake direct median ${fmt(ttft100.direct50, 1)} ms | via app ${fmt(ttft100.app50, 1)} ms | ≤ 1 / ≤ 5 ms |`);
  line(`| 7 | logins/s at bcrypt cost 12, 8 clients | ${fmt(logins.rps, 1)} | cores ÷ one compare (${fmt(compareMs, 0)} ms): ${fmt(bound, 1)} | ${fmt(logins.rps / bound, 2)}× | ≥ 0.9× |`);
  line(`| 7 | … event-loop delay p99 meanwhile | ${fmt(loopP99, 1)} ms | — | — | < 20 ms |`);
  line(`| 9 | PGlite: \`GET /api/chats\` req/s / messages/s | ${fmt(onPglite.list.rps, 0)} / ${fmt(onPglite.send.rps, 0)} | PostgreSQL: ${fmt(onPg.list.rps, 0)} / ${fmt(onPg.send.rps, 0)} | ${fmt(onPglite.list.rps / onPg.list.rps, 2)}× / ${fmt(onPglite.send.rps / onPg.send.rps, 2)}× | report |`);
} finally {
  await db.drop();
  await fake.close();
}
console.log(report.join('\n'));
process.exit(0);
