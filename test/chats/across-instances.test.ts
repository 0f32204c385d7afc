import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { listen, openSse } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * Two app instances on one database (on PostgreSQL: each with its own pool and its own session for the
 * bus; on the embedded database, in one process, the in-process bus), a reply generating on A.
 */
let fake: FakeOpenAI;
let a: TestApp;
let b: TestApp;
let serverA: { url: string; close(): Promise<void> };
let serverB: { url: string; close(): Promise<void> };

beforeAll(async () => {
  fake = await startFakeOpenAI();
  a = await startTestApp({ fake });
  b = await startTestApp({ instanceOf: a });
  [serverA, serverB] = await Promise.all([listen(a.app), listen(b.app)]);
});
afterAll(async () => {
  await serverA?.close();
  await serverB?.close();
  await b?.close();
  await a?.close();
  await fake?.close();
});

const pieces = (n: number) => Array.from({ length: n }, (_, i) => `p${i} `);

async function userWithChat() {
  const registered = await request(a.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD }).expect(201);
  const cookie = sessionCookie(registered)!;
  const chat = (await request(a.app).post('/api/chats').set('Cookie', cookie).send({}).expect(201)).body.chat as { id: string };
  /** GET on A as this user. */
  const get = (path: string) => request(a.app).get(path).set('Cookie', cookie);
  return { get, chat, cookie };
}

/** Starts a slow streamed reply on A and waits for its first piece. */
async function streamOnA(cookie: string, chatId: string, chunks: string[], chunkDelayMs: number) {
  fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs });
  const sse = await openSse(`${serverA.url}/api/chats/${chatId}/message`, { cookie, body: { content: 'go' } });
  await sse.waitFor((e) => e.event === 'delta');
  return sse;
}

const storedReply = async (chatId: string) =>
  (
    await a.db.query<{ content: string; status: string }>(
      `SELECT content, status FROM messages WHERE chat_id = $1 AND role = 'assistant' ORDER BY id DESC LIMIT 1`,
      [chatId],
    )
  ).rows[0];

describe('one reply per chat across instances', () => {
  it('refuses a regenerate, an edit and a branch switch on B while A streams (409), and A’s reply completes intact, charged once', async () => {
    const { get, chat, cookie } = await userWithChat();
    const chunks = pieces(10);
    const sse = await streamOnA(cookie, chat.id, chunks, 60);
    const userMessageId = sse.events[0]!.data.userMessage.id;

    const regenerate = await request(b.app).post(`/api/chats/${chat.id}/regenerate`).set('Cookie', cookie);
    const edit = await request(b.app)
      .patch(`/api/chats/${chat.id}/messages/${userMessageId}`)
      .set('Cookie', cookie)
      .send({ content: 'changed' });
    const branch = await request(b.app).post(`/api/chats/${chat.id}/branch`).set('Cookie', cookie).send({ messageId: userMessageId });
    expect([regenerate.status, edit.status, branch.status]).toEqual([409, 409, 409]);
    expect(regenerate.body.error.code).toBe('generation_in_progress');
    expect(branch.body.error.code).toBe('generation_in_progress');

    await sse.ended;
    expect(sse.events.at(-1)).toMatchObject({
      event: 'done',
      data: { assistantMessage: { status: 'complete', content: chunks.join('') } },
    });
    expect(await storedReply(chat.id)).toEqual({ content: chunks.join(''), status: 'complete' });
    const usage = (await get('/api/usage')).body;
    expect(usage.days).toEqual([expect.objectContaining({ replies: 1, promptTokens: 11, completionTokens: 7 })]);
  });

  it('charges a model call whose chat was deleted while it streamed', async () => {
    const { get, chat, cookie } = await userWithChat();
    const sse = await streamOnA(cookie, chat.id, pieces(10), 60);
    await request(b.app).delete(`/api/chats/${chat.id}`).set('Cookie', cookie).expect(204);
    await sse.ended;
    const usage = (await get('/api/usage')).body;
    expect(usage.days).toEqual([expect.objectContaining({ replies: 1 })]);
  });
});

describe('following a reply from another instance', () => {
  it('gets the pieces live as they come (not in lumps), exactly the stored text, also after re-attaching', async () => {
    const { chat, cookie } = await userWithChat();
    const chunks = pieces(40);
    const origin = await streamOnA(cookie, chat.id, chunks, 100);
    const follower = await openSse(`${serverB.url}/api/chats/${chat.id}/stream`, { method: 'GET', cookie });
    await follower.waitFor((e) => e.event === 'delta' && follower.text().length > 60);
    // Drop and re-attach with the last event id: the rest arrives, nothing twice.
    const seen = follower.events.filter((e) => e.event === 'delta').at(-1)!;
    const before = follower.events
      .filter((e) => e.event === 'delta' && e.at <= seen.at)
      .map((e) => e.data.content)
      .join('');
    follower.abort();
    const again = await openSse(`${serverB.url}/api/chats/${chat.id}/stream`, { method: 'GET', cookie, lastEventId: seen.id });
    await Promise.all([again.ended, origin.ended]);

    const stored = (await storedReply(chat.id))!;
    expect(stored.status).toBe('complete');
    expect(before + again.text()).toBe(stored.content);
    for (const stream of [follower, again]) {
      const deltas = stream.events.filter((e) => e.event === 'delta');
      const gaps = deltas.slice(2).map((e, i) => e.at - deltas[i + 1]!.at);
      expect(Math.max(...gaps)).toBeLessThan(400);
    }
    const separate = follower.events.filter((e) => e.event === 'delta').length + again.events.filter((e) => e.event === 'delta').length;
    expect(separate).toBeGreaterThanOrEqual(15);
  });

  it('stops a reply from B at once: the model’s connection closes within 250 ms, the text is kept as stopped', async () => {
    const { chat, cookie } = await userWithChat();
    const origin = await streamOnA(cookie, chat.id, pieces(40), 100);
    const stopped = await request(b.app).post(`/api/chats/${chat.id}/stop`).set('Cookie', cookie);
    const answeredAt = Date.now();
    expect(stopped.status).toBe(200);
    expect(stopped.body.assistantMessage.status).toBe('stopped');
    const call = fake.completions().at(-1)!;
    await eventually(() => call.closedAt !== undefined, 2000, 'the upstream connection to close');
    expect(call.closedAt! - answeredAt).toBeLessThanOrEqual(250);
    await origin.ended;
    expect((await storedReply(chat.id))!.status).toBe('stopped');
  });
});

describe('chat pages across instances', () => {
  it('list 120 chats made at once through two instances, in pages of 7, each exactly once', async () => {
    const { get, cookie } = await userWithChat();
    const made = await Promise.all(
      Array.from({ length: 119 }, (_, i) =>
        request(i % 2 ? b.app : a.app)
          .post('/api/chats')
          .set('Cookie', cookie)
          .send({ message: `chat ${i}` }),
      ),
    );
    expect(made.every((r) => r.status === 201)).toBe(true);
    const seen: string[] = [];
    for (let cursor: string | null = '', pages = 0; cursor !== null && pages < 40; pages++) {
      const page: request.Response = await get(`/api/chats?limit=7${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...page.body.chats.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
    }
    expect(seen.length).toBe(120);
    expect(new Set(seen).size).toBe(120);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a follower whose database fails', () => {
  it('gets an error event (503 database_unavailable), never a done with nothing', async () => {
    const { chat, cookie } = await userWithChat();
    // An instance with a pool of its own, whose database then becomes unreadable.
    const c = await startTestApp({ fake, target: { kind: 'postgres', url: a.db.url! } });
    const serverC = await listen(c.app);
    try {
      const origin = await streamOnA(cookie, chat.id, pieces(30), 100);
      const follower = await openSse(`${serverC.url}/api/chats/${chat.id}/stream`, { method: 'GET', cookie });
      await follower.waitFor((e) => e.event === 'delta');
      await c.db.close();
      await follower.ended;
      expect(follower.events.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'database_unavailable' } } });
      expect(follower.events.some((e) => e.event === 'done')).toBe(false);
      await origin.ended;
    } finally {
      await serverC.close();
      await c.close({ keepData: true });
    }
  });
});

describe.runIf(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL)('the bus through Redis (REDIS_URL)', () => {
  it('carries a reply to a follower on another instance live, and a stop back to its owner', async () => {
    const r1 = await startTestApp({ fake, env: { REDIS_URL: process.env.TEST_REDIS_URL! } });
    const r2 = await startTestApp({ instanceOf: r1 });
    const [s1, s2] = await Promise.all([listen(r1.app), listen(r2.app)]);
    try {
      const registered = await request(r1.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD }).expect(201);
      const cookie = sessionCookie(registered)!;
      const chat = (await request(r1.app).post('/api/chats').set('Cookie', cookie).send({}).expect(201)).body.chat;
      fake.enqueue({ kind: 'reply', content: pieces(40).join(''), chunks: pieces(40), chunkDelayMs: 100 });
      const origin = await openSse(`${s1.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'go' } });
      await origin.waitFor((e) => e.event === 'delta');
      const follower = await openSse(`${s2.url}/api/chats/${chat.id}/stream`, { method: 'GET', cookie });
      await follower.waitFor((e) => e.event === 'delta' && follower.events.filter((d) => d.event === 'delta').length >= 8);
      const stopped = await request(r2.app).post(`/api/chats/${chat.id}/stop`).set('Cookie', cookie);
      expect(stopped.body.assistantMessage.status).toBe('stopped');
      await Promise.all([origin.ended, follower.ended]);
      expect(follower.text()).toBe(stopped.body.assistantMessage.content);
    } finally {
      await Promise.all([s1.close(), s2.close()]);
      await r2.close();
      await r1.close();
    }
  });
});
