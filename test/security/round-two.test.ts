import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/auth/password.js';
import { createLogger } from '../../src/logger.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, signUp, uniqueEmail } from '../helpers/users.js';

/** Security, round two: each test is named after the attack it stops. */
const LIMITS = {
  RATE_LIMITS: 'on',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
  LOGIN_MAX_FAILURES_PER_IP: '1000',
  LOGIN_SLOWDOWN_MS: '0',
  REGISTER_PER_IP_PER_HOUR: '1000',
  CHATS_PER_HOUR: '3',
  IMPORTS_PER_DAY: '3',
  IMPORT_MB_PER_DAY: '2',
  USER_MESSAGES_MB: '1',
};
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
let fake: FakeOpenAI;
let t: TestApp;
let passwordChecks = 0;
const counting = (hasher: PasswordHasher): PasswordHasher => ({
  ...hasher,
  verify: (password, hash) => {
    passwordChecks++;
    return hasher.verify(password, hash);
  },
});

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({ fake, env: LIMITS, wrapHasher: counting, logger: createLogger('info', sink) });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const login = (email: string, password: string) => request(t.app).post('/api/auth/login').send({ email, password });
const errorLines = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);

describe('password guessing', () => {
  it('a burst of 60 parallel wrong logins on one account runs at most the limit of checks; the right password is then refused', async () => {
    const { email } = await signUp(t.app);
    passwordChecks = 0;
    const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => login(email, `wrong-guess-${i}`)));
    const statuses = burst.map((r) => r.status);
    expect(passwordChecks).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(55);
    expect(burst.find((r) => r.status === 429)!.headers['retry-after']).toBeDefined();
    expect((await login(email, PASSWORD)).status).toBe(429);
  });

  it('guessing the current password with a stolen session (password change, account deletion) is limited like a login', async () => {
    const { agent } = await signUp(t.app);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await agent.post('/api/auth/password').send({ currentPassword: `guess-${i}`, newPassword: 'a-brand-new-passphrase-1' })).status,
      );
    for (let i = 0; i < 2; i++) statuses.push((await agent.delete('/api/auth/me').send({ password: `guess-del-${i}` })).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    const right = await agent.post('/api/auth/password').send({ currentPassword: PASSWORD, newPassword: 'a-brand-new-passphrase-1' });
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
  });
});

describe('edge inputs', () => {
  it('malformed percent-encoding in a path is 400 bad_request, logged out or in, never a 500 or an error log line', async () => {
    const before = errorLines().length;
    const { agent } = await signUp(t.app);
    for (const res of [
      await request(t.app).get('/api/shared/%E0%A4%A'),
      await agent.get('/api/chats/%ZZ'),
      await agent.get('/api/search?q=%E0%A4%A'),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(errorLines().length).toBe(before);
  });

  it('a NUL in the login email is 400 validation_failed, not a database error', async () => {
    const res = await login('ada\u0000@example.com', PASSWORD);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('lone surrogates and NUL anywhere (body, query, path) are refused, never stored altered', async () => {
    const { agent } = await signUp(t.app);
    const chat = (await agent.post('/api/chats').send({}).expect(201)).body.chat;
    const lone = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'half a pair: \ud83d' });
    expect(lone.status).toBe(400);
    expect(lone.body.error.code).toBe('validation_failed');
    expect((await agent.get('/api/search?q=a%00b')).status).toBe(400);
    expect((await agent.patch(`/api/chats/${chat.id}`).send({ title: 'x\udc00' })).status).toBe(400);
    const { rowCount } = await t.db.query('SELECT 1 FROM messages WHERE chat_id = $1', [chat.id]);
    expect(rowCount).toBe(0);
  });

  it('a JSON body with bytes that are not UTF-8 is refused (400), not silently replaced', async () => {
    const { agent } = await signUp(t.app);
    const bytes = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const res = await agent.post('/api/chats').set('Content-Type', 'application/json').send(bytes);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('cross-site logout', () => {
  it('a link or redirect from another site to GET /api/auth/logout is refused (403) and the session survives', async () => {
    const { agent } = await signUp(t.app);
    expect((await agent.get('/api/auth/logout').set('Sec-Fetch-Site', 'cross-site')).status).toBe(403);
    expect((await agent.get('/api/auth/logout').set('Referer', 'https://evil.example/page')).status).toBe(403);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    const own = await agent.get('/api/auth/logout').set('Sec-Fetch-Site', 'same-origin');
    expect(own.status).toBe(204);
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('the cookie is cleared with the attributes it was set with', async () => {
    const registered = await request(t.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
    const set = registered.headers['set-cookie'] as unknown as string[];
    const out = await request(t.app).post('/api/auth/logout').set('Cookie', sessionCookie(registered)!);
    const cleared = (out.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cleared).toMatch(/^sid=;/);
    for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Lax']) {
      expect(set[0]).toContain(attribute);
      expect(cleared).toContain(attribute);
    }
  });
});

describe('origin check', () => {
  it('refuses an Origin with the right host but another scheme or port', async () => {
    const { agent } = await signUp(t.app);
    const post = (origin: string) => agent.post('/api/chats').set('Host', 'chat.example:8080').set('Origin', origin).send({});
    expect((await post('http://chat.example:8080')).status).toBe(201);
    expect((await post('https://chat.example:8080')).status).toBe(403);
    expect((await post('http://chat.example:9090')).status).toBe(403);
    expect((await post('http://chat.example')).status).toBe(403);
  });

  it('compares with PUBLIC_URL when it is set, whatever Host says', async () => {
    const app = await startTestApp({ fake, env: { PUBLIC_URL: 'https://chat.example' } });
    try {
      const { agent } = await signUp(app.app);
      expect((await agent.post('/api/chats').set('Origin', 'https://chat.example').send({})).status).toBe(201);
      expect((await agent.post('/api/chats').set('Host', 'evil.example').set('Origin', 'http://evil.example').send({})).status).toBe(403);
    } finally {
      await app.close();
    }
  });
});

describe('storage abuse', () => {
  const exportOf = (chats: object[]) => ({ format: 'gpt-backend-export', version: 1, chats });
  const chatOf = (text: string, model: string | null = null) => ({
    title: 'imported',
    systemPrompt: null,
    model,
    pinned: false,
    archived: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    messages: [
      {
        role: 'user',
        content: text,
        status: 'complete',
        model,
        promptTokens: null,
        completionTokens: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ],
  });

  it('a script creating chats in a loop is stopped after CHATS_PER_HOUR (429 too_many_chats)', async () => {
    const { agent, user } = await signUp(t.app);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await agent.post('/api/chats').send({})).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const refused = await agent.post('/api/chats').send({ message: 'one more' });
    expect(refused.body.error.code).toBe('too_many_chats');
    expect(refused.headers['retry-after']).toBeDefined();
    const { rowCount } = await t.db.query('SELECT 1 FROM chats WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(3);
  });

  it('an import past the storage cap (USER_MESSAGES_MB) is refused 413 storage_quota_exceeded, storing nothing', async () => {
    const { agent, user } = await signUp(t.app);
    const big = 'x'.repeat(600 * 1024);
    expect((await agent.post('/api/import').send(exportOf([chatOf(big)]))).status).toBe(201);
    const over = await agent.post('/api/import').send(exportOf([chatOf(big)]));
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('storage_quota_exceeded');
    const { rowCount } = await t.db.query('SELECT 1 FROM chats WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(1);
  });

  it('imports repeated forever are limited per day, in number (too_many_imports) and in size (import_quota_exceeded)', async () => {
    const { agent } = await signUp(t.app);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await agent.post('/api/import').send(exportOf([chatOf(`small ${i}`)]))).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    // In size: each import's chat deleted after it (so the storage cap is never the reason).
    const { agent: other } = await signUp(t.app);
    const big = exportOf([chatOf('y'.repeat(900 * 1024))]);
    const results = [];
    for (let i = 0; i < 3; i++) {
      const res = await other.post('/api/import').send(big);
      results.push(res.status === 201 ? 201 : res.body.error.code);
      if (res.status === 201) await other.delete(`/api/chats/${res.body.chatIds[0]}`).expect(204);
    }
    expect(results).toEqual([201, 201, 'import_quota_exceeded']);
  });

  it('imported model names the server does not offer are stored as null', async () => {
    const { agent } = await signUp(t.app);
    const imported = await agent
      .post('/api/import')
      .send(exportOf([chatOf('hello', 'gpt-evil-9000')]))
      .expect(201);
    const chat = (await agent.get(`/api/chats/${imported.body.chatIds[0]}`)).body;
    expect(chat.chat.model).toBeNull();
    expect(chat.messages[0].model).toBeNull();
  });
});
