import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.js';
import { listen, openSse } from './helpers/sse.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { PASSWORD, sessionCookie, uniqueEmail } from './helpers/users.js';

/**
 * Two app instances on one database, each with its own memory (sessions store, limiter, generations),
 * prove that nothing that matters lives in a process.
 */
let fake: FakeOpenAI;
let a: TestApp;
let instanceB: TestApp;
let b: TestApp['app'];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  a = await startTestApp({
    fake,
    env: { RATE_LIMITS: 'on', MESSAGES_PER_MINUTE: '3', DAILY_TOKEN_LIMIT: '0', REGISTER_PER_IP_PER_HOUR: '1000' },
  });
  instanceB = await startTestApp({ instanceOf: a });
  b = instanceB.app;
});
afterAll(async () => {
  await instanceB?.close();
  await a?.close();
  await fake?.close();
});

describe('two instances on one database', () => {
  it('accept each other’s session cookie', async () => {
    const email = uniqueEmail();
    const registered = await request(a.app).post('/api/auth/register').send({ email, password: PASSWORD });
    const cookie = sessionCookie(registered)!;
    const me = await request(b).get('/api/auth/me').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    // Logging out on B ends the session for A too.
    await request(b).post('/api/auth/logout').set('Cookie', cookie).expect(204);
    expect((await request(a.app).get('/api/auth/me').set('Cookie', cookie)).status).toBe(401);
  });

  it('keep one generation per chat across both, and let either stop it', async () => {
    const registered = await request(a.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
    const cookie = sessionCookie(registered)!;
    const chat = (await request(a.app).post('/api/chats').set('Cookie', cookie).send({})).body.chat;
    const server = await listen(a.app);
    try {
      const chunks = Array.from({ length: 40 }, (_, i) => `t${i} `);
      fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'on A' } });
      await sse.waitFor((e) => e.event === 'delta');

      const onB = await request(b).post(`/api/chats/${chat.id}/message`).set('Cookie', cookie).send({ content: 'on B' });
      expect(onB.status).toBe(409);
      expect(onB.body.error.code).toBe('generation_in_progress');

      const stopped = await request(b).post(`/api/chats/${chat.id}/stop`).set('Cookie', cookie);
      expect(stopped.status).toBe(200);
      expect(stopped.body.assistantMessage.status).toBe('stopped');
      await sse.ended;
      expect(sse.events.at(-1)!.event).toBe('done');
    } finally {
      await server.close();
    }
  });

  it('count the rate limits together', async () => {
    const registered = await request(a.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
    const cookie = sessionCookie(registered)!;
    const chat = (await request(a.app).post('/api/chats').set('Cookie', cookie).send({})).body.chat;
    const statuses = [];
    for (const app of [a.app, b, a.app, b]) {
      statuses.push((await request(app).post(`/api/chats/${chat.id}/message`).set('Cookie', cookie).send({ content: 'x' })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});
