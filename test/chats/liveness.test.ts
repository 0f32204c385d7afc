import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { listen, openSse, type SseClient } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/**
 * Who owns a reply survives reconnections (issue 26): every backend of the database is terminated,
 * twice, while replies stream on two instances. Each instance's pool and bus connect again (the bus with
 * a new backend pid, the instance's identity); meanwhile a sweep on the other instance must not take a
 * live reply for an abandoned one. Every reply ends `complete`, once, with its whole text.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const CHUNKS = Array.from({ length: 30 }, (_, i) => `w${i} `);

let fake: FakeOpenAI;
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  if (!onPostgres) return;
  fake = await startFakeOpenAI();
  a = await startTestApp({ fake });
  b = await startTestApp({ instanceOf: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await fake?.close();
});

async function terminateEveryBackend(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  return rows[0]!.n;
}

describe.runIf(onPostgres)('replies while every database backend is terminated', () => {
  it('end complete, once, with their whole text, on both instances', async () => {
    const servers = [await listen(a.app), await listen(b.app)];
    const database = (await a.db.query<{ name: string }>(`SELECT current_database() AS name`)).rows[0]!.name;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${database}`;
    const killer = new pg.Client({ connectionString: url.href });
    await killer.connect();
    try {
      const registered = await fetch(`${servers[0]!.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      });
      const cookie = registered.headers.getSetCookie()[0]!.split(';')[0]!;
      fake.setDefault(() => ({ kind: 'reply', content: CHUNKS.join(''), chunks: CHUNKS, chunkDelayMs: 100 }));
      const streams: SseClient[] = [];
      for (let i = 0; i < 8; i++) {
        const server = servers[i % 2]!;
        const chat = (await (
          await fetch(`${server.url}/api/chats`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Cookie: cookie },
            body: '{}',
          })
        ).json()) as { chat: { id: string } };
        streams.push(await openSse(`${server.url}/api/chats/${chat.chat.id}/message`, { cookie, body: { content: `reply ${i}` } }));
      }
      await new Promise((resolve) => setTimeout(resolve, 600));
      for (let storm = 0; storm < 2; storm++) {
        expect(await terminateEveryBackend(killer)).toBeGreaterThan(0);
        // Meanwhile both instances keep sweeping for abandoned replies, as sends and followers would,
        // while their buses connect again (with new pids) and re-claim their replies.
        const until = Date.now() + 1000;
        while (Date.now() < until) {
          await Promise.all([a.turns.endAbandonedReplies(), b.turns.endAbandonedReplies()].map((p) => p.catch(() => 0)));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }

      await Promise.all(streams.map((s) => s.ended));
      for (const stream of streams) {
        const ends = stream.events.filter((e) => e.event === 'done' || e.event === 'error');
        expect(ends.map((e) => e.event)).toEqual(['done']);
        expect(stream.text()).toBe(CHUNKS.join(''));
        expect(ends[0]!.data.assistantMessage).toMatchObject({ status: 'complete', content: CHUNKS.join('') });
      }
      const { rows } = await killer.query<{ status: string; content: string }>(
        `SELECT status, content FROM messages WHERE role = 'assistant' ORDER BY id`,
      );
      expect(rows).toHaveLength(8);
      for (const row of rows) expect(row).toEqual({ status: 'complete', content: CHUNKS.join('') });
      const charged = await killer.query<{ replies: number }>(`SELECT sum(replies)::int AS replies FROM usage_daily`);
      expect(charged.rows[0]!.replies).toBe(8);
    } finally {
      fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}` }));
      await killer.end();
      for (const server of servers) await server.close();
    }
  });
});
