import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { listen } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually } from '../helpers/wait.js';
import { usingRealPostgres } from '../helpers/test-db.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/**
 * Database faults under load (real PostgreSQL only): the app's connections are killed again and again
 * (pg_terminate_backend) while users send messages. The process stays up, failures are quick 503s with
 * a clear code (never a 500), service resumes by itself, and no acknowledged message is lost.
 */
let fake: FakeOpenAI;
let t: TestApp;
let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  if (!usingRealPostgres) return;
  fake = await startFakeOpenAI();
  t = await startTestApp({ fake });
  server = await listen(t.app);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
  await fake?.close();
});

describe.runIf(usingRealPostgres)('database faults', () => {
  it('killed connections during load give 503 database_unavailable, never 500, and lose nothing acknowledged', async () => {
    const send = async (path: string, cookie: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any>, cookie: res.headers.getSetCookie()[0]?.split(';')[0] };
    };
    const registered = await send('/api/auth/register', '', { email: uniqueEmail(), password: PASSWORD });
    const cookie = registered.cookie!;
    const chats = await Promise.all(Array.from({ length: 8 }, async () => (await send('/api/chats', cookie, {})).body.chat.id as string));

    const url = new URL(process.env.TEST_DATABASE_URL!);
    const { rows } = await t.db.query<{ db: string }>('SELECT current_database() AS db');
    url.pathname = `/${rows[0]!.db}`;
    const killer = new pg.Client({ connectionString: url.toString() });
    killer.on('error', () => undefined); // dropped with the test database at the end, whatever happens
    await killer.connect();
    let killing = true;
    const kills = (async () => {
      while (killing) {
        await killer.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const acknowledged: { chatId: string; content: string }[] = [];
    const statuses: number[] = [];
    const deadline = Date.now() + 3000;
    const load = Promise.all(
      chats.map(async (chatId, c) => {
        for (let m = 0; Date.now() < deadline; m++) {
          const content = `chat ${c} message ${m}`;
          const res = await send(`/api/chats/${chatId}/message`, cookie, { content });
          statuses.push(res.status);
          if (res.status === 201) acknowledged.push({ chatId, content });
          else if (res.status !== 409) expect(res.body.error.code, JSON.stringify(res.body)).toBe('database_unavailable');
        }
      }),
    );
    await load.finally(async () => {
      killing = false;
      await kills;
      await killer.end();
    });

    expect(statuses).not.toContain(500);
    expect(statuses.some((s) => s === 503)).toBe(true);
    // Service resumes by itself, every chat included (a reply whose end could not be stored during the
    // storm is stored by the app's own retries, not left blocking its chat).
    for (const chatId of chats) {
      await eventually(
        async () => (await send(`/api/chats/${chatId}/message`, cookie, { content: `after the storm ${chatId}` })).status === 201,
        10_000,
        'a send to succeed',
      );
    }
    const { rows: stuck } = await t.db.query("SELECT id FROM messages WHERE status = 'streaming'");
    expect(stuck).toEqual([]);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    for (const { chatId, content } of acknowledged) {
      const { rowCount } = await t.db.query("SELECT 1 FROM messages WHERE chat_id = $1 AND role = 'user' AND content = $2", [
        chatId,
        content,
      ]);
      expect(rowCount, content).toBe(1);
    }
  });
});
