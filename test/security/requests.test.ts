import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { TEST_API_KEY, TEST_SESSION_SECRET, startTestApp, useTestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, sessionIdOf, signUp, uniqueEmail } from '../helpers/users.js';

const ctx = useTestApp({ env: { CORS_ORIGINS: 'https://partner.example' } });

describe('cross-site requests', () => {
  it('refuses a request from a foreign Origin with 403, and stores nothing', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const res = await agent.post('/api/chats').set('Origin', 'https://evil.example').send({ message: 'forged' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('origin_not_allowed');
    const { rowCount } = await ctx.t.db.query('SELECT 1 FROM chats WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(0);
    expect((await agent.get('/api/chats').set('Origin', 'null')).status).toBe(403);
  });

  it("accepts the app's own origin and the CORS_ORIGINS, with CORS headers for the latter", async () => {
    const { agent } = await signUp(ctx.t.app);
    const own = await agent.post('/api/chats').set('Host', 'chat.example').set('Origin', 'http://chat.example').send({});
    expect(own.status).toBe(201);
    const partner = await agent.post('/api/chats').set('Origin', 'https://partner.example').send({});
    expect(partner.status).toBe(201);
    expect(partner.headers['access-control-allow-origin']).toBe('https://partner.example');
    expect(partner.headers['access-control-allow-credentials']).toBe('true');

    const preflight = await request(ctx.t.app)
      .options('/api/chats')
      .set('Origin', 'https://partner.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
  });

  it.each([
    ['form-encoded', 'application/x-www-form-urlencoded', 'message=forged'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="message"\r\n\r\nforged\r\n--x--'],
    ['plain text', 'text/plain', '{"message":"forged"}'],
  ])('refuses a %s POST with 415', async (_name, type, body) => {
    const { agent, user } = await signUp(ctx.t.app);
    const res = await agent.post('/api/chats').set('Content-Type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    const { rowCount } = await ctx.t.db.query('SELECT 1 FROM chats WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(0);
  });

  it('sends a strict Content-Security-Policy and the other helmet headers', async () => {
    const res = await request(ctx.t.app).get('/api/health');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("object-src 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe("another user's chats", () => {
  it('answer 404 on every chat route, exactly like a missing chat', async () => {
    const owner = await signUp(ctx.t.app);
    const chat = (await owner.agent.post('/api/chats').send({ message: 'mine' })).body.chat;
    const { agent } = await signUp(ctx.t.app);
    const routes = [
      () => agent.get(`/api/chats/${chat.id}`),
      () => agent.patch(`/api/chats/${chat.id}`).send({ title: 'stolen' }),
      () => agent.post(`/api/chats/${chat.id}/message`).send({ content: 'hi' }),
      () => agent.post(`/api/chats/${chat.id}/regenerate`),
      () => agent.post(`/api/chats/${chat.id}/stop`),
      () => agent.get(`/api/chats/${chat.id}/stream`),
    ];
    for (const call of routes) {
      const res = await call();
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('chat_not_found');
    }
    const list = (await agent.get('/api/chats')).body.chats;
    expect(list).toEqual([]);
    const after = await owner.agent.get(`/api/chats/${chat.id}`);
    expect(after.body.chat.title).toBe('mine');
    expect(after.body.messages).toHaveLength(2);
  });
});

describe('hostile input', () => {
  it('stores SQL-injection and XSS payloads literally and returns them byte for byte', async () => {
    const { agent } = await signUp(ctx.t.app);
    const payloads = [
      "'; DROP TABLE users; --",
      "1' OR '1'='1",
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '${7*7} {{7*7}} %s %n \\u0000',
      'null\u0000byte? no: \u2028\u2029 and 🧨',
    ];
    for (const payload of payloads.filter((p) => !p.includes('\u0000'))) {
      const created = await agent.post('/api/chats').send({ title: payload, systemPrompt: payload, message: payload });
      expect(created.status).toBe(201);
      const read = await agent.get(`/api/chats/${created.body.chat.id}`);
      expect(read.body.chat.title).toBe(payload.trim());
      expect(read.body.chat.systemPrompt).toBe(payload);
      expect(read.body.messages[0].content).toBe(payload);
      expect(read.headers['content-type']).toMatch(/^application\/json/);
    }
    expect((await ctx.t.db.query('SELECT count(*)::int AS n FROM users')).rows[0]!.n).toBeGreaterThan(0);
  });

  it('refuses a NUL character with 400 instead of failing in the database', async () => {
    const { agent } = await signUp(ctx.t.app);
    const res = await agent.post('/api/chats').send({ message: 'before\u0000after' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it.each(['__proto__', 'constructor', 'prototype'])('makes a "%s" key harmless (400, no pollution)', async (key) => {
    const body = `{"email":"${uniqueEmail()}","password":"${PASSWORD}","${key}":{"isAdmin":true,"polluted":true}}`;
    const res = await request(ctx.t.app).post('/api/auth/register').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('answers malformed and oversized bodies with 400 and 413', async () => {
    const { agent } = await signUp(ctx.t.app);
    for (const body of ['{', '{"message": }', '[1,2', '"\\uZZZZ"']) {
      const res = await agent.post('/api/chats').set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
    }
    const huge = await agent
      .post('/api/chats')
      .set('Content-Type', 'application/json')
      .send(`{"message":"${'a'.repeat(1_100_000)}"}`);
    expect(huge.status).toBe(413);
    const arrayBody = await agent.post('/api/chats').send([{ message: 'x' }]);
    expect(arrayBody.status).toBe(400);
  });

  it('bounds every field: an over-long email, password, title or id is a 400', async () => {
    const { agent } = await signUp(ctx.t.app);
    expect(
      (
        await request(ctx.t.app)
          .post('/api/auth/login')
          .send({ email: `${'a'.repeat(300)}@x.io`, password: 'x' })
      ).status,
    ).toBe(400);
    expect(
      (
        await request(ctx.t.app)
          .post('/api/auth/login')
          .send({ email: 'a@x.io', password: 'x'.repeat(2000) })
      ).status,
    ).toBe(400);
    expect((await agent.post('/api/chats').send({ title: 't'.repeat(201) })).status).toBe(400);
    expect((await agent.post('/api/chats').send({ systemPrompt: 's'.repeat(8001) })).status).toBe(400);
    expect((await agent.get(`/api/chats/${'9'.repeat(5000)}`)).status).toBe(400);
  });
});

describe('what responses never contain', () => {
  it('no password, hash, session id, session secret or API key in any body or header', async () => {
    const email = uniqueEmail();
    const agent = request.agent(ctx.t.app);
    const responses = [await agent.post('/api/auth/register').send({ email, password: PASSWORD })];
    const cookie = sessionCookie(responses[0]!)!;
    responses.push(await agent.post('/api/auth/login').send({ email, password: PASSWORD }));
    const chat = await agent.post('/api/chats').send({ message: 'hello' });
    responses.push(chat, await agent.get('/api/auth/me'), await agent.get('/api/chats'));
    responses.push(await agent.get(`/api/chats/${chat.body.chat.id}`), await agent.get('/api/auth/sessions'));
    ctx.fake.enqueue({ kind: 'fail', status: 401, message: `bad key ${TEST_API_KEY}` });
    responses.push(await agent.post(`/api/chats/${chat.body.chat.id}/message`).send({ content: 'x' }));
    responses.push(await agent.get('/api/health'), await agent.get(`/api/chats/${randomUUID()}`));

    const { rows } = await ctx.t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [email]);
    const secrets = [PASSWORD, rows[0]!.password_hash, sessionIdOf(cookie), TEST_SESSION_SECRET, TEST_API_KEY];
    for (const res of responses) {
      const bodyText = JSON.stringify(res.body);
      const { 'set-cookie': _cookies, ...headers } = res.headers;
      for (const secret of secrets) {
        expect(bodyText).not.toContain(secret);
        expect(JSON.stringify(headers)).not.toContain(secret);
      }
      expect(bodyText).not.toMatch(/\$2[aby]\$\d\d\$/);
    }
  });
});

describe('cookie flags', () => {
  it('are HttpOnly and SameSite=Lax in development, without Secure over plain HTTP', async () => {
    const res = await request(ctx.t.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
    const cookie = res.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('are Secure in production behind a TLS proxy (TRUST_PROXY)', async () => {
    const prod = await startTestApp({
      fake: ctx.fake,
      env: { NODE_ENV: 'production', TRUST_PROXY: '1', SESSION_SECRET: 'Kx9-prod-like-secret-with-entropy-2QwZ7vB' },
    });
    try {
      const res = await request(prod.app)
        .post('/api/auth/register')
        .set('X-Forwarded-Proto', 'https')
        .send({ email: uniqueEmail(), password: PASSWORD });
      expect(res.status).toBe(201);
      const cookie = res.headers['set-cookie']![0]!;
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    } finally {
      await prod.close();
    }
  });
});
