import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/auth/password.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, sessionIdOf, signUp, uniqueEmail } from '../helpers/users.js';

let t: TestApp;
const hasherCalls = { verify: 0, verifyAgainstNothing: 0 };
const countingHasher = (inner: PasswordHasher): PasswordHasher => ({
  hash: (p) => inner.hash(p),
  verify: (p, h) => (hasherCalls.verify++, inner.verify(p, h)),
  verifyAgainstNothing: (p) => (hasherCalls.verifyAgainstNothing++, inner.verifyAgainstNothing(p)),
});

beforeAll(async () => {
  t = await startTestApp({ wrapHasher: countingHasher });
});
afterAll(() => t.close());

describe('POST /api/auth/register', () => {
  it('creates the user, logs them in and never returns the password or hash', async () => {
    const email = uniqueEmail();
    const agent = request.agent(t.app);
    const res = await agent.post('/api/auth/register').send({ email, password: PASSWORD });

    expect(res.status).toBe(201);
    expect(Object.keys(res.body.user).sort()).toEqual(['createdAt', 'email', 'id', 'role', 'status']);
    expect(res.body.user.email).toBe(email);
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^sid=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);

    const me = await agent.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ ...res.body.user, hasPassword: true, sso: null });

    const { rows } = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [res.body.user.id]);
    expect(rows[0]!.password_hash).toMatch(/^\$2[aby]\$04\$/); // bcrypt with the configured cost
    expect(rows[0]!.password_hash).not.toContain(PASSWORD);
  });

  it('normalises the email (trimmed, lower-cased)', async () => {
    const email = uniqueEmail('MixedCase');
    const res = await request(t.app)
      .post('/api/auth/register')
      .send({ email: `  ${email.toUpperCase()}  `, password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.user.email).toBe(email.toLowerCase());
  });

  it('returns 409 for an email that is taken, whatever its case', async () => {
    const email = uniqueEmail();
    await request(t.app).post('/api/auth/register').send({ email, password: PASSWORD }).expect(201);
    const res = await request(t.app).post('/api/auth/register').send({ email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('email_taken');
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM users WHERE lower(email) = $1', [email]);
    expect(rows[0]!.n).toBe(1);
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', password: PASSWORD }, 'body.email'],
    ['a password under 8 characters', { email: uniqueEmail(), password: 'short12' }, 'body.password'],
    ['a password over 72 bytes in UTF-8', { email: uniqueEmail(), password: 'é'.repeat(37) }, 'body.password'],
    ['a missing password', { email: uniqueEmail() }, 'body.password'],
    ['an unknown field', { email: uniqueEmail(), password: PASSWORD, admin: true }, 'body'],
  ])('returns 400 for %s', async (_name, body, where) => {
    const res = await request(t.app).post('/api/auth/register').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain(where);
    expect(Array.isArray(res.body.error.details)).toBe(true);
  });

  it('accepts a password of exactly 72 bytes', async () => {
    const res = await request(t.app)
      .post('/api/auth/register')
      .send({ email: uniqueEmail(), password: 'é'.repeat(36) });
    expect(res.status).toBe(201);
  });
});

describe('POST /api/auth/login', () => {
  it('logs in with the right password and issues a new session id', async () => {
    const { email } = await signUp(t.app);
    const agent = request.agent(t.app);
    const res = await agent.post('/api/auth/login').send({ email: ` ${email.toUpperCase()} `, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(email);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
  });

  it('regenerates the session at login, so a session id fixed before login is worthless', async () => {
    const { email, agent: first } = await signUp(t.app);
    const fixed = sessionCookie(await first.post('/api/auth/login').send({ email, password: PASSWORD }));
    const login = await request(t.app).post('/api/auth/login').set('Cookie', fixed!).send({ email, password: PASSWORD });
    const fresh = sessionCookie(login);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(fixed);
    // The session that existed before this login was destroyed in the store.
    expect((await request(t.app).get('/api/auth/me').set('Cookie', fixed!)).status).toBe(401);
    expect((await request(t.app).get('/api/auth/me').set('Cookie', fresh!)).status).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const { email } = await signUp(t.app);
    const wrongPassword = await request(t.app).post('/api/auth/login').send({ email, password: 'wrong password!' });
    const unknownEmail = await request(t.app).post('/api/auth/login').send({ email: uniqueEmail(), password: PASSWORD });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect(wrongPassword.body.error.code).toBe('invalid_credentials');
    expect(sessionCookie(wrongPassword)).toBeUndefined();
  });

  it('spends a bcrypt compare even for an unknown email, so timing does not reveal which emails exist', async () => {
    const before = hasherCalls.verifyAgainstNothing;
    await request(t.app).post('/api/auth/login').send({ email: uniqueEmail(), password: PASSWORD }).expect(401);
    expect(hasherCalls.verifyAgainstNothing).toBe(before + 1);
  });

  it('returns 400 when a field is missing', async () => {
    const res = await request(t.app).post('/api/auth/login').send({ email: uniqueEmail() });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('logout', () => {
  it.each(['get', 'post'] as const)('%s /api/auth/logout destroys the session in the store (204)', async (method) => {
    const { email } = await signUp(t.app);
    const cookie = sessionCookie(await request(t.app).post('/api/auth/login').send({ email, password: PASSWORD }));
    const sid = sessionIdOf(cookie!);
    expect((await t.db.query('SELECT 1 FROM sessions WHERE sid = $1', [sid])).rowCount).toBe(1);

    const res = await request(t.app)[method]('/api/auth/logout').set('Cookie', cookie!);
    expect(res.status).toBe(204);
    expect((await t.db.query('SELECT 1 FROM sessions WHERE sid = $1', [sid])).rowCount).toBe(0);

    const replay = await request(t.app).get('/api/auth/me').set('Cookie', cookie!);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('unauthenticated');
  });

  it('answers 204 when there is no session', async () => {
    expect((await request(t.app).post('/api/auth/logout')).status).toBe(204);
  });
});

describe('GET /api/auth/me', () => {
  it('returns 401 in the error shape without a session', async () => {
    const res = await request(t.app).get('/api/auth/me');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('costs no session write per request once logged in', async () => {
    const { agent } = await signUp(t.app);
    const cookie = sessionCookie(await agent.get('/api/auth/me'));
    const sid = sessionIdOf(cookie!);
    const version = async () =>
      (await t.db.query<{ xmin: string; expire: Date }>('SELECT xmin::text, expire FROM sessions WHERE sid = $1', [sid])).rows[0];
    const before = await version();
    expect(before).toBeDefined();
    for (let i = 0; i < 3; i++) expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect(await version()).toEqual(before);
  });

  it('slides the stored expiry once it would move meaningfully', async () => {
    const { agent } = await signUp(t.app);
    const sid = sessionIdOf(sessionCookie(await agent.get('/api/auth/me'))!);
    // Pretend the session was last written long ago, with an expiry that is now stale.
    await t.db.query(
      `UPDATE sessions SET expire = now() + interval '1 day',
         sess = jsonb_set(sess::jsonb, '{writtenAt}', '0')::json WHERE sid = $1`,
      [sid],
    );
    // The app trusts the session it read a moment ago for SESSION_CACHE_MS: let that pass.
    await new Promise((resolve) => setTimeout(resolve, t.config.session.cacheMs + 100));
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    const { rows } = await t.db.query<{ expire: Date }>('SELECT expire FROM sessions WHERE sid = $1', [sid]);
    const slid = rows[0]!.expire.getTime() - Date.now();
    expect(slid).toBeGreaterThan(t.config.session.idleMs - 60_000);
  });
});
