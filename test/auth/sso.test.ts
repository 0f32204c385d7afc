import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { signInAtProvider, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, signUp, uniqueEmail } from '../helpers/users.js';

/** Single sign-on (issue 29) against a real OpenID provider (oidc-provider) over HTTP. */
const APP = 'http://app.example';
let fake: FakeOpenAI;
let idp: TestOidcProvider;
const apps: TestApp[] = [];
beforeAll(async () => {
  fake = await startFakeOpenAI();
  idp = await startOidcProvider();
  idp.register([`${APP}/api/auth/oidc/callback`]);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await idp?.close();
  await fake?.close();
});

async function appWith(env: Record<string, string> = {}) {
  const t = await startTestApp({ fake, env: idp.env({ PUBLIC_URL: APP, OIDC_NAME: 'Corp SSO', ...env }) });
  apps.push(t);
  return t;
}
/** A person known to the provider; its login is returned. */
function person(email = uniqueEmail('sso'), emailVerified = true): string {
  const login = `sub-${Math.random().toString(36).slice(2)}`;
  idp.accounts.set(login, { email, emailVerified });
  return login;
}
type Agent = ReturnType<typeof request.agent>;
/** The browser's way through: the app's login → the provider → the app's callback (its answer returned). */
async function sso(agent: Agent, login: string, { returnTo, tamper }: { returnTo?: string; tamper?: (url: URL) => void } = {}) {
  const start = await agent.get(`/api/auth/oidc/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`);
  expect(start.status).toBe(302);
  const authorization = new URL(start.headers.location!);
  tamper?.(authorization);
  const back = await signInAtProvider(authorization.href, login);
  expect(back.origin + back.pathname).toBe(`${APP}/api/auth/oidc/callback`);
  const callback = await agent.get(back.pathname + back.search);
  return { callback, back };
}
const landed = (res: request.Response) => (expect(res.status).toBe(302), res.headers.location);

let t: TestApp;
beforeAll(async () => {
  t = await appWith();
});

describe('single sign-on', () => {
  it('says so in GET /api/auth/providers', async () => {
    expect((await request(t.app).get('/api/auth/providers')).body).toEqual({
      registration: 'open',
      password: true,
      oidc: { name: 'Corp SSO', loginUrl: '/api/auth/oidc/login' },
      passwordReset: false,
    });
  });

  it('sends the browser to the provider with a code request, a fresh state and nonce, and a PKCE S256 challenge', async () => {
    const agent = request.agent(t.app);
    const [first, second] = [await agent.get('/api/auth/oidc/login'), await agent.get('/api/auth/oidc/login')];
    const url = new URL(first.headers.location!);
    expect(url.origin).toBe(idp.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: idp.client.id,
      redirect_uri: `${APP}/api/auth/oidc/callback`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/.{20,}/),
      nonce: expect.stringMatching(/.{20,}/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });
    const again = new URL(second.headers.location!).searchParams;
    expect(again.get('state')).not.toBe(url.searchParams.get('state'));
    expect(again.get('nonce')).not.toBe(url.searchParams.get('nonce'));
  });

  it('signs a new person in: an account without a password, a new session id, back to returnTo', async () => {
    const email = uniqueEmail('new');
    const agent = request.agent(t.app);
    const start = await agent.get('/api/auth/oidc/login?returnTo=%2Fc%2Fsome-chat');
    const before = sessionCookie(start);
    const back = await signInAtProvider(start.headers.location!, person(email));
    const callback = await agent.get(back.pathname + back.search);
    expect(landed(callback)).toBe('/c/some-chat');
    expect(sessionCookie(callback)).toBeDefined();
    expect(sessionCookie(callback)).not.toBe(before);
    const me = (await agent.get('/api/auth/me')).body.user;
    expect(me).toMatchObject({ email, status: 'active', hasPassword: false, sso: { name: 'Corp SSO' } });
    // The same identity again: the same account.
    const again = request.agent(t.app);
    const login = [...idp.accounts].find(([, a]) => a.email === email)![0];
    expect(landed((await sso(again, login)).callback)).toBe('/');
    expect((await again.get('/api/auth/me')).body.user.id).toBe(me.id);
  });

  it('refuses a replayed callback, or one in a browser that did not start the login (sso_failed)', async () => {
    const agent = request.agent(t.app);
    const { callback, back } = await sso(agent, person());
    expect(landed(callback)).toBe('/');
    const replay = await agent.get(back.pathname + back.search);
    expect(landed(replay)).toBe('/login?error=sso_failed');
    const stranger = await request(t.app).get(back.pathname + back.search);
    expect(landed(stranger)).toBe('/login?error=sso_failed');
    expect(sessionCookie(stranger) ?? 'sid=').toBe('sid='); // none, or one cleared
  });

  it('refuses an ID token whose nonce is not the one sent (sso_failed), and logs no one in', async () => {
    const agent = request.agent(t.app);
    const { callback } = await sso(agent, person(), { tamper: (url) => url.searchParams.set('nonce', 'a-nonce-the-app-never-made') });
    expect(landed(callback)).toBe('/login?error=sso_failed');
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses an email the provider has not verified (email_not_verified)', async () => {
    const agent = request.agent(t.app);
    expect(landed((await sso(agent, person(uniqueEmail(), false))).callback)).toBe('/login?error=email_not_verified');
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('links a password account with the same verified email, which then signs in either way', async () => {
    const { user, email } = await signUp(t.app);
    const agent = request.agent(t.app);
    expect(landed((await sso(agent, person(email))).callback)).toBe('/');
    expect((await agent.get('/api/auth/me')).body.user).toMatchObject({ id: user.id, hasPassword: true, sso: { name: 'Corp SSO' } });
    expect((await request(t.app).post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });

  it('lands only on a path of this site: //evil.example, https://evil.example and /\\evil.example go to /', async () => {
    for (const returnTo of ['//evil.example', 'https://evil.example', '/\\evil.example', ' /x', '/chats/../ok']) {
      const expected = returnTo === '/chats/../ok' ? returnTo : '/';
      expect(landed((await sso(request.agent(t.app), person(), { returnTo })).callback), returnTo).toBe(expected);
    }
  });

  it('a disabled account is refused (account_disabled)', async () => {
    const admin = await signUp(t.app, uniqueEmail('admin'));
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.user.id]);
    const email = uniqueEmail();
    const login = person(email);
    expect(landed((await sso(request.agent(t.app), login)).callback)).toBe('/');
    const { id } = (await t.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email])).rows[0]!;
    await admin.agent.patch(`/api/admin/users/${id}`).send({ status: 'disabled' }).expect(200);
    expect(landed((await sso(request.agent(t.app), login)).callback)).toBe('/login?error=account_disabled');
  });

  it('an account made by single sign-on sets a first password without a current one, and is deleted by typing its email', async () => {
    const email = uniqueEmail();
    const agent = request.agent(t.app);
    await sso(agent, person(email));
    const wrong = await agent.delete('/api/auth/me').send({ confirmEmail: 'someone@else.example' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('confirmation_mismatch');
    await agent.post('/api/auth/password').send({ newPassword: 'a-first-passphrase-77' }).expect(204);
    expect((await agent.get('/api/auth/me')).body.user.hasPassword).toBe(true);
    expect((await request(t.app).post('/api/auth/login').send({ email, password: 'a-first-passphrase-77' })).status).toBe(200);
    // Now it has one: changing it needs the current one.
    expect((await agent.post('/api/auth/password').send({ newPassword: 'another-passphrase-88' })).body.error.code).toBe('wrong_password');

    const other = request.agent(t.app);
    const otherEmail = uniqueEmail();
    await sso(other, person(otherEmail));
    await other.delete('/api/auth/me').send({ confirmEmail: otherEmail.toUpperCase() }).expect(204);
    expect((await other.get('/api/auth/me')).status).toBe(401);
  });
});

describe('the provider', () => {
  it('is asked for its discovery document again after a failure: down at first, then single sign-on works', async () => {
    const late = await startOidcProvider();
    try {
      const app = await startTestApp({ fake, env: late.env({ PUBLIC_URL: APP }) });
      apps.push(app);
      const down = await request(app.app).get('/api/auth/oidc/login');
      expect(landed(down)).toBe('/login?error=sso_failed');
      late.register([`${APP}/api/auth/oidc/callback`]);
      const up = await request(app.app).get('/api/auth/oidc/login');
      expect(landed(up)).toMatch(new RegExp(`^${late.issuer}/`));
    } finally {
      await late.close();
    }
  });
});

describe('single sign-on and REGISTRATION', () => {
  it('approval: the new account waits (account_pending); invite and closed refuse newcomers, except ADMIN_EMAILS', async () => {
    const approval = await appWith({ REGISTRATION: 'approval' });
    await signUp(approval.app); // the first account (the admin) exists already
    expect(landed((await sso(request.agent(approval.app), person())).callback)).toBe('/login?error=account_pending');

    const boss = uniqueEmail('boss');
    const invite = await appWith({ REGISTRATION: 'invite', ADMIN_EMAILS: boss });
    expect(landed((await sso(request.agent(invite.app), person())).callback)).toBe('/login?error=invite_required');
    const closed = await appWith({ REGISTRATION: 'closed', ADMIN_EMAILS: boss });
    expect(landed((await sso(request.agent(closed.app), person())).callback)).toBe('/login?error=registration_closed');
    const agent = request.agent(closed.app);
    expect(landed((await sso(agent, person(boss))).callback)).toBe('/');
    expect((await agent.get('/api/auth/me')).body.user).toMatchObject({ email: boss, role: 'admin', status: 'active' });
  });

  it('OIDC_ALLOWED_DOMAINS: another domain is refused (domain_not_allowed)', async () => {
    const corp = await appWith({ OIDC_ALLOWED_DOMAINS: 'corp.example, @other.example' });
    expect(landed((await sso(request.agent(corp.app), person('someone@gmail.example'))).callback)).toBe('/login?error=domain_not_allowed');
    expect(landed((await sso(request.agent(corp.app), person(`${Date.now()}@corp.example`))).callback)).toBe('/');
  });

  it('PASSWORD_LOGIN=off: login and register answer 403 password_login_disabled; single sign-on works; no first password', async () => {
    const ssoOnly = await appWith({ PASSWORD_LOGIN: 'off' });
    expect((await request(ssoOnly.app).get('/api/auth/providers')).body).toMatchObject({ password: false, passwordReset: false });
    for (const path of ['/api/auth/login', '/api/auth/register']) {
      const res = await request(ssoOnly.app).post(path).send({ email: uniqueEmail(), password: PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('password_login_disabled');
    }
    const agent = request.agent(ssoOnly.app);
    expect(landed((await sso(agent, person())).callback)).toBe('/');
    const refused = await agent.post('/api/auth/password').send({ newPassword: 'a-first-passphrase-77' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_login_disabled');
  });
});
