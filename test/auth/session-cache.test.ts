import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * Sessions are read from a short in-process cache, so a logged-in read is one database round trip;
 * every way of ending sessions still takes effect on every instance within a second.
 */
let fake: FakeOpenAI;
let a: TestApp;
let b: TestApp;
let adminCookie: string;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  // A long cache lifetime: only the bus can make a revocation show on the other instance in time.
  a = await startTestApp({ fake, env: { SESSION_CACHE_MS: '10000' } });
  b = await startTestApp({ instanceOf: a });
  adminCookie = (await loggedIn()).cookie; // the first account: the admin
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await fake?.close();
});

async function loggedIn(app = a.app) {
  const email = uniqueEmail();
  const res = await request(app).post('/api/auth/register').send({ email, password: PASSWORD }).expect(201);
  return { email, cookie: sessionCookie(res)! };
}
const me = (app: TestApp, cookie: string) => request(app.app).get('/api/auth/me').set('Cookie', cookie);
/** B has the session in its cache (it answered with it a moment ago). */
const warm = async (cookie: string) => expect((await me(b, cookie)).status).toBe(200);
/** Within one second of the revocation, B refuses the session. */
const refusedWithinASecond = async (cookie: string, since: number) => {
  for (;;) {
    if ((await me(b, cookie)).status === 401) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(Date.now() - since).toBeLessThan(1000);
};

/** Every way sessions end, run on instance A. */
const REVOCATIONS: [string, (cookie: string, email: string) => Promise<unknown>][] = [
  ['logout', async (cookie: string) => request(a.app).post('/api/auth/logout').set('Cookie', cookie).expect(204)],
  ['log out everywhere', async (cookie: string) => request(a.app).post('/api/auth/logout-all').set('Cookie', cookie).expect(204)],
  [
    'revoking the session from another device',
    async (cookie: string, email: string) => {
      const other = await request(a.app).post('/api/auth/login').send({ email, password: PASSWORD }).expect(200);
      const otherCookie = sessionCookie(other)!;
      const sessions = (await request(a.app).get('/api/auth/sessions').set('Cookie', otherCookie)).body.sessions as {
        id: string;
        current: boolean;
      }[];
      const target = sessions.find((s) => !s.current)!;
      await request(a.app).delete(`/api/auth/sessions/${target.id}`).set('Cookie', otherCookie).expect(204);
    },
  ],
  [
    'a password change on another device',
    async (_cookie: string, email: string) => {
      const other = await request(a.app).post('/api/auth/login').send({ email, password: PASSWORD }).expect(200);
      await request(a.app)
        .post('/api/auth/password')
        .set('Cookie', sessionCookie(other)!)
        .send({ currentPassword: PASSWORD, newPassword: 'a-different-passphrase-9' })
        .expect(204);
    },
  ],
  [
    'an admin disabling the account',
    async (cookie: string) => {
      const { id } = (await me(a, cookie)).body.user as { id: string };
      await request(a.app).patch(`/api/admin/users/${id}`).set('Cookie', adminCookie).send({ status: 'disabled' }).expect(200);
    },
  ],
  [
    'an admin deleting the account',
    async (cookie: string) => {
      const { id } = (await me(a, cookie)).body.user as { id: string };
      await request(a.app).delete(`/api/admin/users/${id}`).set('Cookie', adminCookie).expect(204);
    },
  ],
  [
    'deleting the account',
    async (cookie: string) => request(a.app).delete('/api/auth/me').set('Cookie', cookie).send({ password: PASSWORD }).expect(204),
  ],
];

describe('the session cache', () => {
  it('makes a logged-in read one database round trip, with no write', async () => {
    const { cookie } = await loggedIn();
    await request(a.app).get('/api/chats').set('Cookie', cookie).expect(200);
    const spy = vi.spyOn(a.db, 'query');
    try {
      for (let i = 0; i < 5; i++) await request(a.app).get('/api/chats').set('Cookie', cookie).expect(200);
      const statements = spy.mock.calls.map((call) => String(call[0]));
      expect(statements).toHaveLength(5);
      expect(statements.every((sql) => /^\s*SELECT .* FROM chats/s.test(sql))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it.each(REVOCATIONS)('ends the session on the other instance within a second: %s', async (_name, revoke) => {
    const { cookie, email } = await loggedIn();
    await warm(cookie);
    const since = Date.now();
    await revoke(cookie, email);
    await refusedWithinASecond(cookie, since);
  });

  it.each(REVOCATIONS)(
    'does not cache a read that was in flight on the other instance when the sessions ended: %s',
    async (_name, revoke) => {
      const { cookie, email } = await loggedIn();
      // B reads the session from the database (nothing cached), and its answer is held back until the
      // revocation is committed and announced: a read that began before it, ending after it.
      const query = b.db.query.bind(b.db);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let reads = 0;
      const spy = vi.spyOn(b.db, 'query').mockImplementation((async (text: string, values?: unknown[]) => {
        const result = await query(text, values);
        if (text.includes('SELECT sess') && reads++ === 0) await held;
        return result;
      }) as typeof b.db.query);
      try {
        // (Not /me: it reads the account too, gone after a deletion.)
        const inFlight = request(b.app)
          .get('/api/chats')
          .set('Cookie', cookie)
          .then((res) => res.status);
        await eventually(() => reads > 0, 5000, 'the read to start');
        const since = Date.now();
        await revoke(cookie, email);
        await new Promise((resolve) => setTimeout(resolve, 200)); // the bus has told B by now
        release();
        expect(await inFlight).toBe(200); // it began before the revocation
        await refusedWithinASecond(cookie, since);
      } finally {
        release();
        spy.mockRestore();
      }
    },
  );
});
