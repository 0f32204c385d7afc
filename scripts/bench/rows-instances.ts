/** Row 11: two app processes on one PostgreSQL: follower latency, stop latency, takeover of a killed instance. */
import type { FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { openSse, type SseClient } from '../../test/helpers/sse.js';
import { progress, register, startApp, stop, type AppProcess } from './app-process.js';
import { percentile } from './stream-client.js';

const ROUNDS = Number(process.env.BENCH_INSTANCE_ROUNDS ?? 5);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const f = (n: number) => n.toFixed(1);
const post = (url: string, cookie: string, body: unknown = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify(body) });

async function newChat(app: AppProcess, cookie: string): Promise<string> {
  return ((await (await post(`${app.url}/api/chats`, cookie)).json()) as { chat: { id: string } }).chat.id;
}

/** When each length of the text was first reached on a stream. */
function reachedAt(stream: SseClient): Map<number, number> {
  const at = new Map<number, number>();
  let length = 0;
  for (const e of stream.events) if (e.event === 'delta') at.set((length += (e.data.content as string).length), e.at);
  return at;
}

/** A reply of 40 pieces, one every 100 ms, on A; a follower on B; per piece, how much later B had it. */
async function followerLatency(a: AppProcess, b: AppProcess, cookie: string, fake: FakeOpenAI): Promise<number[]> {
  const lags: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const chat = await newChat(a, cookie);
    const chunks = Array.from({ length: 40 }, (_, i) => `piece${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
    const origin = await openSse(`${a.url}/api/chats/${chat}/message`, { cookie, body: { content: 'go' } });
    await origin.waitFor((e) => e.event === 'delta');
    const follower = await openSse(`${b.url}/api/chats/${chat}/stream`, { method: 'GET', cookie });
    await Promise.all([origin.ended, follower.ended]);
    const onA = reachedAt(origin);
    // Pieces after the follower's catch-up (its first delta), matched by the text length reached.
    for (const [length, at] of [...reachedAt(follower)].slice(1)) {
      const sent = onA.get(length);
      if (sent !== undefined) lags.push(at - sent);
    }
  }
  return lags;
}

/** Stop on B of a reply generating on A: until B's 2xx, and until the model's connection closed. */
async function stopLatency(a: AppProcess, b: AppProcess, cookie: string, fake: FakeOpenAI) {
  const answered: number[] = [];
  const closed: number[] = [];
  for (let round = 0; round < ROUNDS * 2; round++) {
    const chat = await newChat(a, cookie);
    const chunks = Array.from({ length: 100 }, (_, i) => `w${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 50 });
    const origin = await openSse(`${a.url}/api/chats/${chat}/message`, { cookie, body: { content: 'go' } });
    await origin.waitFor((e) => e.event === 'delta');
    await sleep(300);
    const call = fake.completions().at(-1)!;
    const sentAt = Date.now();
    await post(`${b.url}/api/chats/${chat}/stop`, cookie);
    answered.push(Date.now() - sentAt);
    await origin.ended;
    for (let i = 0; i < 100 && call.closedAt === undefined; i++) await sleep(10);
    closed.push((call.closedAt ?? Number.NaN) - sentAt);
  }
  return { answered, closed };
}

/** SIGKILL A mid-reply; B is sent a message in the same chat every 50 ms until it accepts one. */
async function takeover(start: () => Promise<AppProcess>, b: AppProcess, cookie: string, fake: FakeOpenAI): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const a = await start();
    const chat = await newChat(a, cookie);
    const chunks = Array.from({ length: 100 }, (_, i) => `w${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 50 });
    const origin = await openSse(`${a.url}/api/chats/${chat}/message`, { cookie, body: { content: 'go' } });
    await origin.waitFor((e) => e.event === 'delta');
    await sleep(700); // some text saved
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await exited;
    while ((await post(`${b.url}/api/chats/${chat}/message`, cookie, { content: 'still there?' })).status !== 201) await sleep(50);
    times.push(Date.now() - killedAt);
  }
  return times;
}

export async function instanceRows(fake: FakeOpenAI, dbUrl: string): Promise<string[]> {
  const env = { DATABASE_URL: dbUrl, OPENAI_BASE_URL: fake.url, OPENAI_MAX_RETRIES: '0' };
  const a = await startApp(env);
  const b = await startApp(env);
  try {
    const { cookie } = await register(a.url);
    const lags = await followerLatency(a, b, cookie, fake);
    progress('follower latency done');
    const { answered, closed } = await stopLatency(a, b, cookie, fake);
    progress('stop latency done');
    await stop(a.child);
    const takeovers = await takeover(() => startApp(env), b, cookie, fake);
    progress('takeover done');
    return [
      `| 11 | follower on another instance: piece delay after the sender's stream, p50 / p99 (${lags.length} pieces) | ${f(percentile(lags, 50))} / ${f(percentile(lags, 99))} ms | — | — | ≤ 100 ms |`,
      `| 11 | stop on another instance: its 2xx / the model's connection closed, p50 / p99 | ${f(percentile(answered, 50))} / ${f(percentile(answered, 99))} ms; ${f(percentile(closed, 50))} / ${f(percentile(closed, 99))} ms | — | — | closed ≤ 250 ms |`,
      `| 11 | takeover: SIGKILL mid-reply until the other instance accepts a message, each of 3 | ${takeovers.map((t) => `${t} ms`).join(', ')} | before: ~8–20 s | — | ≤ 2 s |`,
    ];
  } finally {
    await Promise.all([stop(a.child), stop(b.child)]);
  }
}
