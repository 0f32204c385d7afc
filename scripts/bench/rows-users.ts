/** Rows 6, 7 and 8: a heavy user against a light one, logins under bcrypt, and context budgeting. */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import pg from 'pg';
import type { ChatTurn } from '../../src/llm/chat-model.js';
import { fitToContext, loadTokenizer } from '../../src/llm/context-window.js';
import type { FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { seedHeavyUser } from '../../test/helpers/seed.js';
import { PASSWORD, login, progress, startApp, stop } from './app-process.js';
import { cannon, timedGet } from './load.js';
import { percentile } from './stream-client.js';

const f = (n: number, d = 1) => n.toFixed(d);

/** Row 6: p95 of the chat list and of opening the long chat, for 10,000 chats / 5,000 messages vs 100 / 50. */
export async function heavyUserRows(fake: FakeOpenAI, dbUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const app = await startApp({ DATABASE_URL: dbUrl, OPENAI_BASE_URL: fake.url });
  try {
    const hash = await bcrypt.hash(PASSWORD, 4);
    const heavy = await seedHeavyUser(client, {
      chats: 10_000,
      longChatMessages: 5_000,
      email: `heavy-${Date.now()}@example.com`,
      passwordHash: hash,
    });
    const light = await seedHeavyUser(client, {
      chats: 100,
      longChatMessages: 50,
      email: `light-${Date.now()}@example.com`,
      passwordHash: hash,
    });
    const emails = await client.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id = ANY($1)', [
      [heavy.userId, light.userId],
    ]);
    const emailOf = (id: string) => emails.rows.find((r) => r.id === id)!.email;
    const p95 = async (url: string, cookie: string) => {
      const times: number[] = [];
      for (let i = 0; i < 330; i++) {
        const ms = await timedGet(url, cookie);
        if (i >= 30) times.push(ms);
      }
      return percentile(times, 95);
    };
    const measure = async (user: { userId: string; longChatId: string }) => {
      const cookie = await login(app.url, emailOf(user.userId));
      return { list: await p95(`${app.url}/api/chats`, cookie), open: await p95(`${app.url}/api/chats/${user.longChatId}`, cookie) };
    };
    const h = await measure(heavy);
    const l = await measure(light);
    progress('heavy and light users measured');
    return [
      `| 6 | list chats, 10,000 chats: p95 | ${f(h.list, 2)} ms | 100 chats: ${f(l.list, 2)} ms | ${f(h.list / l.list, 2)}× | ≤ 1.5× |`,
      `| 6 | open a chat of 5,000 messages (newest page): p95 | ${f(h.open, 2)} ms | 50 messages: ${f(l.open, 2)} ms | ${f(h.open / l.open, 2)}× | ≤ 1.5× |`,
    ];
  } finally {
    await stop(app.child);
    await client.end();
  }
}

/** Row 7: logins at bcrypt cost 12 from 8 clients, against cores ÷ the time of one hash check. */
export async function loginRows(fake: FakeOpenAI, dbUrl: string): Promise<string[]> {
  const started = performance.now();
  const hash = await bcrypt.hash(PASSWORD, 12);
  for (let i = 0; i < 3; i++) await bcrypt.compare(PASSWORD, hash);
  const compareMs = (performance.now() - started) / 4;
  const bound = os.cpus().length / (compareMs / 1000);
  const app = await startApp({ DATABASE_URL: dbUrl, OPENAI_BASE_URL: fake.url, BCRYPT_ROUNDS: '12' });
  try {
    const email = `login-${Date.now()}@example.com`;
    await fetch(`${app.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    await fetch(`${app.url}/metrics`); // prom-client resets its event-loop histogram at each scrape
    const logins = await cannon({
      url: `${app.url}/api/auth/login`,
      method: 'POST',
      connections: 8,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const loopP99 = Number(/^nodejs_eventloop_lag_p99_seconds\s+(\S+)$/m.exec(metrics)?.[1] ?? NaN) * 1000;
    return [
      `| 7 | logins/s at bcrypt cost 12, 8 clients | ${f(logins.rps)} (${logins.failures} failed) | cores ÷ one check (${f(compareMs, 0)} ms): ${f(bound)} | ${f(logins.rps / bound, 2)}× | ≥ 0.9× |`,
      `| 7 | … event-loop delay p99 meanwhile | ${f(loopP99)} ms | — | — | < 20 ms |`,
    ];
  } finally {
    await stop(app.child);
  }
}

/** Row 8: budgeting a 100-message history before each send, each send adding one message. */
export async function contextRows(): Promise<string[]> {
  await loadTokenizer();
  const history: ChatTurn[] = Array.from({ length: 100 }, (_, i) => ({
    role: i % 2 ? 'assistant' : 'user',
    content: `Message ${i}: ${'a few words about rivers, budgets and engines '.repeat(8)}`,
  }));
  const config = { defaultTokens: 128_000, perModel: {}, replyReserveTokens: 4_000 };
  const first = performance.now();
  fitToContext('You are helpful.', history, 'gpt-4o-mini', config);
  const firstMs = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    history.push({ role: i % 2 ? 'assistant' : 'user', content: `New message ${i} about glaciers` });
    history.shift();
    const started = performance.now();
    fitToContext('You are helpful.', history, 'gpt-4o-mini', config);
    times.push(performance.now() - started);
  }
  return [
    `| 8 | context budgeting, 100-message history: per send, median / p99 | ${f(percentile(times, 50), 3)} / ${f(percentile(times, 99), 3)} ms | first count, nothing cached: ${f(firstMs, 2)} ms | — | ≤ 1 ms |`,
  ];
}
