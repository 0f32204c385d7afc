import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabaseTarget, type TestDatabaseTarget } from './test-db.js';

/** The real entry points (`npm start`, `npm run migrate`) run as child processes, as a newcomer runs them. */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// tsx as a loader inside one node process (not the tsx CLI, which runs the app in a child process
// that a SIGKILL to the CLI would leave running).
const TSX_LOADER = import.meta.resolve('tsx');

/** Runs `script` (relative to the project) in `cwd` with only `env` (plus PATH and HOME). */
export function runEntry(script: string, env: Record<string, string>, cwd: string, args: string[] = [], nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, '--import', TSX_LOADER, path.join(ROOT, script), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Ended by a signal: its name and the end of stderr, so a failed `toBe(0)` says what happened.
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? `killed by ${signal}; stderr: ${stderr.slice(-800)}`)),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `npm start`'s entry point and waits until it listens; returns its base URL too. */
export async function startServer(env: Record<string, string>, cwd: string) {
  const server = runEntry('src/main.ts', { PORT: '0', LOG_LEVEL: 'info', ...env }, cwd);
  await waitFor(() => server.output().stdout.includes('listening on'), 'the server to listen');
  return { server, url: `http://127.0.0.1:${/"port":(\d+)/.exec(server.output().stdout)?.[1]}` };
}

/**
 * An empty working directory (so a developer's own .env cannot leak into child processes) and an
 * on-disk database for them, for the whole test file.
 */
export function useScratchSpace(prefix: string) {
  let workDir: string | undefined;
  let storage: TestDatabaseTarget | undefined;
  beforeAll(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    storage = await createTestDatabaseTarget({ onDisk: true });
  });
  afterAll(async () => {
    await storage?.dispose();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });
  return {
    get workDir(): string {
      if (!workDir) throw new Error('the scratch space is only ready inside tests');
      return workDir;
    },
    /** DATABASE_URL or DATA_DIR for a child process. */
    databaseEnv(): Record<string, string> {
      const target = storage!.target;
      return target.kind === 'postgres' ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir };
    },
  };
}
