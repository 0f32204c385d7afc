import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, sessionIdOf, signUp } from '../helpers/users.js';

const ctx = useTestApp();

/** A second device: a fresh login for the same account. */
async function loginAgain(email: string, password = PASSWORD, userAgent = 'SecondDevice/1.0') {
  const agent = request.agent(ctx.t.app);
  const res = await agent.post('/api/auth/login').set('User-Agent', userAgent).send({ email, password });
  expect(res.status).toBe(200);
  return { agent, cookie: sessionCookie(res)! };
}

const me = (cookie: string) => request(ctx.t.app).get('/api/auth/me').set('Cookie', cookie);
const sessionRow = async (cookie: string) =>
  (await ctx.t.db.query('SELECT 1 FROM sessions WHERE sid = $1', [sessionIdOf(cookie)])).rowCount;

describe('session lifetime', () => {
  it('rejects and deletes a session idle past its timeout', async () => {
    const { email } = await signUp(ctx.t.app);
    const { cookie } = await loginAgain(email);
    await ctx.t.db.query("UPDATE sessions SET expire = now() - interval '1 second' WHERE sid = $1", [sessionIdOf(cookie)]);
    expect((await me(cookie)).status).toBe(401);
    expect(await sessionRow(cookie)).toBe(0);
  });

  it('rejects and deletes a session past its absolute lifetime, however active', async () => {
    const { email } = await signUp(ctx.t.app);
    const { cookie } = await loginAgain(email);
    await ctx.t.db.query("UPDATE sessions SET created_at = now() - interval '31 days' WHERE sid = $1", [sessionIdOf(cookie)]);
    expect((await me(cookie)).status).toBe(401);
    expect(await sessionRow(cookie)).toBe(0);
  });
});

describe('managing sessions', () => {
  it('lists my active sessions with the current one marked, and never shows a session id', async () => {
    const { email } = await signUp(ctx.t.app);
    const first = await loginAgain(email, PASSWORD, 'Laptop/1.0');
    const second = await loginAgain(email, PASSWORD, 'Phone/2.0');
    const res = await first.agent.get('/api/auth/sessions');
    expect(res.status).toBe(200);
    const agents = res.body.sessions.map((s: { userAgent: string }) => s.userAgent);
    expect(agents).toEqual(expect.arrayContaining(['Laptop/1.0', 'Phone/2.0']));
    const current = res.body.sessions.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0].userAgent).toBe('Laptop/1.0');
    for (const s of res.body.sessions) expect(Object.keys(s).sort()).toEqual(['createdAt', 'current', 'id', 'lastSeenAt', 'userAgent']);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(sessionIdOf(first.cookie));
    expect(text).not.toContain(sessionIdOf(second.cookie));
  });

  it('revokes one session by its id; another user cannot', async () => {
    const { email } = await signUp(ctx.t.app);
    const laptop = await loginAgain(email, PASSWORD, 'Laptop/1.0');
    const phone = await loginAgain(email, PASSWORD, 'Phone/2.0');
    const list = (await laptop.agent.get('/api/auth/sessions')).body.sessions;
    const phoneSession = list.find((s: { userAgent: string }) => s.userAgent === 'Phone/2.0');

    const intruder = await signUp(ctx.t.app);
    expect((await intruder.agent.delete(`/api/auth/sessions/${phoneSession.id}`)).status).toBe(404);
    expect((await me(phone.cookie)).status).toBe(200);

    expect((await laptop.agent.delete(`/api/auth/sessions/${phoneSession.id}`)).status).toBe(204);
    expect((await me(phone.cookie)).status).toBe(401);
    expect((await me(laptop.cookie)).status).toBe(200);
    expect((await laptop.agent.delete(`/api/auth/sessions/${phoneSession.id}`)).status).toBe(404);
  });

  it('POST /logout-all ends every session of the user (replaying any cookie gives 401)', async () => {
    const { email } = await signUp(ctx.t.app);
    const a = await loginAgain(email);
    const b = await loginAgain(email);
    expect((await a.agent.post('/api/auth/logout-all')).status).toBe(204);
    expect((await me(a.cookie)).status).toBe(401);
    expect((await me(b.cookie)).status).toBe(401);
  });
});

describe('POST /api/auth/password', () => {
  it('changes the password, gives this device a new session id and logs out every other device', async () => {
    const { email } = await signUp(ctx.t.app);
    const here = await loginAgain(email);
    const elsewhere = await loginAgain(email);
    const res = await here.agent.post('/api/auth/password').send({ currentPassword: PASSWORD, newPassword: 'a-brand-new-passphrase-7' });
    expect(res.status).toBe(204);
    const renewed = sessionCookie(res);
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(here.cookie);
    expect((await me(renewed!)).status).toBe(200);
    expect((await me(here.cookie)).status).toBe(401);
    expect((await me(elsewhere.cookie)).status).toBe(401);

    expect((await request(ctx.t.app).post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(401);
    expect((await request(ctx.t.app).post('/api/auth/login').send({ email, password: 'a-brand-new-passphrase-7' })).status).toBe(200);
  });

  it('refuses a wrong current password (403) and a common new one (400)', async () => {
    const { agent } = await signUp(ctx.t.app);
    const wrong = await agent
      .post('/api/auth/password')
      .send({ currentPassword: 'not-my-password', newPassword: 'another-good-passphrase' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_password');
    const common = await agent.post('/api/auth/password').send({ currentPassword: PASSWORD, newPassword: 'password123' });
    expect(common.status).toBe(400);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
  });

  it('refuses the commonest passwords at registration', async () => {
    for (const password of ['password1', 'Qwertyuiop', '12345678']) {
      const res = await request(ctx.t.app)
        .post('/api/auth/register')
        .send({ email: `common-${Math.random()}@example.com`, password });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/too common/);
    }
  });
});

describe('DELETE /api/auth/me', () => {
  it('needs the password, then deletes the user with their chats, messages and sessions', async () => {
    const { agent, user, email } = await signUp(ctx.t.app);
    const other = await loginAgain(email);
    await agent.post('/api/chats').send({ message: 'soon gone' }).expect(201);

    expect((await agent.delete('/api/auth/me').send({ password: 'wrong password' })).status).toBe(403);
    const res = await agent.delete('/api/auth/me').send({ password: PASSWORD });
    expect(res.status).toBe(204);

    for (const [table, column] of [
      ['users', 'id'],
      ['chats', 'user_id'],
      ['sessions', 'user_id'],
    ] as const) {
      const { rowCount } = await ctx.t.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [user.id]);
      expect(rowCount, table).toBe(0);
    }
    const { rowCount } = await ctx.t.db.query('SELECT 1 FROM messages m LEFT JOIN chats c ON c.id = m.chat_id WHERE c.id IS NULL');
    expect(rowCount).toBe(0);
    expect((await agent.get('/api/auth/me')).status).toBe(401);
    expect((await me(other.cookie)).status).toBe(401);
    expect((await request(ctx.t.app).post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(401);
  });
});
