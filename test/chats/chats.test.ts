import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

const ctx = useTestApp();

describe('chat routes without a session', () => {
  const id = randomUUID();
  it.each([
    ['get', '/api/chats'],
    ['post', '/api/chats'],
    ['get', `/api/chats/${id}`],
    ['post', `/api/chats/${id}/message`],
    ['get', '/api/chats/not-a-uuid'],
  ] as const)('%s %s returns 401', async (method, path) => {
    const res = await request(ctx.t.app)[method](path).send({ content: 'hi' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });
});

describe('POST /api/chats', () => {
  it('creates an untitled chat without a message', async () => {
    const { agent } = await signUp(ctx.t.app);
    const res = await agent.post('/api/chats').send({});
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      chat: {
        id: expect.any(String),
        title: null,
        systemPrompt: null,
        model: null,
        pinned: false,
        archived: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
  });

  it('keeps an explicit title (trimmed)', async () => {
    const { agent } = await signUp(ctx.t.app);
    const res = await agent.post('/api/chats').send({ title: '  Trip planning  ' });
    expect(res.status).toBe(201);
    expect(res.body.chat.title).toBe('Trip planning');
  });

  it('with a message: titles the chat from it, sends it and returns both messages', async () => {
    const { agent } = await signUp(ctx.t.app);
    const content = '  What is   the\n\tcapital of France?  ';
    const res = await agent.post('/api/chats').send({ message: content });

    expect(res.status).toBe(201);
    expect(res.body.chat.title).toBe('What is the capital of France?');
    expect(res.body.messages).toHaveLength(2);
    expect(res.body.messages[0]).toMatchObject({ role: 'user', content, chatId: res.body.chat.id });
    expect(res.body.messages[1]).toMatchObject({ role: 'assistant', content: `Echo: ${content}` });
    expect(ctx.fake.completions().at(-1)?.body.messages).toEqual([{ role: 'user', content }]);

    const stored = await agent.get(`/api/chats/${res.body.chat.id}`);
    expect(stored.body.messages).toEqual(res.body.messages);
  });

  it('cuts a long first message at a word boundary to at most 80 characters for the title', async () => {
    const { agent } = await signUp(ctx.t.app);
    const words = 'Please help me plan a two week itinerary through Portugal and Spain with trains only and no flights';
    const res = await agent.post('/api/chats').send({ message: words });
    expect(res.body.chat.title).toBe('Please help me plan a two week itinerary through Portugal and Spain with trains');
    expect(res.body.chat.title.length).toBeLessThanOrEqual(80);

    const oneWord = '🙂'.repeat(100);
    const res2 = await agent.post('/api/chats').send({ message: oneWord });
    expect([...res2.body.chat.title]).toHaveLength(80);
  });

  it.each([
    ['a blank message', { message: '   \n ' }],
    ['a title over 200 characters', { title: 'x'.repeat(201) }],
    ['an unknown field', { message: 'hi', color: 'blue' }],
    ['a non-string message', { message: 42 }],
  ])('returns 400 for %s and creates nothing', async (_name, body) => {
    const { agent, user } = await signUp(ctx.t.app);
    const res = await agent.post('/api/chats').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const { rows } = await ctx.t.db.query('SELECT count(*)::int AS n FROM chats WHERE user_id = $1', [user.id]);
    expect(rows[0]!.n).toBe(0);
  });
});

describe('GET /api/chats', () => {
  it('lists only my chats, most recently active first', async () => {
    const alice = await signUp(ctx.t.app);
    const bob = await signUp(ctx.t.app);
    const first = (await alice.agent.post('/api/chats').send({ title: 'first' })).body.chat;
    const second = (await alice.agent.post('/api/chats').send({ title: 'second' })).body.chat;
    await bob.agent.post('/api/chats').send({ title: 'bob only' });

    let list = (await alice.agent.get('/api/chats')).body.chats;
    expect(list.map((c: { title: string }) => c.title)).toEqual(['second', 'first']);

    // A message makes the older chat the most recently active one, and bumps its updatedAt.
    await alice.agent.post(`/api/chats/${first.id}/message`).send({ content: 'bump' }).expect(201);
    list = (await alice.agent.get('/api/chats')).body.chats;
    expect(list.map((c: { id: string }) => c.id)).toEqual([first.id, second.id]);
    expect(new Date(list[0].updatedAt).getTime()).toBeGreaterThan(new Date(first.updatedAt).getTime());

    const bobs = (await bob.agent.get('/api/chats')).body.chats;
    expect(bobs.map((c: { title: string }) => c.title)).toEqual(['bob only']);
  });

  it('returns an empty list for a new user', async () => {
    const { agent } = await signUp(ctx.t.app);
    const res = await agent.get('/api/chats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ chats: [], nextCursor: null });
  });
});

describe('GET /api/chats/:id', () => {
  it('returns the chat and its messages in conversation order', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    for (const content of ['one', 'two', 'three']) {
      await agent.post(`/api/chats/${chat.id}/message`).send({ content }).expect(201);
    }
    const res = await agent.get(`/api/chats/${chat.id}`);
    expect(res.status).toBe(200);
    expect(res.body.chat).toMatchObject({ id: chat.id, title: 'one' });
    expect(res.body.messages.map((m: { role: string; content: string }) => `${m.role}:${m.content}`)).toEqual([
      'user:one',
      'assistant:Echo: one',
      'user:two',
      'assistant:Echo: two',
      'user:three',
      'assistant:Echo: three',
    ]);
    for (const m of res.body.messages) {
      expect(Object.keys(m).sort()).toEqual([
        'attachments',
        'chatId',
        'completionTokens',
        'content',
        'createdAt',
        'errorCode',
        'feedback',
        'id',
        'model',
        'parentId',
        'promptTokens',
        'role',
        'siblingIds',
        'status',
      ]);
      expect(m.status).toBe('complete');
      expect(m.errorCode).toBeNull();
      expect(m.attachments).toEqual([]);
      expect(m.siblingIds).toEqual([m.id]);
    }
    // One path: each message under the one before it.
    expect(res.body.messages.map((m: { parentId: string | null }) => m.parentId)).toEqual([
      null,
      ...res.body.messages.slice(0, -1).map((m: { id: string }) => m.id),
    ]);
  });

  it("answers 404 for another user's chat, exactly as for a missing one", async () => {
    const alice = await signUp(ctx.t.app);
    const bob = await signUp(ctx.t.app);
    const chat = (await alice.agent.post('/api/chats').send({ message: 'private' })).body.chat;

    const stolen = await bob.agent.get(`/api/chats/${chat.id}`);
    const missing = await bob.agent.get(`/api/chats/${randomUUID()}`);
    expect(stolen.status).toBe(404);
    expect(stolen.body).toEqual(missing.body);
    expect(stolen.body.error.code).toBe('chat_not_found');

    const send = await bob.agent.post(`/api/chats/${chat.id}/message`).send({ content: 'sneaky' });
    expect(send.status).toBe(404);
    const { rows } = await ctx.t.db.query("SELECT count(*)::int AS n FROM messages WHERE content = 'sneaky'");
    expect(rows[0]!.n).toBe(0);
  });

  it('answers 400 for a malformed id', async () => {
    const { agent } = await signUp(ctx.t.app);
    const res = await agent.get('/api/chats/123');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ location: 'params' })] });
  });
});
