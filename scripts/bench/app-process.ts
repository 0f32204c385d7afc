/**
 * The app under test runs as its own process (the compiled app, as `npm start` runs it, wrapped by
 * app-with-gc.ts: see compileForBench()), on the Node.js binary named by BENCH_NODE (default: the one running the benchmark), with helpers to start,
 * measure and stop it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createServerDatabase } from '../../test/helpers/test-db.js';
import { linkAsPaths } from '../../test/helpers/seed.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE = process.env.BENCH_NODE ?? process.execPath;
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PASSWORD = 'benchmark-passphrase-123';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The limits the app runs with: off (one user sends thousands of messages a minute here), or with
 * BENCH_LIMITS=on every check on with limits no row reaches, to measure what the checks cost (a send's
 * per-minute count and its admission under the daily token budget).
 */
const LIMITS: Record<string, string> =
  process.env.BENCH_LIMITS === 'on'
    ? {
        RATE_LIMITS: 'on',
        MESSAGES_PER_MINUTE: '100000',
        CHATS_PER_HOUR: '100000',
        REGISTER_PER_IP_PER_HOUR: '100000',
        DAILY_TOKEN_LIMIT: '1000000000',
      }
    : { RATE_LIMITS: 'off' };

export const pick = (from: NodeJS.ProcessEnv, name: string): Record<string, string> => (from[name] ? { [name]: from[name] } : {});

/**
 * Compiles what the benchmark runs as processes: the app (`npm run build:server`, as production runs
 * it) and the probe and baseline scripts (tsconfig.bench.json, to dist/bench/). They run as plain
 * JavaScript, not through tsx: its transform names every function at run time (esbuild's keepNames),
 * which costs each closure its own property table and map (~5 KB per open stream in row 4) and CPU on
 * every request, and would be measured as the app's.
 */
export function compileForBench(): void {
  execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** `npm start`'s command without its `node`: its flags (e.g. --liftoff-only) and its script. */
export function startArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start is not a node command: ${scripts.start}`);
  return args;
}

/** Runs one of the compiled scripts (`scripts/bench/<name>.ts` → dist/bench/<name>.js). */
export function spawnNode(script: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const compiled = path.join(ROOT, 'dist/bench', `${path.basename(script, '.ts')}.js`);
  return spawn(NODE, [...nodeArgs, compiled], {
    cwd: ROOT,
    // MALLOC_ARENA_MAX (glibc's arenas: row 10 compares with and without) and PGLITE_OPTIMIZE (rows 9, 12) reach the app.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...pick(process.env, 'MALLOC_ARENA_MAX'),
      ...pick(process.env, 'BENCH_MEMORY_DETAIL'),
      ...pick(process.env, 'PGLITE_OPTIMIZE'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Resident memory of the app process, in bytes (from /proc). */
  rss(): Promise<number>;
  /** Resident memory of the app process and its child processes (the file workers), in bytes. */
  treeRss(): Promise<number>;
  /** Open file descriptors of the app process (sockets included). */
  openHandles(): Promise<number>;
  /** Live JavaScript heap after a full garbage collection, in bytes. */
  heapAfterGc(): Promise<number>;
}

const rssOf = async (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** Starts the app (or, with `script`, a baseline server that takes the same probe: see relay-baseline.ts). */
export async function startApp(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  script = 'scripts/bench/app-with-gc.ts',
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawnNode(
    script,
    {
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...LIMITS,
      NODE_ENV: 'development',
      SESSION_SECRET: 'bench-session-secret-0123456789-abcdef',
      ...env,
    },
    // BENCH_V8_FLAGS: V8 flags to try on the measured process (e.g. --max-semi-space-size=2).
    ['--expose-gc', ...startArgs().slice(0, -1), ...(process.env.BENCH_V8_FLAGS ?? '').split(' ').filter(Boolean), ...nodeArgs],
  );
  let output = '';
  const heapWaiters: ((bytes: number) => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    output = (output + text).slice(-4096);
    for (let match; (match = /heap-after-gc=(\d+)\n/.exec(output));) {
      output = output.slice(match.index + match[0].length);
      heapWaiters.shift()?.(Number(match[1]));
    }
  });
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid!;
  const app: AppProcess = {
    url,
    child,
    rss: () => rssOf(pid),
    treeRss: async () => {
      const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(' ').filter(Boolean).map(Number);
      const sizes = await Promise.all([pid, ...children].map((one) => rssOf(one).catch(() => 0)));
      return sizes.reduce((a, b) => a + b, 0);
    },
    openHandles: async () => (await readdir(`/proc/${pid}/fd`)).length,
    heapAfterGc: () =>
      new Promise((resolve) => {
        heapWaiters.push(resolve);
        child.kill('SIGUSR2');
      }),
  };
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/api/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return app;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the app did not start');
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const database = await createServerDatabase(ADMIN_URL, 'gptb_bench');
  const { target } = database;
  if (target.kind !== 'postgres') throw new Error('a server database was expected');
  return { url: target.url, drop: () => database.dispose() };
}

const json = (cookie?: string) => ({ 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) });

export async function register(url: string): Promise<{ cookie: string; userId: string }> {
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: json(),
    body: JSON.stringify({ email: `bench-${randomBytes(4).toString('hex')}@example.com`, password: PASSWORD }),
  });
  const body = (await res.json()) as { user: { id: string } };
  return { cookie: res.headers.getSetCookie()[0]!.split(';')[0]!, userId: body.user.id };
}

export async function login(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: json(),
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

export async function createChats(url: string, cookie: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/chats`, { method: 'POST', headers: json(cookie), body: JSON.stringify({ title: `chat ${i}` }) });
    ids.push(((await res.json()) as { chat: { id: string } }).chat.id);
  }
  return ids;
}

/** Many chats at once, straight into the database (for the rows that need thousands). */
export async function insertChats(dbUrl: string, userId: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO chats (user_id, title) SELECT $1, 'bench ' || g FROM generate_series(1, $2) g RETURNING id`,
    [userId, n],
  );
  await client.end();
  return rows.map((r) => r.id);
}

/** `n` earlier messages (user and assistant in turn, ~700 characters each) in every one of `chats`. */
export async function insertHistory(dbUrl: string, chats: string[], n: number): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  await client.query(
    `INSERT INTO messages (chat_id, role, content)
     SELECT c.id, CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END, repeat('earlier message ' || g || ' ', 40)
     FROM unnest($1::uuid[]) AS c (id), generate_series(1, $2::int) AS g`,
    [chats, n],
  );
  await linkAsPaths(client, chats);
  await client.end();
}

export const progress = (what: string): void => {
  if (process.env.BENCH_VERBOSE) console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${what}`);
};
