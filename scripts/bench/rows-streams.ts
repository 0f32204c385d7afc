/** Rows 3, 4, 5 and 10: what streaming costs: first-token latency, memory per stream, slow readers, leaks. */
import http from 'node:http';
import type { FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { insertChats, insertHistory, progress, register, startApp, stop, type AppProcess } from './app-process.js';
import { percentile, timeStream } from './stream-client.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 2000);
const LEAK_STREAMS = Number(process.env.BENCH_LEAK_STREAMS ?? 10_000);
/**
 * Row 10's idle time before each measurement: idle keep-alive sockets close after 5 s, and V8's memory
 * reducer gives back the heap it grew to under load some 8–30 s after the load ends.
 */
const SETTLE_MS = 1000 * Number(process.env.BENCH_SETTLE_SECONDS ?? 30);
/** BENCH_HISTORY: earlier messages in every chat (default none), so each prompt carries a conversation. */
const HISTORY = Number(process.env.BENCH_HISTORY ?? 0);
const MiB = 2 ** 20;
const f = (n: number, d = 1) => n.toFixed(d);
const pct = (after: number, before: number) => `${after >= before ? '+' : ''}${f((100 * (after - before)) / before)}%`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sendTo = (app: AppProcess, cookie: string, chatId: string) => ({
  url: `${app.url}/api/chats/${chatId}/message`,
  headers: { Cookie: cookie },
  body: { content: 'hi' },
  marker: 'event: delta',
});

/** Row 3: time to the first delta through the app, minus the same read straight from the fake server. */
async function firstToken(
  app: AppProcess,
  cookie: string,
  chats: string[],
  fake: FakeOpenAI,
  concurrency: number,
  rounds: number,
  /** Untimed, before each send: e.g. the client opening the chat first. */
  before?: (chatId: string) => Promise<unknown>,
) {
  const viaApp: number[] = [];
  const direct: number[] = [];
  const body = { model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'hi' }] };
  for (let r = 0; r < rounds; r++) {
    const round = Array.from({ length: concurrency }, (_, i) => chats[(r * concurrency + i) % chats.length]!);
    if (before) await Promise.all(round.map(before));
    const app1 = await Promise.all(round.map((chatId) => timeStream(sendTo(app, cookie, chatId))));
    const fake1 = await Promise.all(
      Array.from({ length: concurrency }, () => timeStream({ url: `${fake.url}/chat/completions`, body, marker: '"content":"' })),
    );
    if (r >= rounds / 10) {
      viaApp.push(...app1.map((t) => t.first));
      direct.push(...fake1.map((t) => t.first));
    }
  }
  return {
    app50: percentile(viaApp, 50),
    app99: percentile(viaApp, 99),
    direct50: percentile(direct, 50),
    direct99: percentile(direct, 99),
  };
}

/**
 * A model whose first token takes SLOW_MODEL_MS (any real one takes longer: a local model tens of ms,
 * a hosted one hundreds): the turn's store then ends before the early call's first token, so what the
 * app adds is its own handling, not the commit.
 */
const SLOW_MODEL_MS = 20;
async function slowModel<T>(fake: FakeOpenAI, run: () => Promise<T>): Promise<T> {
  fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}`, delayMs: SLOW_MODEL_MS }));
  try {
    return await run();
  } finally {
    fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}` }));
  }
}

/**
 * Row 4: many streams open at once, each a slow reply (a chunk every 500 ms for 60 s), through `proc`.
 * Idle is measured after 50 streams have run, so what a process loads or grows once (the tokenizer,
 * compiled code, pools) is not counted as the streams' own memory.
 */
async function manyStreams(proc: AppProcess, fake: FakeOpenAI, request: (i: number) => Parameters<typeof timeStream>[0]) {
  // A kept-alive socket the server closes as it is reused fails one request: not what is measured here.
  for (let i = 0; i < 50; i++) await timeStream(request(STREAMS + i)).catch(() => undefined);
  const chunks = Array.from({ length: 120 }, (_, i) => `token ${i} `);
  fake.setDefault(() => ({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 500 }));
  await sleep(2000);
  const idleHeap = await proc.heapAfterGc();
  const idle = await proc.rss();
  const aborts: (() => void)[] = [];
  const runs: Promise<{ gaps: number[] }>[] = [];
  let failed = 0; // a connection refused or reset under the ramp: counted and reported, not fatal
  for (let i = 0; i < STREAMS; i++) {
    runs.push(timeStream({ ...request(i), onOpen: (abort) => aborts.push(abort) }).catch(() => (failed++, { gaps: [] })));
    if (i % 50 === 49) await sleep(100); // ramp up: 500 new streams a second
  }
  while (aborts.length + failed < STREAMS) await sleep(100);
  progress(`${STREAMS} streams open`);
  let peak = 0;
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    peak = Math.max(peak, await proc.rss());
  }
  const handles = await proc.openHandles();
  const openHeap = await proc.heapAfterGc();
  for (const abort of aborts) abort();
  const results = await Promise.all(runs);
  fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}` }));
  const gaps = results.flatMap((r) => r.gaps);
  return {
    idle,
    peak,
    perStream: (peak - idle) / aborts.length,
    heapPerStream: (openHeap - idleHeap) / aborts.length,
    failed,
    gap50: percentile(gaps, 50),
    gap99: percentile(gaps, 99),
    handles,
  };
}

/** Row 4's floor: the same streams through a bare node:http relay (relay-baseline.ts). */
async function relayStreams(fake: FakeOpenAI) {
  const relay = await startApp({ OPENAI_BASE_URL: fake.url }, [], 'scripts/bench/relay-baseline.ts');
  try {
    return await manyStreams(relay, fake, () => ({ url: `${relay.url}/relay`, body: {}, marker: 'event: delta' }));
  } finally {
    await stop(relay.child);
  }
}

/** Row 5: readers that take 1 KB a second from a 4 MB reply the model sends at once. */
async function slowReaders(app: AppProcess, cookie: string, chatId: string, fake: FakeOpenAI, readers: number) {
  const chunks = Array.from({ length: 1024 }, (_, i) => `${String(i).padStart(6, '0')} ${'y'.repeat(4089)}\n`);
  fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks });
  await sleep(1000);
  const before = await app.rss();
  const open = (method: string, path: string, body?: unknown) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        `${app.url}${path}`,
        { method, headers: { Accept: 'text/event-stream', Cookie: cookie, ...(body ? { 'Content-Type': 'application/json' } : {}) } },
        resolve,
      );
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  const responses = [await open('POST', `/api/chats/${chatId}/message`, { content: 'a long one, please' })];
  for (let i = 1; i < readers; i++) responses.push(await open('GET', `/api/chats/${chatId}/stream`));
  for (const res of responses) res.pause();
  let read = 0;
  let peak = before;
  const samples: number[] = [];
  for (let second = 0; second < 20; second++) {
    for (const res of responses) read += res.read(1024)?.length ?? 0;
    await sleep(1000);
    const rss = await app.rss();
    samples.push(rss);
    peak = Math.max(peak, rss);
  }
  for (const res of responses) res.destroy();
  return { before, peak, last: samples.at(-1)!, replyBytes: chunks.join('').length, read };
}

/** Row 10: many short streams, one in ten stopped or dropped halfway, then memory and handles again. */
async function leakCheck(app: AppProcess, cookie: string, chats: string[], fake: FakeOpenAI) {
  const chunks = Array.from({ length: 8 }, (_, i) => `part ${i} `);
  fake.setDefault(() => ({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 25 }));
  let failed = 0;
  const wave = async (from: number, count: number) => {
    const concurrency = 100;
    let next = from;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < from + count) {
          const n = next++;
          const chatId = chats[n % chats.length]!;
          // A keep-alive socket the app closed as it was reused fails the request: counted, not fatal.
          await timeStream({
            ...sendTo(app, cookie, chatId),
            onOpen: (abort) => {
              if (n % 20 === 0)
                setTimeout(abort, 60); // dropped connection
              else if (n % 20 === 10)
                setTimeout(
                  () =>
                    void fetch(`${app.url}/api/chats/${chatId}/stop`, { method: 'POST', headers: { Cookie: cookie } }).catch(
                      () => failed++,
                    ),
                  60,
                );
            },
          }).catch(() => failed++);
        }
      }),
    );
  };
  // Idle keep-alive sockets (clients' and the model's) close after 5 s; measure once they have.
  const settle = () => sleep(SETTLE_MS);
  await wave(0, 1000); // warm-up: caches, pools and JIT at their working size
  await settle();
  const measure = async () => {
    const rss = await app.rss();
    const handles = await app.openHandles();
    const heap = await app.heapAfterGc();
    // RSS once a full collection has run: what V8 kept of garbage it had not yet collected, set apart
    // from what the allocator kept.
    return { rss, handles, heap, rssCollected: await app.rss() };
  };
  const before = await measure();
  await wave(1000, LEAK_STREAMS);
  await settle();
  const after = await measure();
  fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}` }));
  return { before, after, failed };
}

/** Each row gets an app process of its own, so one row's heap never shows in another's memory. */
async function withApp<T>(
  fake: FakeOpenAI,
  dbUrl: string,
  run: (app: AppProcess, cookie: string, chats: string[]) => Promise<T>,
): Promise<T> {
  const app = await startApp({ DATABASE_URL: dbUrl, OPENAI_BASE_URL: fake.url });
  try {
    const { cookie, userId } = await register(app.url);
    const chats = await insertChats(dbUrl, userId, Math.max(STREAMS, 1000) + 50);
    if (HISTORY) await insertHistory(dbUrl, chats, HISTORY);
    return await run(app, cookie, chats);
  } finally {
    await stop(app.child);
  }
}

export async function streamRows(fake: FakeOpenAI, dbUrl: string, rows: Set<number>): Promise<string[]> {
  const lines: string[] = [];
  if (rows.has(3)) {
    const [one, unseen, opened, hundred, slow] = await withApp(fake, dbUrl, async (app, cookie, chats) => {
      // A conversation goes on in a chat the app served before (its first message sent, not timed);
      // chats 100–699 are ones the app has not seen since it started (as after a restart), each sent to once.
      const open = chats.slice(0, 100);
      for (const chat of open) await timeStream(sendTo(app, cookie, chat));
      const opening = (chatId: string) => fetch(`${app.url}/api/chats/${chatId}`, { headers: { Cookie: cookie } }).then((r) => r.text());
      return [
        await firstToken(app, cookie, open, fake, 1, 300),
        await firstToken(app, cookie, chats.slice(100, 400), fake, 1, 300),
        await firstToken(app, cookie, chats.slice(400, 700), fake, 1, 300, opening),
        await firstToken(app, cookie, open, fake, 100, 10),
        await slowModel(fake, () => firstToken(app, cookie, open, fake, 1, 200)),
      ];
    });
    lines.push(
      `| 3 | time to first token added, 1 stream, a chat going on: median / p99 | ${f(one.app50 - one.direct50, 2)} / ${f(one.app99 - one.direct99, 2)} ms | fake direct ${f(one.direct50, 2)} / ${f(one.direct99, 2)} ms | via app ${f(one.app50, 2)} / ${f(one.app99, 2)} ms | ≤ 1 / ≤ 5 ms |`,
      `| 3 | … the first send in a chat not seen since start: median / p99 | ${f(unseen.app50 - unseen.direct50, 2)} / ${f(unseen.app99 - unseen.direct99, 2)} ms | fake direct ${f(unseen.direct50, 2)} / ${f(unseen.direct99, 2)} ms | via app ${f(unseen.app50, 2)} / ${f(unseen.app99, 2)} ms | report |`,
      `| 3 | … the first send in a chat not seen since start, opened first (\`GET /api/chats/:id\`, untimed) | ${f(opened.app50 - opened.direct50, 2)} / ${f(opened.app99 - opened.direct99, 2)} ms | fake direct ${f(opened.direct50, 2)} / ${f(opened.direct99, 2)} ms | via app ${f(opened.app50, 2)} / ${f(opened.app99, 2)} ms | report |`,
      `| 3 | … 1 stream, a chat going on, a model whose first token takes ${SLOW_MODEL_MS} ms (the store overlapped): median / p99 | ${f(slow.app50 - slow.direct50, 2)} / ${f(slow.app99 - slow.direct99, 2)} ms | fake direct ${f(slow.direct50, 2)} / ${f(slow.direct99, 2)} ms | via app ${f(slow.app50, 2)} / ${f(slow.app99, 2)} ms | report |`,
      `| 3 | … 100 concurrent streams: median / p99 | ${f(hundred.app50 - hundred.direct50)} / ${f(hundred.app99 - hundred.direct99)} ms | fake direct ${f(hundred.direct50)} / ${f(hundred.direct99)} ms | via app ${f(hundred.app50)} / ${f(hundred.app99)} ms | added ≤ 2× the model's own (≤ ${f(2 * hundred.direct50)} ms) |`,
    );
  }
  if (rows.has(4)) {
    const many = await withApp(fake, dbUrl, (app, cookie, chats) => manyStreams(app, fake, (i) => sendTo(app, cookie, chats[i]!)));
    const floor = await relayStreams(fake);
    lines.push(
      `| 4 | memory per open stream, ${STREAMS} streams${many.failed ? ` (${many.failed} failed to open)` : ''}: RSS / live heap | ${f(many.perStream / 1024)} / ${f(many.heapPerStream / 1024)} KB (peak RSS ${f(many.peak / MiB, 0)} MiB, ${many.handles} fds; idle ${f(many.idle / MiB, 0)} MiB) | bare node:http relay: ${f(floor.perStream / 1024)} / ${f(floor.heapPerStream / 1024)} KB | ${f(many.perStream / floor.perStream)}× / ${f(many.heapPerStream / floor.heapPerStream)}× | ≤ 30 KB |`,
      `| 4 | … gap between chunks (model sends one every 500 ms): median / p99 | ${f(many.gap50, 0)} / ${f(many.gap99, 0)} ms | relay: ${f(floor.gap50, 0)} / ${f(floor.gap99, 0)} ms | p99 late by ${f(many.gap99 - 500, 0)} ms | < 50 ms |`,
    );
  }
  if (rows.has(5)) {
    const slow = await withApp(fake, dbUrl, (app, cookie, chats) => slowReaders(app, cookie, chats[0]!, fake, 5));
    lines.push(
      `| 5 | 5 readers at 1 KB/s on a ${f(slow.replyBytes / MiB, 0)} MiB reply sent at once: RSS peak / after 20 s | ${f(slow.peak / MiB, 0)} / ${f(slow.last / MiB, 0)} MiB | before: ${f(slow.before / MiB, 0)} MiB | +${f((slow.peak - slow.before) / MiB, 0)} MiB | bounded |`,
    );
  }
  if (rows.has(10)) {
    const leak = await withApp(fake, dbUrl, (app, cookie, chats) => leakCheck(app, cookie, chats, fake));
    lines.push(
      `| 10 | after ${LEAK_STREAMS} streams (10% stopped or dropped${leak.failed ? `, ${leak.failed} requests failed` : ''}), ${SETTLE_MS / 1000} s idle: RSS / RSS after a full GC / live heap / open fds | ${f(leak.after.rss / MiB, 0)} / ${f(leak.after.rssCollected / MiB, 0)} / ${f(leak.after.heap / MiB, 1)} MiB / ${leak.after.handles} | before: ${f(leak.before.rss / MiB, 0)} / ${f(leak.before.rssCollected / MiB, 0)} / ${f(leak.before.heap / MiB, 1)} MiB / ${leak.before.handles} | ${pct(leak.after.rss, leak.before.rss)} / ${pct(leak.after.rssCollected, leak.before.rssCollected)} / ${pct(leak.after.heap, leak.before.heap)} / ${leak.after.handles - leak.before.handles} | within +10% |`,
    );
  }
  return lines;
}
