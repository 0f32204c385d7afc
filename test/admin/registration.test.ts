import bcrypt from 'bcrypt';
import request from 'supertest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../helpers/log-lines.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabaseTarget } from '../helpers/test-db.js';
import { PASSWORD, sessionCookie, signUp, uniqueEmail } from '../helpers/users.js';

/**
 * Roles, the first admin and REGISTRATION (issue 28), through the API: each mode on a database of its
 * own, its first account (the admin) registering before anything else.
 */
let fake: FakeOpenAI;
const apps: TestApp[] = [];
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await fake?.close();
});

async function appWith(env: Record<string, string>) {
  const t = await startTestApp({ fake, env });
  apps.push(t);
  return t;
}
const register = (t: TestApp, body: Record<string, unknown>) => request(t.app).post('/api/auth/register').send(body);
const login = (t: TestApp, email: string) => request(t.app).post('/api/auth/login').send({ email, password: PASSWORD });

describe('roles', () => {
  it('makes the first account the admin (ADMIN_EMAILS unset); later ones are users; every user payload says role and status', async () => {
    const t = await appWith({});
    const first = await signUp(t.app);
    expect(first.user).toMatchObject({ role: 'admin', status: 'active' });
    const second = await signUp(t.app);
    expect(second.user).toMatchObject({ role: 'user', status: 'active' });
    expect((await second.agent.get('/api/auth/me')).body.user).toMatchObject({ id: second.user.id, role: 'user', status: 'active' });
    expect((await login(t, second.email)).body.user).toMatchObject({ role: 'user', status: 'active' });
    expect((await first.agent.get('/api/auth/me')).body.user.role).toBe('admin');
  });

  it('says at start-up who is admin, or that there is none yet', async () => {
    const storage = await createTestDatabaseTarget({ onDisk: true });
    const before = captureLogs();
    const first = await startTestApp({ fake, target: storage.target, logger: before.logger });
    const admin = await signUp(first.app);
    await first.close({ keepData: true });
    expect(before.logs().map((l) => l.msg)).toContain('no admin yet: the first account registered becomes the admin');
    const after = captureLogs();
    const second = await startTestApp({ fake, target: storage.target, logger: after.logger });
    await second.close();
    await storage.dispose();
    expect(after.logs().find((l) => l.msg === `admin: ${admin.email}`)).toMatchObject({ admins: [admin.email] });
  });

  it('ADMIN_EMAILS: such an account is an admin from registration, or from the next start; others are not, first or not', async () => {
    const storage = await createTestDatabaseTarget({ onDisk: true });
    const boss = uniqueEmail('boss');
    const later = uniqueEmail('later');
    const env = { ADMIN_EMAILS: `someone@example.com, ${boss.toUpperCase()}` };
    const first = await startTestApp({ fake, target: storage.target, env });
    try {
      expect((await signUp(first.app)).user.role).toBe('user'); // first, but ADMIN_EMAILS names the admins
      expect((await signUp(first.app, boss)).user).toMatchObject({ role: 'admin', status: 'active' });
      expect((await signUp(first.app, later)).user.role).toBe('user');
    } finally {
      await first.close({ keepData: true });
    }
    const second = await startTestApp({ fake, target: storage.target, env: { ADMIN_EMAILS: `${boss},${later}` } });
    try {
      expect((await login(second, later)).body.user).toMatchObject({ role: 'admin', status: 'active' });
    } finally {
      await second.close();
      await storage.dispose();
    }
  });

  it('upgrading a deployment with accounts and no admin: the oldest account becomes the admin at start; the rest stay users', async () => {
    const storage = await createTestDatabaseTarget({ onDisk: true });
    const db = await openDatabase(storage.target);
    await migrate(db, undefined, { upTo: '011' });
    const hash = await bcrypt.hash(PASSWORD, 4);
    const [oldest, younger] = [uniqueEmail('oldest'), uniqueEmail('younger')];
    await db.query(`INSERT INTO users (email, password_hash, created_at) VALUES ($1, $3, now() - interval '2 days'), ($2, $3, now())`, [
      oldest,
      younger,
      hash,
    ]);
    await db.close();
    const t = await startTestApp({ fake, target: storage.target });
    try {
      expect((await login(t, oldest)).body.user).toMatchObject({ role: 'admin', status: 'active' });
      expect((await login(t, younger)).body.user).toMatchObject({ role: 'user', status: 'active' });
      expect((await signUp(t.app)).user.role).toBe('user');
    } finally {
      await t.close();
      await storage.dispose();
    }
  });

  it('never lets the last active admin go: demoted, disabled or deleted (admin API or own account) is 409 last_admin', async () => {
    const t = await appWith({});
    const admin = await signUp(t.app);
    const id = admin.user.id;
    for (const change of [{ role: 'user' }, { status: 'disabled' }, { status: 'pending' }]) {
      const res = await admin.agent.patch(`/api/admin/users/${id}`).send(change);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('last_admin');
    }
    expect((await admin.agent.delete(`/api/admin/users/${id}`)).body.error.code).toBe('last_admin');
    const own = await admin.agent.delete('/api/auth/me').send({ password: PASSWORD });
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('last_admin');
    expect((await admin.agent.get('/api/auth/me')).body.user).toMatchObject({ role: 'admin', status: 'active' });

    // With a second admin, the first may step down; then the second is the last one.
    const other = await signUp(t.app);
    await admin.agent.patch(`/api/admin/users/${other.user.id}`).send({ role: 'admin' }).expect(200);
    expect((await admin.agent.patch(`/api/admin/users/${id}`).send({ role: 'user' })).body.user.role).toBe('user');
    expect((await other.agent.patch(`/api/admin/users/${other.user.id}`).send({ role: 'user' })).body.error.code).toBe('last_admin');
  });

  it('keeps an ADMIN_EMAILS account an active admin: demoting, disabling or deleting it is 409 admin_email', async () => {
    const boss = uniqueEmail('boss');
    const t = await appWith({ ADMIN_EMAILS: boss });
    const admin = await signUp(t.app, boss);
    const second = await signUp(t.app);
    await admin.agent.patch(`/api/admin/users/${second.user.id}`).send({ role: 'admin' }).expect(200);
    for (const change of [{ role: 'user' }, { status: 'disabled' }]) {
      expect((await second.agent.patch(`/api/admin/users/${admin.user.id}`).send(change)).body.error.code).toBe('admin_email');
    }
    expect((await second.agent.delete(`/api/admin/users/${admin.user.id}`)).body.error.code).toBe('admin_email');
  });
});

describe('REGISTRATION', () => {
  it('open (the default): GET /api/auth/providers says so, without a login', async () => {
    const t = await appWith({});
    expect((await request(t.app).get('/api/auth/providers')).body).toMatchObject({ registration: 'open' });
  });

  it('approval: 202 pending and not logged in; login 403 account_pending until an admin approves', async () => {
    const t = await appWith({ REGISTRATION: 'approval' });
    expect((await request(t.app).get('/api/auth/providers')).body).toMatchObject({ registration: 'approval' });
    const admin = await signUp(t.app); // the first account: the admin, active at once
    expect(admin.user.role).toBe('admin');

    const email = uniqueEmail();
    const res = await register(t, { email, password: PASSWORD });
    expect(res.status).toBe(202);
    expect(res.body.user).toMatchObject({ email, role: 'user', status: 'pending' });
    expect(sessionCookie(res)).toBeUndefined();
    const refused = await login(t, email);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_pending');
    expect(sessionCookie(refused)).toBeUndefined();
    // A wrong password is still only a 401: the status is said only to whoever knows the password.
    expect((await request(t.app).post('/api/auth/login').send({ email, password: 'wrong-password-123' })).status).toBe(401);

    const pending = await admin.agent.get('/api/admin/users?status=pending');
    expect(pending.body.users.map((u: { email: string }) => u.email)).toEqual([email]);
    await admin.agent.patch(`/api/admin/users/${res.body.user.id}`).send({ status: 'active' }).expect(200);
    const ok = await login(t, email);
    expect(ok.status).toBe(200);
    expect(ok.body.user.status).toBe('active');
  });

  it('invite: a code is needed, works once, may be bound to one email, and expires', async () => {
    const t = await appWith({ REGISTRATION: 'invite', ADMIN_EMAILS: 'root@example.com' });
    const admin = await signUp(t.app, 'root@example.com'); // ADMIN_EMAILS may register without an invite
    const refusedCode = async (body: Record<string, unknown>) => {
      const res = await register(t, { email: uniqueEmail(), password: PASSWORD, ...body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('invite_required');
    };
    await refusedCode({});
    await refusedCode({ inviteCode: 'no-such-code' });

    const created = await admin.agent.post('/api/admin/invites').send({});
    expect(created.status).toBe(201);
    const { code, url, email, expiresAt, usedAt } = created.body.invite;
    expect(url).toMatch(new RegExp(`/register\\?invite=${code}$`));
    expect(email).toBeNull();
    expect(usedAt).toBeNull();
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000); // 7 days by default
    const invited = await register(t, { email: uniqueEmail(), password: PASSWORD, inviteCode: code });
    expect(invited.status).toBe(201);
    expect(invited.body.user.status).toBe('active');
    await refusedCode({ inviteCode: code }); // once only
    const listed = (await admin.agent.get('/api/admin/invites')).body.invites as { code: string; usedAt: string | null }[];
    expect(listed.find((i) => i.code === code)?.usedAt).toEqual(expect.any(String));

    const bound = uniqueEmail('bound');
    const forOne = (await admin.agent.post('/api/admin/invites').send({ email: bound.toUpperCase(), expiresInDays: 2 })).body.invite;
    expect(forOne.email).toBe(bound);
    await refusedCode({ inviteCode: forOne.code });
    expect((await register(t, { email: bound, password: PASSWORD, inviteCode: forOne.code })).status).toBe(201);

    // A taken email leaves the invite unused; an expired or revoked one is refused.
    const spare = (await admin.agent.post('/api/admin/invites').send({})).body.invite;
    expect((await register(t, { email: bound, password: PASSWORD, inviteCode: spare.code })).status).toBe(409);
    await t.db.query(`UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = $1`, [spare.code]);
    await refusedCode({ inviteCode: spare.code });
    const revoked = (await admin.agent.post('/api/admin/invites').send({})).body.invite;
    await admin.agent.delete(`/api/admin/invites/${revoked.code}`).expect(204);
    await refusedCode({ inviteCode: revoked.code });
    expect((await admin.agent.delete(`/api/admin/invites/${revoked.code}`)).status).toBe(404);
  });

  it('invite: two registrations racing with one code, exactly one succeeds', async () => {
    const t = await appWith({ REGISTRATION: 'invite', ADMIN_EMAILS: 'root@example.com' });
    const admin = await signUp(t.app, 'root@example.com');
    for (let round = 0; round < 3; round++) {
      const { code } = (await admin.agent.post('/api/admin/invites').send({})).body.invite;
      const answers = await Promise.all(
        [uniqueEmail(), uniqueEmail(), uniqueEmail()].map((email) => register(t, { email, password: PASSWORD, inviteCode: code })),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([201, 403, 403]);
    }
  });

  it('closed: 403 registration_closed; an admin creates accounts, which can log in', async () => {
    const t = await appWith({ REGISTRATION: 'closed', ADMIN_EMAILS: 'root@example.com' });
    expect((await request(t.app).get('/api/auth/providers')).body).toMatchObject({ registration: 'closed' });
    const res = await register(t, { email: uniqueEmail(), password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('registration_closed');
    const admin = await signUp(t.app, 'root@example.com');

    const email = uniqueEmail('made');
    const made = await admin.agent.post('/api/admin/users').send({ email, password: PASSWORD });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({ email, role: 'user', status: 'active', chats: 0, tokensToday: 0, allowedModels: null });
    expect((await login(t, email)).status).toBe(200);
    const again = await admin.agent.post('/api/admin/users').send({ email, password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
    expect((await admin.agent.post('/api/admin/users').send({ email: uniqueEmail(), password: 'password' })).status).toBe(400);
    const boss = await admin.agent.post('/api/admin/users').send({ email: uniqueEmail(), password: PASSWORD, role: 'admin' });
    expect(boss.body.user.role).toBe('admin');
  });
});
