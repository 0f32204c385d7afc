import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEntry, startServer, useScratchSpace, waitFor } from './helpers/processes.js';
import { usingRealPostgres } from './helpers/test-db.js';

/** The real entry points (`npm start`, `npm run migrate`) run as a newcomer would run them. Process faults
 * (SIGKILL mid-reply, SIGTERM drain) are in test/reliability/process-faults.test.ts. */

const scratch = useScratchSpace('gptb-start-');
const databaseEnv = () => scratch.databaseEnv();

const run = (script: string, env: Record<string, string>) => runEntry(script, env, scratch.workDir);

describe('npm run migrate', () => {
  it('applies the migrations, then reports the database up to date', async () => {
    const first = run('src/migrate.cli.ts', { ...databaseEnv(), LOG_LEVEL: 'info' });
    expect(await first.exited).toBe(0);
    expect(first.output().stdout).toContain('001_initial');

    const second = run('src/migrate.cli.ts', { ...databaseEnv(), LOG_LEVEL: 'info' });
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
    // A first start with nothing set, as the README's quick start does: the embedded database is created.
    const server = run('src/main.ts', { DATA_DIR: path.join(scratch.workDir, 'first-start'), PORT: '0', LOG_LEVEL: 'info' });
    try {
      await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
      const { stdout } = server.output();
      expect(stdout).toMatch(/OFFLINE DEMO MODEL/);
      const port = /"port":(\d+)/.exec(stdout)?.[1];
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toEqual({ status: 'ok', db: 'ok', model: { label: 'demo/offline-demo', status: 'ok' } });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('names the model server it tried at start-up, when OPENAI_BASE_URL points nowhere (the key never shown)', async () => {
    const env = {
      ...databaseEnv(),
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      OPENAI_API_KEY: 'sk-start-up-secret',
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    const server = run('src/main.ts', env);
    try {
      await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
      const lines = server
        .output()
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => String(l.msg).startsWith('gpt-backend listening on'))).toMatchObject({
        modelServer: 'http://127.0.0.1:1/v1',
        msg: expect.stringContaining('at http://127.0.0.1:1/v1'),
      });
      expect(lines.find((l) => String(l.msg).includes('the model server at http://127.0.0.1:1/v1 does not answer'))).toBeDefined();
      expect(server.output().stdout + server.output().stderr).not.toContain('sk-start-up-secret');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it.runIf(!usingRealPostgres)(
    'as `npm start` runs it (node --liftoff-only), warns that PGLITE_OPTIMIZE=speed needs Node started without the flag',
    async () => {
      const env = { ...databaseEnv(), PGLITE_OPTIMIZE: 'speed', PORT: '0', LOG_LEVEL: 'info' };
      const server = runEntry('src/main.ts', env, scratch.workDir, [], ['--liftoff-only']);
      try {
        await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
        expect(server.output().stdout).toContain('PGLITE_OPTIMIZE=speed: Node.js was started with --liftoff-only');
      } finally {
        server.child.kill('SIGTERM');
      }
      expect(await server.exited).toBe(0);
    },
  );
});

describe('workers', () => {
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
    const server = run('src/main.ts', {
      DATA_DIR: path.join(scratch.workDir, 'never-used'),
      WEB_CONCURRENCY: '2',
      SESSION_SECRET: 'x'.repeat(40),
    });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('WEB_CONCURRENCY');
  });
});

describe('start-up failures in plain words', () => {
  const dbEnv = () => scratch.databaseEnv();
  const dir = () => scratch.workDir;

  it('a port already in use: one line naming the port and PORT, exit 1, no stack', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const server = runEntry('src/main.ts', { ...dbEnv(), PORT: String(port), LOG_LEVEL: 'warn' }, dir());
      expect(await server.exited).toBe(1);
      const { stderr } = server.output();
      const lines = stderr.trim().split('\n');
      expect(lines).toEqual([`Port ${port} is already in use: stop what is listening there, or set PORT to a free port.`]);
      expect(stderr + server.output().stdout).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('an unreachable DATABASE_URL: one line, exit 1, no stack', async () => {
    const server = runEntry(
      'src/main.ts',
      { DATABASE_URL: 'postgres://nobody:secret-pw@127.0.0.1:1/none', PORT: '0', LOG_LEVEL: 'warn' },
      dir(),
    );
    expect(await server.exited).toBe(1);
    const { stderr, stdout } = server.output();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Cannot use the database at DATABASE_URL \(127\.0\.0\.1:1\/none\)/);
    expect(stderr + stdout).not.toContain('secret-pw');
    expect(stderr + stdout).not.toMatch(/\n\s+at /);
  });

  it.runIf(!process.env.TEST_DATABASE_URL)('a DATA_DIR locked by a running server: one line, exit 1, no stack', async () => {
    const first = await startServer({ ...dbEnv(), PORT: '0' }, dir());
    try {
      const second = runEntry('src/main.ts', { ...dbEnv(), PORT: '0', LOG_LEVEL: 'warn' }, dir());
      expect(await second.exited).toBe(1);
      const { stderr, stdout } = second.output();
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^DATA_DIR .* is in use by process \d+/);
      expect(stderr + stdout).not.toMatch(/\n\s+at /);
    } finally {
      first.server.child.kill('SIGTERM');
      await first.server.exited;
    }
  });
});
