import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

const ctx = useTestApp({
  env: { RATE_LIMITS: 'on', DAILY_TOKEN_LIMIT: '1000', MESSAGES_PER_MINUTE: '1000', REGISTER_PER_IP_PER_HOUR: '1000' },
});

describe('export', () => {
  it('exports one chat as JSON and as Markdown', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({ title: 'Recipes', systemPrompt: 'Be brief.', message: 'Pancakes?' })).body.chat;

    const json = await agent.get(`/api/chats/${chat.id}/export?format=json`);
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toMatch(/attachment; filename="?Recipes.json"?/);
    expect(json.body).toMatchObject({ format: 'gpt-backend-export', version: 2, chats: [{ title: 'Recipes', systemPrompt: 'Be brief.' }] });
    expect(json.body.chats[0].messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['user', 'Pancakes?'],
      ['assistant', 'Echo: Pancakes?'],
    ]);

    const md = await agent.get(`/api/chats/${chat.id}/export?format=markdown`);
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.text).toContain('# Recipes');
    expect(md.text).toContain('Pancakes?');
    expect(md.text).toContain('**Assistant** (test-model)');

    expect((await agent.get(`/api/chats/${chat.id}/export?format=pdf`)).status).toBe(400);
    const other = await signUp(ctx.t.app);
    expect((await other.agent.get(`/api/chats/${chat.id}/export`)).status).toBe(404);
  });

  it('exports all of my data and imports it back into another account, losing nothing', async () => {
    const { agent, email } = await signUp(ctx.t.app);
    await agent.post('/api/chats').send({ title: 'One', message: 'first 🙂 <b>' });
    const two = (await agent.post('/api/chats').send({ title: 'Two', message: 'second' })).body.chat;
    await agent.patch(`/api/chats/${two.id}`).send({ pinned: true, archived: true });

    const exported = await agent.get('/api/export');
    expect(exported.status).toBe(200);
    expect(exported.body.user).toMatchObject({ email });
    expect(exported.body.chats).toHaveLength(2);
    expect(JSON.stringify(exported.body)).not.toMatch(/password|\$2[aby]\$/);

    const newcomer = await signUp(ctx.t.app);
    const imported = await newcomer.agent.post('/api/import').send(exported.body);
    expect(imported.status).toBe(201);
    expect(imported.body.imported).toEqual({ chats: 2, messages: 4, attachments: 0 });

    const again = await newcomer.agent.get('/api/export');
    // Message ids are labels (new ones after an import): compared by position, with what they point to.
    type Exported = { activeLeafId: string | null; messages: { id: string; parentId: string | null }[] };
    const strip = (chats: Exported[]) =>
      chats.map((chat) => {
        const at = (id: string | null) => (id === null ? null : chat.messages.findIndex((m) => m.id === id));
        return {
          ...chat,
          activeLeafId: at(chat.activeLeafId),
          messages: chat.messages.map((m) => ({ ...m, id: at(m.id), parentId: at(m.parentId) })),
        };
      });
    expect(strip(again.body.chats)).toEqual(strip(exported.body.chats));
  });

  it('refuses an import that is not an export (400) and stores nothing', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const bad = await agent.post('/api/import').send({ format: 'gpt-backend-export', version: 1, chats: [{ title: 'x', messages: [] }] });
    expect(bad.status).toBe(400);
    expect((await agent.post('/api/import').send({ chats: [] })).status).toBe(400);
    const { rowCount } = await ctx.t.db.query('SELECT 1 FROM chats WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(0);
  });

  it('takes imports larger than the 1 MB limit of other routes', async () => {
    const { agent } = await signUp(ctx.t.app);
    const now = new Date().toISOString();
    const big = 'x'.repeat(400_000);
    const body = {
      format: 'gpt-backend-export',
      version: 1,
      chats: [
        {
          title: 'Big',
          createdAt: now,
          updatedAt: now,
          messages: [1, 2, 3].map(() => ({ role: 'user', content: big, createdAt: now })),
        },
      ],
    };
    const res = await agent.post('/api/import').send(body);
    expect(res.status).toBe(201);
    expect(res.body.imported.messages).toBe(3);
  });
});

describe('sharing', () => {
  it('shares a read-only snapshot at an unguessable URL, without later messages, until revoked', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({ systemPrompt: 'private instructions', message: 'Share this' })).body.chat;
    const share = await agent.post(`/api/chats/${chat.id}/share`);
    expect(share.status).toBe(201);
    expect(share.body.token).toMatch(/^[\w-]{32}$/);
    expect(share.body.url).toBe(`/api/shared/${share.body.token}`);

    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'not for sharing' }).expect(201);

    const anonymous = await request(ctx.t.app).get(share.body.url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.title).toBe('Share this');
    expect(anonymous.body.messages.map((m: { content: string }) => m.content)).toEqual(['Share this', 'Echo: Share this']);
    expect(JSON.stringify(anonymous.body)).not.toContain('private instructions');
    expect(JSON.stringify(anonymous.body)).not.toContain('not for sharing');

    // The token opens nothing else: no session comes with it, and it is no chat id.
    expect(anonymous.headers['set-cookie']).toBeUndefined();
    expect((await request(ctx.t.app).get(`/api/chats/${chat.id}`)).status).toBe(401);
    expect((await request(ctx.t.app).post(`/api/shared/${share.body.token}`).send({})).status).toBe(404);
    expect((await request(ctx.t.app).delete(`/api/shared/${share.body.token}`)).status).toBe(404);

    expect((await agent.delete(`/api/chats/${chat.id}/share`)).status).toBe(204);
    expect((await request(ctx.t.app).get(share.body.url)).status).toBe(404);
    expect((await agent.delete(`/api/chats/${chat.id}/share`)).status).toBe(404);
  });

  it("sharing again replaces the link; nobody can share another user's chat", async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({ message: 'hi' })).body.chat;
    const first = (await agent.post(`/api/chats/${chat.id}/share`)).body;
    const second = (await agent.post(`/api/chats/${chat.id}/share`)).body;
    expect(second.token).not.toBe(first.token);
    expect((await request(ctx.t.app).get(first.url)).status).toBe(404);
    expect((await request(ctx.t.app).get(second.url)).status).toBe(200);
    const other = await signUp(ctx.t.app);
    expect((await other.agent.post(`/api/chats/${chat.id}/share`)).status).toBe(404);
    expect((await request(ctx.t.app).get('/api/shared/short')).status).toBe(400);
  });
});

describe('GET /api/usage', () => {
  it('reports tokens per day and model, and what is left of the daily budget', async () => {
    const { agent } = await signUp(ctx.t.app);
    await agent.post('/api/chats').send({ message: 'one' }).expect(201);
    await agent.post('/api/chats').send({ message: 'two' }).expect(201);
    const res = await agent.get('/api/usage');
    expect(res.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body.days).toEqual([{ day: today, model: 'test-model', promptTokens: 22, completionTokens: 14, replies: 2 }]);
    expect(res.body.totals).toEqual({ promptTokens: 22, completionTokens: 14 });
    expect(res.body.today).toMatchObject({ used: 36, limit: 1000, remaining: 964 });
    expect(res.body.to).toBe(today);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await agent.get(`/api/usage?from=${yesterday}&to=${yesterday}`)).body.days).toEqual([]);
    expect((await agent.get('/api/usage?from=2026-02-30')).status).toBe(400);
    expect((await agent.get(`/api/usage?from=${today}&to=${yesterday}`)).status).toBe(400);
    expect((await agent.get('/api/usage?from=2020-01-01&to=2026-01-01')).status).toBe(400);
  });
});
