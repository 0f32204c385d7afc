import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, waitFor } from '../helpers/processes.js';

/**
 * `npm start` as a newcomer runs it, in a copy of the checked-out tree (the dependencies linked, as
 * `npm install` would have put them): it builds on a first start, rebuilds what an edit changed, and
 * serves the edit.
 */

let clone: string;

beforeAll(async () => {
  clone = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-clone-'));
  // What git has (committed or about to be), not what is ignored (dist/, data/, .env).
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const file of files) {
    const exists = await fs.stat(path.join(ROOT, file)).then(
      () => true,
      () => false,
    );
    if (!exists) continue; // deleted in the work tree, not yet in git
    await fs.mkdir(path.dirname(path.join(clone, file)), { recursive: true });
    await fs.copyFile(path.join(ROOT, file), path.join(clone, file));
  }
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
}, 120_000);
afterAll(async () => {
  if (clone) await fs.rm(clone, { recursive: true, force: true });
});

/** `npm start` in the clone until it listens; returns what it printed before that, and its page. */
async function npmStart(): Promise<{ output: string; page: string }> {
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: path.join(clone, 'data') },
    detached: true, // npm, its shell and node: one process group, stopped together
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await waitFor(() => output.includes('listening on') || child.exitCode !== null, 'npm start to listen', 120_000);
    const port = /"port":(\d+)/.exec(output)?.[1];
    expect(port, output).toBeDefined();
    return { output, page: await (await fetch(`http://127.0.0.1:${port}/`)).text() };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

describe('npm start in a fresh clone', () => {
  it('builds on the first start, rebuilds only what an edit changed and serves it, and builds nothing when nothing changed', async () => {
    const first = await npmStart();
    expect(first.output).toContain('Building the server (not built yet) and the web client (not built yet)…');
    expect(first.page).toContain('<title>gpt-backend</title>');

    const indexHtml = path.join(clone, 'client', 'index.html');
    await fs.writeFile(
      indexHtml,
      (await fs.readFile(indexHtml, 'utf8')).replace('<title>gpt-backend</title>', '<title>gpt-backend (edited)</title>'),
    );
    const edited = await npmStart();
    const building = edited.output.split('\n').filter((line) => line.startsWith('Building'));
    expect(building).toEqual(['Building the web client (sources changed since the last build)…']);
    expect(edited.page).toContain('<title>gpt-backend (edited)</title>');

    const again = await npmStart();
    expect(again.output).not.toContain('Building');
    expect(again.page).toContain('<title>gpt-backend (edited)</title>');
  }, 300_000);
});
