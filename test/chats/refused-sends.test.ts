import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { listen, openSse } from '../helpers/sse.js';
import { useTestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, signUp, uniqueEmail } from '../helpers/users.js';

const ctx = useTestApp({ env: { RATE_LIMITS: 'on', MESSAGES_PER_MINUTE: '3', REGISTER_PER_IP_PER_HOUR: '1000', DAILY_TOKEN_LIMIT: '0' } });

/** A send the API refuses never reaches the model: no call is made, so nothing is paid for it. */
describe('a refused send', () => {
  it('calls no model: another user’s chat (404), a reply in progress (409), too fast (429), bad input (400)', async () => {
    const owner = await signUp(ctx.t.app);
    const foreign = (await owner.agent.post('/api/chats').send({}).expect(201)).body.chat.id as string;
    const registered = await request(ctx.t.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD }).expect(201);
    const cookie = sessionCookie(registered)!;
    const mine = (await request(ctx.t.app).post('/api/chats').set('Cookie', cookie).send({})).body.chat.id as string;
    const server = await listen(ctx.t.app);
    try {
      ctx.fake.enqueue({ kind: 'reply', content: 'slow one', chunks: ['slow ', 'one'], chunkDelayMs: 400 });
      const streaming = await openSse(`${server.url}/api/chats/${mine}/message`, { cookie, body: { content: 'first' } });
      await streaming.waitFor((e) => e.event === 'delta');
      const calls = ctx.fake.completions().length;

      const send = (chat: string, body: object) => request(ctx.t.app).post(`/api/chats/${chat}/message`).set('Cookie', cookie).send(body);
      expect((await send(foreign, { content: 'not mine' })).status).toBe(404);
      expect((await send(mine, { content: 'while it streams' })).status).toBe(409);
      expect((await send(mine, { content: '' })).status).toBe(400);
      expect((await send(mine, { content: 'over the rate' })).status).toBe(429);
      await streaming.ended;
      expect(ctx.fake.completions().length).toBe(calls);
    } finally {
      await server.close();
    }
  });
});
