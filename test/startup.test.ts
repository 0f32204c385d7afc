import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './helpers/fake-openai.js';
import { openSse } from './helpers/sse.js';
import { createTestDatabaseTarget, usingRealPostgres, type TestDatabaseTarget } from './helpers/test-db.js';
import { PASSWORD, uniqueEmail } from './helpers/users.js';
import { eventually } from './helpers/wait.js';

/** The real entry points (`npm start`, `npm run migrate`) run as a newcomer would run them. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// tsx as a loader inside one node process (not the tsx CLI, which runs the app in a child process
// that a SIGKILL to the CLI would leave running).
const TSX_LOADER = import.meta.resolve('tsx');

let workDir: string;
let storage: TestDatabaseTarget;

beforeAll(async () => {
  // An empty working directory, so a developer's own .env cannot leak into these runs.
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-start-'));
  storage = await createTestDatabaseTarget({ onDisk: true });
});
afterAll(async () => {
  await storage?.dispose();
  await fs.rm(workDir, { recursive: true, force: true });
});

function databaseEnv(): Record<string, string> {
  const { target } = storage;
  return target.kind === 'postgres' ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir };
}

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, script)], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run migrate', () => {
  it('applies the migrations, then reports the database up to date', async () => {
    const first = run('src/db/migrate.cli.ts', { ...databaseEnv(), LOG_LEVEL: 'info' });
    expect(await first.exited).toBe(0);
    expect(first.output().stdout).toContain('001_initial');

    const second = run('src/db/migrate.cli.ts', { ...databaseEnv(), LOG_LEVEL: 'info' });
    expect(await second.exited).toBe(0);
    expect(second.output().stdout).toContain('database is up to date');
  });
});

describe('npm start', () => {
  it('refuses to start in production without a session secret or a model, saying why', async () => {
    const server = run('src/main.ts', { NODE_ENV: 'production', ...databaseEnv() });
    expect(await server.exited).toBe(1);
    const { stderr } = server.output();
    expect(stderr).toContain('SESSION_SECRET');
    expect(stderr).toContain('OPENAI_API_KEY or OPENAI_BASE_URL');
  });

  it('starts in development with the offline demo model, warns about it, and shuts down cleanly', async () => {
    const server = run('src/main.ts', { ...databaseEnv(), PORT: '0', LOG_LEVEL: 'info' });
    try {
      await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
      const { stdout } = server.output();
      expect(stdout).toMatch(/OFFLINE DEMO MODEL/);
      const port = /"port":(\d+)/.exec(stdout)?.[1];
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toEqual({ status: 'ok', db: 'ok', model: 'demo/offline-demo' });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });
});

interface ChatBody {
  messages: { role: string; content: string; status: string }[];
}

describe('a server killed in the middle of a reply', () => {
  it('leaves a usable chat after restart: the partial reply ends as "error" and new messages work', async () => {
    const fake = await startFakeOpenAI();
    const env = {
      ...databaseEnv(),
      PORT: '0',
      LOG_LEVEL: 'info',
      SESSION_SECRET: 'a-stable-secret-for-the-restart-test-0123456789',
      OPENAI_BASE_URL: fake.url,
      OPENAI_MAX_RETRIES: '0',
    };
    const start = async () => {
      const server = run('src/main.ts', env);
      await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
      return { server, url: `http://127.0.0.1:${/"port":(\d+)/.exec(server.output().stdout)?.[1]}` };
    };
    try {
      const first = await start();
      const register = await fetch(`${first.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      });
      const cookie = register.headers.getSetCookie()[0]!.split(';')[0]!;
      const chunks = Array.from({ length: 100 }, (_, i) => `word${i} `);
      fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${first.url}/api/chats`, { cookie, body: { message: 'a long answer please' } });
      const chatId = (await sse.waitFor((e) => e.event === 'start')).data.chat.id;
      await sse.waitFor((e) => e.event === 'delta' && e.data.content === 'word12 ');
      first.server.child.kill('SIGKILL');
      await first.server.exited;
      const streamed = sse.text();

      const second = await start();
      try {
        const get = () => fetch(`${second.url}/api/chats/${chatId}`, { headers: { Cookie: cookie } }).then((r) => r.json() as Promise<ChatBody>);
        const chat = await eventually(async () => {
          const body = await get();
          return body.messages?.[1]?.status !== 'streaming' && body;
        }, 20_000, 'the orphaned reply to be ended');
        const [user, reply] = chat.messages as [ChatBody['messages'][number], ChatBody['messages'][number]];
        expect(user).toMatchObject({ role: 'user', content: 'a long answer please' });
        expect(reply.status).toBe('error');
        expect(reply.content.length).toBeGreaterThan(0);
        // What was saved is the start of the reply, and at most about a second (10 words) behind the client.
        expect(chunks.join('').startsWith(reply.content)).toBe(true);
        expect(reply.content.length).toBeGreaterThanOrEqual(streamed.length - chunks.slice(0, 10).join('').length);

        const next = await fetch(`${second.url}/api/chats/${chatId}/message`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: cookie },
          body: JSON.stringify({ content: 'still there?' }),
        });
        expect(next.status).toBe(201);
      } finally {
        second.server.child.kill('SIGTERM');
        await second.server.exited;
      }
    } finally {
      await fake.close();
    }
  });
});

describe('graceful shutdown and workers', () => {
  it('on SIGTERM lets a reply in progress finish and store, then exits 0', async () => {
    const fake = await startFakeOpenAI();
    try {
      const server = run('src/main.ts', {
        ...databaseEnv(),
        PORT: '0',
        LOG_LEVEL: 'info',
        SESSION_SECRET: 'a-stable-secret-for-the-shutdown-test-0123456789',
        OPENAI_BASE_URL: fake.url,
        SHUTDOWN_GRACE_MS: '20000',
      });
      await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
      const url = `http://127.0.0.1:${/"port":(\d+)/.exec(server.output().stdout)?.[1]}`;
      const register = await fetch(`${url}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      });
      const cookie = register.headers.getSetCookie()[0]!.split(';')[0]!;
      const chunks = Array.from({ length: 15 }, (_, i) => `part${i} `);
      fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${url}/api/chats`, { cookie, body: { message: 'finish before you go' } });
      await sse.waitFor((e) => e.event === 'delta');

      server.child.kill('SIGTERM');
      await sse.ended;
      expect(sse.events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'complete' } } });
      expect(sse.text()).toBe(chunks.join(''));
      expect(await server.exited).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it.runIf(usingRealPostgres)('runs WEB_CONCURRENCY workers on one port and stops them all on SIGTERM', async () => {
    const server = run('src/main.ts', {
      ...databaseEnv(),
      PORT: '0',
      LOG_LEVEL: 'info',
      WEB_CONCURRENCY: '2',
      SESSION_SECRET: 'a-stable-secret-for-the-workers-test-0123456789',
    });
    await waitFor(() => (server.output().stdout.match(/listening on/g) ?? []).length === 2, 'two workers to listen');
    expect(server.output().stdout).toContain('started worker processes');
    const ports = [...server.output().stdout.matchAll(/"port":(\d+)/g)].map((m) => m[1]);
    const health = await fetch(`http://127.0.0.1:${ports[0]}/api/health`);
    expect(health.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses WEB_CONCURRENCY above 1 on the embedded database, saying why', async () => {
    const server = run('src/main.ts', { DATA_DIR: path.join(workDir, 'never-used'), WEB_CONCURRENCY: '2', SESSION_SECRET: 'x'.repeat(40) });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('WEB_CONCURRENCY');
  });
});
