import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createJobs } from '../src/jobs.js';
import { createMemoryRelease } from '../src/observability/memory-release.js';
import { captureLogs } from './helpers/log-lines.js';
import { ROOT } from './helpers/processes.js';
import { useTestApp } from './helpers/test-app.js';
import { signUp } from './helpers/users.js';
import { eventually } from './helpers/wait.js';

const MiB = 2 ** 20;
// The resident size the app reads, set by each test; a collection brings it back down.
let rss = 200 * MiB;
const collections: string[] = [];
const ctx = useTestApp({
  env: { MEMORY_RELEASE_IDLE_SECONDS: '1' },
  memory: {
    rss: () => rss,
    collect: ({ flavor }) => {
      collections.push(flavor);
      rss = 150 * MiB;
    },
  },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('memory release after a load (MEMORY_RELEASE_IDLE_SECONDS)', () => {
  it('runs one memory-reducing collection once nothing has run for the idle time, then not again until memory grows', async () => {
    const jobs = createJobs(ctx.t);
    expect(jobs.list()).toContainEqual({ name: 'memory-release', everyMs: 1000 });
    await signUp(ctx.t.app);
    rss = 300 * MiB; // what the load left
    expect(ctx.t.memory.releaseIfIdle()).toBeUndefined(); // a request has just ended

    jobs.start();
    try {
      await eventually(() => collections.length === 1, 5000, 'the job to collect');
      expect(collections).toEqual(['last-resort']);
      await sleep(2500); // two more runs of the job: nothing grew since
      expect(collections).toHaveLength(1);
    } finally {
      jobs.stop();
    }
  });

  it('never while a request is open (a reply streaming), and not for growth under 10 %', async () => {
    collections.length = 0;
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({}).expect(201)).body.chat;
    ctx.fake.enqueue({ kind: 'reply', content: 'a slow reply', chunks: ['a ', 'slow ', 'reply'], chunkDelayMs: 800 });
    const sent = agent
      .post(`/api/chats/${chat.id}/message`)
      .send({ content: 'take your time' })
      .then((r) => r);
    rss = 400 * MiB;
    await sleep(1300); // longer than the idle time, the stream still open
    expect(ctx.t.memory.releaseIfIdle()).toBeUndefined();
    expect((await sent).status).toBe(201);

    await sleep(1100);
    expect(ctx.t.memory.releaseIfIdle()).toMatchObject({ rssBefore: 400 * MiB, rssAfter: 150 * MiB });
    rss = 160 * MiB; // +10 MiB since: under the 16 MiB floor
    await sleep(1100);
    expect(ctx.t.memory.releaseIfIdle()).toBeUndefined();
    expect(collections).toEqual(['last-resort']);
  });

  it("uses V8's own collector when Node was started with --expose-gc (as npm start does)", () => {
    const script = `import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/observability/memory-release.ts')).href)})
      .then(({ createMemoryRelease }) => console.log(JSON.stringify(createMemoryRelease({ idleMs: 1000 }))))`;
    const run = (flags: string[]) =>
      JSON.parse(
        execFileSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }),
      ) as object;
    expect(run(['--expose-gc'])).toMatchObject({ enabled: true, unavailable: false });
    expect(run([])).toMatchObject({ enabled: false, unavailable: true });
  });
});

describe('without --expose-gc', () => {
  it('is off, and says so, instead of failing the start-up', async () => {
    // This test process was started without the flag (npm start and the Docker image pass it).
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const memory = createMemoryRelease({ idleMs: 1000 });
    expect(memory).toMatchObject({ enabled: false, unavailable: true });
    expect(memory.releaseIfIdle()).toBeUndefined();
    const { logger, logs } = captureLogs();
    const jobs = createJobs({ ...ctx.t, memory }, logger);
    expect(jobs.list().map((j) => j.name)).not.toContain('memory-release');
    expect(logs().map((l) => l.msg)).toContain('Memory release after a load is off: start Node with --expose-gc (npm start does).');
    // Off on purpose (MEMORY_RELEASE_IDLE_SECONDS=0): nothing to say.
    expect(createMemoryRelease({ idleMs: 0 })).toMatchObject({ enabled: false, unavailable: false });
  });
});
