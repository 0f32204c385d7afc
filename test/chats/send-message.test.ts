import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_API_KEY, useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

const ctx = useTestApp({ env: { MESSAGE_MAX_CHARS: '50' } });

async function newChat() {
  const { agent, user } = await signUp(ctx.t.app);
  const chat = (await agent.post('/api/chats').send({})).body.chat as { id: string };
  return { agent, user, chat };
}

async function storedMessages(chatId: string) {
  const { rows } = await ctx.t.db.query<{ role: string; content: string }>(
    'SELECT role, content FROM messages WHERE chat_id = $1 ORDER BY id',
    [chatId],
  );
  return rows.map((r) => `${r.role}:${r.content}`);
}

describe('POST /api/chats/:id/message', () => {
  it('stores the message, sends the whole history in order to OPENAI_MODEL and stores the reply', async () => {
    const { agent, chat } = await newChat();
    ctx.fake.enqueue({ kind: 'reply', content: 'Hello! 👋' }, { kind: 'reply', content: 'Paris.' });
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'Hi' }).expect(201);
    const res = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'Capital of France?' });

    expect(res.status).toBe(201);
    expect(res.body.userMessage).toMatchObject({ chatId: chat.id, role: 'user', content: 'Capital of France?' });
    expect(res.body.assistantMessage).toMatchObject({ chatId: chat.id, role: 'assistant', content: 'Paris.' });
    expect(BigInt(res.body.assistantMessage.id)).toBeGreaterThan(BigInt(res.body.userMessage.id));

    const sent = ctx.fake.completions().at(-1)!;
    expect(sent.body.model).toBe('test-model');
    expect(sent.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(sent.body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello! 👋' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    expect(await storedMessages(chat.id)).toEqual(['user:Hi', 'assistant:Hello! 👋', 'user:Capital of France?', 'assistant:Paris.']);
    // The model's usage is kept for accounting.
    const { rows } = await ctx.t.db.query('SELECT model, prompt_tokens, completion_tokens FROM messages WHERE id = $1', [
      res.body.assistantMessage.id,
    ]);
    expect(rows[0]).toEqual({ model: 'test-model', prompt_tokens: 11, completion_tokens: 7 });
  });

  it('stores content byte for byte (whitespace, SQL, HTML and emoji are just text)', async () => {
    const { agent, chat } = await newChat();
    const content = "  <b>x</b>'; DROP TABLE users;--\n👩‍💻 ";
    const res = await agent.post(`/api/chats/${chat.id}/message`).send({ content });
    expect(res.status).toBe(201);
    expect(res.body.userMessage.content).toBe(content);
    expect(await storedMessages(chat.id)).toContain(`user:${content}`);
  });

  it('titles an untitled chat from its first user message only', async () => {
    const { agent, chat } = await newChat();
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'First   question' }).expect(201);
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'Second question' }).expect(201);
    expect((await agent.get(`/api/chats/${chat.id}`)).body.chat.title).toBe('First question');
  });

  it.each([
    ['empty content', { content: '' }],
    ['whitespace-only content', { content: ' \n\t ' }],
    ['content over MESSAGE_MAX_CHARS', { content: 'x'.repeat(51) }],
    ['a missing content', {}],
    ['a clientMessageId that is not a UUID', { content: 'hi', clientMessageId: '123' }],
    ['an unknown field', { content: 'hi', role: 'assistant' }],
  ])('returns 400 for %s, stores nothing and calls no model', async (_name, body) => {
    const { agent, chat } = await newChat();
    const calls = ctx.fake.completions().length;
    const res = await agent.post(`/api/chats/${chat.id}/message`).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await storedMessages(chat.id)).toEqual([]);
    expect(ctx.fake.completions().length).toBe(calls);
  });

  it('counts the length limit in characters, so 50 emoji fit in a 50-character limit', async () => {
    const { agent, chat } = await newChat();
    const res = await agent.post(`/api/chats/${chat.id}/message`).send({ content: '😀'.repeat(50) });
    expect(res.status).toBe(201);
  });
});

describe("the chat's row", () => {
  it("is written once per send: the messages' trigger leaves a chat the send already made the latest alone", async () => {
    const { agent, chat } = await newChat();
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'first' }).expect(201);
    const other = (await agent.post('/api/chats').send({})).body.chat as { id: string };
    // Every rewrite of a chat's row, counted by a trigger of the test's own.
    await ctx.t.db.query(`
      CREATE TABLE test_chat_writes (chat_id uuid NOT NULL);
      CREATE FUNCTION test_count_chat_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_chat_writes VALUES (NEW.id); RETURN NULL; END $$;
      CREATE TRIGGER test_count_chat_write AFTER UPDATE ON chats FOR EACH ROW EXECUTE FUNCTION test_count_chat_write();`);
    try {
      await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'second' }).expect(201);
      const { rows } = await ctx.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM test_chat_writes WHERE chat_id = $1', [chat.id]);
      expect(rows[0]!.n).toBe(1);
      // …and it is still the most recently active chat.
      expect((await agent.get('/api/chats')).body.chats.map((c: { id: string }) => c.id)).toEqual([chat.id, other.id]);
    } finally {
      await ctx.t.db.query(`
        DROP TRIGGER test_count_chat_write ON chats;
        DROP FUNCTION test_count_chat_write();
        DROP TABLE test_chat_writes;`);
    }
  });
});

describe('when the model fails', () => {
  it.each([
    [500, 502, 'model_unavailable'],
    [429, 503, 'model_rate_limited'],
    [401, 502, 'model_auth_failed'],
    [403, 502, 'model_auth_failed'],
    [404, 502, 'model_not_found'],
    [400, 502, 'model_rejected_request'],
    [422, 502, 'model_rejected_request'],
    [503, 502, 'model_unavailable'],
  ])('upstream %i: answers %i %s, keeps the user message and leaks no secret', async (upstream, status, code) => {
    const { agent, chat } = await newChat();
    ctx.fake.enqueue({ kind: 'fail', status: upstream, message: `upstream says: key ${TEST_API_KEY} is bad` });
    const res = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'Are you there?' });

    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body.userMessage).toMatchObject({ chatId: chat.id, role: 'user', content: 'Are you there?' });
    expect(JSON.stringify(res.body)).not.toContain(TEST_API_KEY);
    expect(JSON.stringify(res.body)).not.toContain('upstream says');
    expect(await storedMessages(chat.id)).toEqual(['user:Are you there?']);
  });

  it('answers 502 with the new chat when creating a chat with a message fails', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    ctx.fake.enqueue({ kind: 'fail', status: 503 });
    const res = await agent.post('/api/chats').send({ message: 'Hello?' });
    expect(res.status).toBe(502);
    expect(res.body.chat).toMatchObject({ title: 'Hello?' });
    expect(res.body.userMessage).toMatchObject({ content: 'Hello?', chatId: res.body.chat.id });
    const { rows } = await ctx.t.db.query('SELECT id FROM chats WHERE user_id = $1', [user.id]);
    expect(rows).toEqual([{ id: res.body.chat.id }]);
  });
});

describe('idempotent sends (clientMessageId)', () => {
  it('returns the first result for a repeat, storing nothing twice and calling the model once', async () => {
    const { agent, chat } = await newChat();
    const body = { content: 'Only once, please', clientMessageId: randomUUID() };
    const calls = ctx.fake.completions().length;
    const first = await agent.post(`/api/chats/${chat.id}/message`).send(body);
    const repeat = await agent.post(`/api/chats/${chat.id}/message`).send(body);

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(ctx.fake.completions().length).toBe(calls + 1);
    expect(await storedMessages(chat.id)).toEqual(['user:Only once, please', 'assistant:Echo: Only once, please']);
  });

  it('shares one model call between two concurrent identical sends (a double click)', async () => {
    const { agent, chat } = await newChat();
    ctx.fake.enqueue({ kind: 'reply', content: 'slow answer', delayMs: 300 });
    const body = { content: 'double click', clientMessageId: randomUUID() };
    const calls = ctx.fake.completions().length;
    const [a, b] = await Promise.all([
      agent.post(`/api/chats/${chat.id}/message`).send(body),
      agent.post(`/api/chats/${chat.id}/message`).send(body),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body).toEqual(b.body);
    expect(ctx.fake.completions().length).toBe(calls + 1);
    expect(await storedMessages(chat.id)).toEqual(['user:double click', 'assistant:slow answer']);
  });

  it('answers a retry of a failed send without storing the message twice', async () => {
    const { agent, chat } = await newChat();
    const body = { content: 'try again', clientMessageId: randomUUID() };
    ctx.fake.enqueue({ kind: 'fail', status: 500 });
    const failed = await agent.post(`/api/chats/${chat.id}/message`).send(body);
    expect(failed.status).toBe(502);

    const retried = await agent.post(`/api/chats/${chat.id}/message`).send(body);
    expect(retried.status).toBe(201);
    expect(retried.body.userMessage).toEqual(failed.body.userMessage);
    expect(await storedMessages(chat.id)).toEqual(['user:try again', 'assistant:Echo: try again']);
  });

  it('retries a create-with-message into the same chat', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const body = { message: 'new chat once', clientMessageId: randomUUID() };
    const first = await agent.post('/api/chats').send(body);
    const repeat = await agent.post('/api/chats').send(body);
    expect(first.status).toBe(201);
    expect(repeat.body.chat.id).toBe(first.body.chat.id);
    expect(repeat.body.messages).toEqual(first.body.messages);
    const { rows } = await ctx.t.db.query('SELECT count(*)::int AS n FROM chats WHERE user_id = $1', [user.id]);
    expect(rows[0]!.n).toBe(1);
  });

  it('refuses to reuse a clientMessageId for different content (409)', async () => {
    const { agent, chat } = await newChat();
    const clientMessageId = randomUUID();
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'one', clientMessageId }).expect(201);
    const res = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'two', clientMessageId });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('client_message_id_reused');
  });
});

describe('one reply at a time per chat', () => {
  it('answers 409 generation_in_progress to a second send while the first is generating, and stores nothing for it', async () => {
    const { agent, chat } = await newChat();
    ctx.fake.enqueue({ kind: 'reply', content: 'done', delayMs: 400 });
    const first = agent
      .post(`/api/chats/${chat.id}/message`)
      .send({ content: 'first' })
      .then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'second' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('generation_in_progress');
    expect((await first).status).toBe(201);
    expect(await storedMessages(chat.id)).toEqual(['user:first', 'assistant:done']);
  });

  it('runs sends to different chats in parallel', async () => {
    const { agent } = await signUp(ctx.t.app);
    const a = (await agent.post('/api/chats').send({})).body.chat;
    const b = (await agent.post('/api/chats').send({})).body.chat;
    ctx.fake.enqueue({ kind: 'reply', content: 'A', delayMs: 300 }, { kind: 'reply', content: 'B', delayMs: 300 });
    const [ra, rb] = await Promise.all([
      agent.post(`/api/chats/${a.id}/message`).send({ content: 'to a' }),
      agent.post(`/api/chats/${b.id}/message`).send({ content: 'to b' }),
    ]);
    expect([ra.status, rb.status]).toEqual([201, 201]);
  });
});
