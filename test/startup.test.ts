import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseTarget, type TestDatabaseTarget } from './helpers/test-db.js';

/** The real entry points (`npm start`, `npm run migrate`) run as a newcomer would run them. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

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
  const child = spawn(TSX, [path.join(ROOT, script)], {
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
