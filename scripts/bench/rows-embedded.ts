/** Row 12: the embedded default's memory: the compiled app on PGlite, idle after start (first start and restart). */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NODE, ROOT, freePort, pick, startArgs, stop } from './app-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const IDLE_MS = 5000;

async function idleRss(dataDir: string): Promise<number> {
  const port = await freePort();
  // The app as `npm start` runs it (plain JavaScript from dist/, with its node flags), no DATABASE_URL:
  // PGlite in DATA_DIR.
  const child = spawn(NODE, startArgs(), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      ...pick(process.env, 'PGLITE_OPTIMIZE'),
    },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; i < 240; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/api/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(250);
    }
    await sleep(IDLE_MS);
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024;
  } finally {
    await stop(child);
  }
}

export async function embeddedRows(): Promise<string[]> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.mjs')], { stdio: 'inherit' });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gptb-idle-'));
  try {
    const first = await idleRss(dataDir);
    const restarts = [await idleRss(dataDir), await idleRss(dataDir), await idleRss(dataDir)];
    const MiB = 2 ** 20;
    const median = [...restarts].sort((a, b) => a - b)[1]!;
    return [
      `| 12 | embedded default (PGlite, no DATABASE_URL), RSS ${IDLE_MS / 1000} s after start: restart (median of 3) / first start | ${(median / MiB).toFixed(0)} / ${(first / MiB).toFixed(0)} MiB | — | — | ≤ 200 MB |`,
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
