import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/routes.js';
import { useTestApp } from '../helpers/test-app.js';
import { PASSWORD, signUp, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/** The admin API (issue 28): who may call it, the user listing, per-user limits and models, usage and the audit trail. */
const ctx = useTestApp({
  env: {
    RATE_LIMITS: 'on',
    MESSAGES_PER_MINUTE: '1000',
    CHATS_PER_HOUR: '1000',
    DAILY_TOKEN_LIMIT: '100000',
    OPENAI_MODELS: 'test-model,other-model,third-model',
  },
});

type Agent = Awaited<ReturnType<typeof signUp>>['agent'];
let admin: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  admin = await signUp(ctx.t.app); // the first account: the admin
  expect(admin.user.role).toBe('admin');
});

const patchUser = (id: string, body: Record<string, unknown>) => admin.agent.patch(`/api/admin/users/${id}`).send(body);
const newChat = async (agent: Agent, body: Record<string, unknown> = {}) => (await agent.post('/api/chats').send(body)).body.chat;
const lastModelAsked = () => ctx.fake.completions().at(-1)!.body.model;

describe('who may call it', () => {
  const adminRoutes = apiRoutes({ maxChars: 1000, models: ['test-model'], uploadMaxBytes: 1 }).filter((r) =>
    r.path.startsWith('/api/admin'),
  );
  const pathOf = (p: string) => p.replace(':id', '00000000-0000-4000-8000-000000000000').replace(':code', 'some-code');

  it('is listed in full: users, invites, usage and audit', () => {
    expect(adminRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'delete /api/admin/invites/:code',
      'delete /api/admin/users/:id',
      'get /api/admin/audit',
      'get /api/admin/invites',
      'get /api/admin/usage',
      'get /api/admin/users',
      'patch /api/admin/users/:id',
      'post /api/admin/invites',
      'post /api/admin/users',
    ]);
  });

  it('answers 401 without a session and 403 forbidden to a user who is not an admin, on every admin route', async () => {
    const { agent } = await signUp(ctx.t.app);
    for (const route of adminRoutes) {
      const anonymous = await request(ctx.t.app)[route.method](pathOf(route.path)).send({});
      expect(anonymous.status, `${route.method} ${route.path}`).toBe(401);
      const user = await agent[route.method](pathOf(route.path)).send({});
      expect(user.status, `${route.method} ${route.path}`).toBe(403);
      expect(user.body.error.code).toBe('forbidden');
    }
  });

  it('takes a demotion at once: a demoted admin is refused on the next request', async () => {
    const other = await signUp(ctx.t.app);
    await patchUser(other.user.id, { role: 'admin' }).expect(200);
    expect((await other.agent.get('/api/admin/users')).status).toBe(200);
    expect((await other.agent.get('/api/auth/me')).body.user.role).toBe('admin');
    await patchUser(other.user.id, { role: 'user' }).expect(200);
    expect((await other.agent.get('/api/admin/users')).status).toBe(403);
    expect((await other.agent.get('/api/auth/me')).body.user.role).toBe('user');
  });
});

describe('GET /api/admin/users', () => {
  it('lists users newest first with their usage and chat count, never their messages; q, status and role filter', async () => {
    const tag = `find-${Date.now()}`;
    const first = await signUp(ctx.t.app, uniqueEmail(`${tag}-a`));
    const second = await signUp(ctx.t.app, uniqueEmail(`${tag}-b`));
    const chat = await newChat(first.agent);
    await first.agent.post(`/api/chats/${chat.id}/message`).send({ content: 'a private thought about plums' }).expect(201);

    const res = await admin.agent.get(`/api/admin/users?q=${tag.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.users.map((u: { id: string }) => u.id)).toEqual([second.user.id, first.user.id]);
    expect(res.body.users[1]).toEqual({
      id: first.user.id,
      email: first.email,
      role: 'user',
      status: 'active',
      createdAt: first.user.createdAt,
      lastSeenAt: expect.any(String),
      tokensToday: expect.any(Number),
      dailyTokenLimit: null,
      allowedModels: null,
      chats: 1,
    });
    expect(res.body.users[1].tokensToday).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain('plums');

    await patchUser(second.user.id, { status: 'disabled' }).expect(200);
    const disabled = await admin.agent.get(`/api/admin/users?q=${tag}&status=disabled`);
    expect(disabled.body.users.map((u: { id: string }) => u.id)).toEqual([second.user.id]);
    const admins = await admin.agent.get('/api/admin/users?role=admin');
    expect(admins.body.users.map((u: { id: string }) => u.id)).toContain(admin.user.id);
    expect(admins.body.users.every((u: { role: string }) => u.role === 'admin')).toBe(true);
    expect((await admin.agent.get('/api/admin/users?status=sleeping')).status).toBe(400);
  });

  it('pages with nextCursor: every user once, in order; a forged cursor is 400', async () => {
    const tag = `page-${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.unshift((await signUp(ctx.t.app, uniqueEmail(`${tag}-${i}`))).user.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await admin.agent.get(`/api/admin/users?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.users.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(made);
    expect((await admin.agent.get('/api/admin/users?cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
  });
});

describe('per-user limits', () => {
  it('dailyTokenLimit overrides DAILY_TOKEN_LIMIT for that user (0: none; null: the default again)', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const chat = await newChat(agent);
    expect((await patchUser(user.id, { dailyTokenLimit: 5 })).body.user.dailyTokenLimit).toBe(5);
    expect((await agent.get('/api/usage')).body.today.limit).toBe(5);
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'spend my five tokens' }).expect(201);
    const refused = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'one more' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('quota_exceeded');
    expect(refused.body.error.details[0].limit).toBe(5);
    // The same refusal on every send path.
    expect((await agent.post(`/api/chats/${chat.id}/regenerate`)).status).toBe(429);
    const mine = ((await agent.get(`/api/chats/${chat.id}`)).body.messages as { id: string; role: string }[]).find(
      (m) => m.role === 'user',
    )!;
    expect((await agent.patch(`/api/chats/${chat.id}/messages/${mine.id}`).send({ content: 'edited' })).status).toBe(429);
    expect((await agent.post('/api/chats').send({ message: 'new chat' })).status).toBe(429);

    await patchUser(user.id, { dailyTokenLimit: 0 }).expect(200);
    expect((await agent.get('/api/usage')).body.today.limit).toBeNull();
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'no limit now' }).expect(201);
    expect((await patchUser(user.id, { dailyTokenLimit: null })).body.user.dailyTokenLimit).toBeNull();
    expect((await agent.get('/api/usage')).body.today.limit).toBe(100000);
  });

  it('allowedModels: the user sees and may choose only those; every send path answers with an allowed model', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    // Chats made before the restriction, on the default model.
    const old = await newChat(agent);
    const answered = await newChat(agent);
    await agent.post(`/api/chats/${answered.id}/message`).send({ content: 'first' }).expect(201);
    expect(lastModelAsked()).toBe('test-model');

    const unknown = await patchUser(user.id, { allowedModels: ['no-such-model'] });
    expect(unknown.status).toBe(400);
    const set = await patchUser(user.id, { allowedModels: ['third-model', 'other-model'] });
    expect(set.body.user.allowedModels).toEqual(['third-model', 'other-model']);
    expect((await agent.get('/api/models')).body).toEqual({
      models: [{ id: 'third-model' }, { id: 'other-model' }],
      default: 'third-model',
    });

    for (const refused of [
      await agent.post('/api/chats').send({ model: 'test-model' }),
      await agent.post('/api/chats').send({ model: 'test-model', message: 'hi' }),
      await agent.patch(`/api/chats/${old.id}`).send({ model: 'test-model' }),
    ]) {
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('model_not_allowed');
    }
    expect((await newChat(agent)).model).toBe('third-model'); // the default is not theirs: their first
    expect((await agent.patch(`/api/chats/${old.id}`).send({ model: 'other-model' })).body.chat.model).toBe('other-model');
    const created = await agent.post('/api/chats').send({ message: 'new one' });
    expect(created.status).toBe(201);
    expect(lastModelAsked()).toBe('third-model');

    // A chat whose stored model the user may no longer use answers with their first allowed model, and says so.
    const sent = await agent.post(`/api/chats/${answered.id}/message`).send({ content: 'second' });
    expect(sent.status).toBe(201);
    expect(lastModelAsked()).toBe('third-model');
    expect(sent.body.assistantMessage.model).toBe('third-model');
    expect((await agent.get(`/api/chats/${answered.id}`)).body.chat.model).toBe('third-model');
    await agent.patch(`/api/chats/${answered.id}`).send({ model: 'other-model' }).expect(200);
    await ctx.t.db.query(`UPDATE chats SET model = 'test-model' WHERE id = $1`, [answered.id]); // as before the restriction
    expect((await agent.post(`/api/chats/${answered.id}/regenerate`)).status).toBe(201);
    expect(lastModelAsked()).toBe('third-model');
    await ctx.t.db.query(`UPDATE chats SET model = 'test-model' WHERE id = $1`, [answered.id]);
    const { messages } = (await agent.get(`/api/chats/${answered.id}`)).body as { messages: { id: string; role: string }[] };
    const mine = messages.filter((m) => m.role === 'user').at(-1)!;
    expect((await agent.patch(`/api/chats/${answered.id}/messages/${mine.id}`).send({ content: 'edited' })).status).toBe(201);
    expect(lastModelAsked()).toBe('third-model');

    await patchUser(user.id, { allowedModels: null }).expect(200);
    expect((await agent.get('/api/models')).body.models).toHaveLength(3);
    expect((await agent.patch(`/api/chats/${old.id}`).send({ model: 'test-model' })).status).toBe(200);
  });
});

describe('usage and audit', () => {
  it('GET /api/admin/usage: every user’s tokens per day and model, with totals', async () => {
    const { agent, email, user } = await signUp(ctx.t.app);
    await agent.post('/api/chats').send({ message: 'count this' }).expect(201);
    const res = await admin.agent.get('/api/admin/usage');
    expect(res.status).toBe(200);
    const mine = res.body.days.filter((d: { userId: string }) => d.userId === user.id);
    expect(mine).toEqual([
      {
        day: expect.any(String),
        userId: user.id,
        email,
        model: 'test-model',
        promptTokens: expect.any(Number),
        completionTokens: expect.any(Number),
        replies: 1,
      },
    ]);
    const sum = (key: 'promptTokens' | 'completionTokens' | 'replies') =>
      res.body.days.reduce((n: number, d: Record<string, number>) => n + d[key]!, 0);
    expect(res.body.totals).toEqual({
      promptTokens: sum('promptTokens'),
      completionTokens: sum('completionTokens'),
      replies: sum('replies'),
    });
    expect((await admin.agent.get('/api/admin/usage?from=2026-02-01&to=2026-01-01')).status).toBe(400);
  });

  it('GET /api/admin/audit: every admin action, newest first, paged, kept after the users it names are deleted', async () => {
    const email = uniqueEmail('audited');
    const made = (await admin.agent.post('/api/admin/users').send({ email, password: PASSWORD })).body.user;
    await patchUser(made.id, { role: 'admin' }).expect(200);
    await patchUser(made.id, { role: 'user', status: 'disabled', dailyTokenLimit: 10, allowedModels: ['other-model'] }).expect(200);
    const invite = (await admin.agent.post('/api/admin/invites').send({ email })).body.invite;
    await admin.agent.delete(`/api/admin/invites/${invite.code}`).expect(204);
    await admin.agent.delete(`/api/admin/users/${made.id}`).expect(204);

    const events = (await admin.agent.get('/api/admin/audit?limit=9')).body.events as Record<string, unknown>[];
    expect(events.map((e) => e.action)).toEqual([
      'user.delete',
      'invite.delete',
      'invite.create',
      'user.allowed_models',
      'user.daily_token_limit',
      'user.status',
      'user.role',
      'user.role',
      'user.create',
    ]);
    expect(events.every((e) => e.actorId === admin.user.id && e.actorEmail === admin.email)).toBe(true);
    expect(events[0]).toMatchObject({ targetId: made.id, details: { email } });
    expect(events[5]).toMatchObject({ action: 'user.status', details: { email, from: 'active', to: 'disabled' } });
    const page = await admin.agent.get('/api/admin/audit?limit=4');
    const next = await admin.agent.get(`/api/admin/audit?limit=5&cursor=${page.body.nextCursor}`);
    expect([...page.body.events, ...next.body.events].map((e: { id: string }) => e.id)).toEqual(events.map((e) => e.id));
  });
});

describe('disabling and deleting', () => {
  it('disabling ends the sessions, stops a reply in progress and refuses logins (403 account_disabled) until enabled again', async () => {
    const { agent, user, email } = await signUp(ctx.t.app);
    const chat = await newChat(agent);
    ctx.fake.enqueue({ kind: 'stall', chunks: ['Half an ', 'answer'] });
    const sending = agent
      .post(`/api/chats/${chat.id}/message`)
      .send({ content: 'tell me a long story' })
      .then((res) => res); // sent now (supertest waits for a then)
    const streaming = async () =>
      (await ctx.t.db.query(`SELECT 1 FROM messages WHERE chat_id = $1 AND status = 'streaming'`, [chat.id])).rowCount === 1;
    await eventually(streaming, 5000, 'the reply to start');
    await patchUser(user.id, { status: 'disabled' }).expect(200);
    const sent = await sending;
    expect(sent.body.assistantMessage).toMatchObject({ status: 'stopped', content: 'Half an answer' });
    expect(await streaming()).toBe(false);
    expect((await agent.get('/api/chats')).status).toBe(401);

    const refused = await request(ctx.t.app).post('/api/auth/login').send({ email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_disabled');
    await patchUser(user.id, { status: 'active' }).expect(200);
    expect((await request(ctx.t.app).post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });

  it('DELETE /api/admin/users/:id: the user and everything of theirs go (204); 404 for an unknown user', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    await agent.post('/api/chats').send({ message: 'soon gone' }).expect(201);
    await admin.agent.delete(`/api/admin/users/${user.id}`).expect(204);
    expect((await agent.get('/api/chats')).status).toBe(401);
    const left = await ctx.t.db.query(
      `SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM chats WHERE user_id = $1) + (SELECT count(*) FROM sessions WHERE user_id = $1) AS n`,
      [user.id],
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect((await admin.agent.delete(`/api/admin/users/${user.id}`)).status).toBe(404);
    expect((await patchUser(user.id, { role: 'admin' })).status).toBe(404);
  });
});
