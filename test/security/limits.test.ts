import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, signUp, uniqueEmail } from '../helpers/users.js';

const LIMITS = {
  RATE_LIMITS: 'on',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
  LOGIN_MAX_FAILURES_PER_IP: '6',
  LOGIN_WINDOW_SECONDS: '2',
  LOGIN_SLOWDOWN_MS: '20',
  REGISTER_PER_IP_PER_HOUR: '1000',
  MESSAGES_PER_MINUTE: '3',
  DAILY_TOKEN_LIMIT: '30',
};

let fake: FakeOpenAI;
const apps: TestApp[] = [];
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await fake?.close();
});

async function appWith(env: Record<string, string> = {}) {
  const app = await startTestApp({ fake, env: { ...LIMITS, ...env } });
  apps.push(app);
  return app;
}

const login = (app: TestApp['app'], email: string, password: string, ip?: string) => {
  const req = request(app).post('/api/auth/login');
  if (ip) req.set('X-Forwarded-For', ip);
  return req.send({ email, password });
};

describe('login brute force', () => {
  it('locks one account after repeated failures (429 + Retry-After, even for the right password), then lets the right password in', async () => {
    const t = await appWith();
    const { email } = await signUp(t.app);
    for (let i = 0; i < 3; i++) expect((await login(t.app, email, `wrong-${i}`)).status).toBe(401);

    const locked = await login(t.app, email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    await new Promise((resolve) => setTimeout(resolve, (Number(locked.headers['retry-after']) + 0.2) * 1000));
    expect((await login(t.app, email, PASSWORD)).status).toBe(200);
  });

  it('stops one address trying many accounts (credential stuffing), whatever X-Forwarded-For says', async () => {
    const t = await appWith();
    const victims = await Promise.all(Array.from({ length: 7 }, () => signUp(t.app)));
    const statuses = [];
    for (const [i, victim] of victims.entries()) {
      statuses.push((await login(t.app, victim.email, 'guess-123', `203.0.113.${i}`)).status);
    }
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses[6]).toBe(429);
    const again = await login(t.app, victims[0]!.email, PASSWORD);
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('stops a password spray against one account from many addresses (behind a trusted proxy)', async () => {
    const t = await appWith({ TRUST_PROXY: '1' });
    const { email } = await signUp(t.app);
    for (let i = 0; i < 3; i++) expect((await login(t.app, email, `spray-${i}`, `198.51.100.${i}`)).status).toBe(401);
    const next = await login(t.app, email, PASSWORD, '198.51.100.99');
    expect(next.status).toBe(429);
    expect(next.headers['retry-after']).toBeDefined();
  });

  it('shares the counts between two app instances on one database', async () => {
    const a = await appWith();
    const { email } = await signUp(a.app);
    // A second instance: its own app and limiter, the same database.
    const instanceB = await startTestApp({ instanceOf: a });
    const b = instanceB.app;
    try {
      expect((await login(a.app, email, 'wrong-1')).status).toBe(401);
      expect((await login(b, email, 'wrong-2')).status).toBe(401);
      expect((await login(a.app, email, 'wrong-3')).status).toBe(401);
      expect((await login(b, email, PASSWORD)).status).toBe(429);
    } finally {
      await instanceB.close();
    }
  });
});

describe.runIf(process.env.TEST_REDIS_URL)('limits in Redis (REDIS_URL)', () => {
  it('are shared between instances through Redis', async () => {
    const a = await appWith({ REDIS_URL: process.env.TEST_REDIS_URL! });
    const b = await appWith({ REDIS_URL: process.env.TEST_REDIS_URL! });
    const email = uniqueEmail();
    await request(a.app).post('/api/auth/register').send({ email, password: PASSWORD }).expect(201);
    // b has its own database, so the account is unknown there, but the per-account count is in Redis.
    for (const app of [a.app, b.app, a.app]) expect((await login(app, email, 'nope')).status).toBe(401);
    expect((await login(a.app, email, PASSWORD)).status).toBe(429);
    expect((await login(b.app, email, PASSWORD)).status).toBe(429);
    const { rowCount } = await a.db.query('SELECT 1 FROM rate_limits');
    expect(rowCount).toBe(0);
  });
});

describe('registration', () => {
  it('is limited per address', async () => {
    const t = await appWith({ REGISTER_PER_IP_PER_HOUR: '2' });
    for (let i = 0; i < 2; i++) {
      expect((await request(t.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD })).status).toBe(201);
    }
    const third = await request(t.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
  });
});

describe('messages and cost', () => {
  it('limits messages per user per minute', async () => {
    const t = await appWith({ DAILY_TOKEN_LIMIT: '0' });
    const { agent } = await signUp(t.app);
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    for (let i = 0; i < 3; i++) expect((await agent.post(`/api/chats/${chat.id}/message`).send({ content: `m${i}` })).status).toBe(201);
    const fourth = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'm3' });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('rate_limited');
    expect(fourth.headers['retry-after']).toBeDefined();
    const other = await signUp(t.app);
    expect((await other.agent.post('/api/chats').send({ message: 'mine is fine' })).status).toBe(201);
  });

  it('answers 429 quota_exceeded once the daily token budget is spent, saying when it resets', async () => {
    const t = await appWith({ MESSAGES_PER_MINUTE: '100' });
    const { agent, user } = await signUp(t.app);
    // The fake model reports 18 tokens per reply; the budget is 30.
    expect((await agent.post('/api/chats').send({ message: 'one' })).status).toBe(201);
    expect((await agent.post('/api/chats').send({ message: 'two' })).status).toBe(201);
    const over = await agent.post('/api/chats').send({ message: 'three' });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('quota_exceeded');
    const resetsAt = new Date(over.body.error.details[0].resetsAt);
    expect(resetsAt.getUTCHours()).toBe(0);
    expect(resetsAt.getTime()).toBeGreaterThan(Date.now());
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);

    // Deleting the chats does not give the budget back: usage is kept apart from messages.
    await t.db.query('DELETE FROM chats WHERE user_id = $1', [user.id]);
    expect((await agent.post('/api/chats').send({ message: 'four' })).status).toBe(429);
  });

  it('RATE_LIMITS=off switches every limit off', async () => {
    const t = await appWith({ RATE_LIMITS: 'off' });
    const { agent, email } = await signUp(t.app);
    for (let i = 0; i < 5; i++) expect((await login(t.app, email, 'wrong')).status).toBe(401);
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    for (let i = 0; i < 5; i++) expect((await agent.post(`/api/chats/${chat.id}/message`).send({ content: `m${i}` })).status).toBe(201);
  });
});
