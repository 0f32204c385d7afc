import { beforeAll, describe, expect, it } from 'vitest';
import { createRepliesRepo } from '../../src/chats/replies.repo.js';
import { useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * DAILY_TOKEN_LIMIT holds whatever the model server does (issue 26): usage it does not report is
 * counted with the tokenizer, a stopped, cut or failed reply and a title call are charged, concurrent
 * sends reserve before they call, and ending a reply charges it once.
 */
const ctx = useTestApp({
  env: {
    RATE_LIMITS: 'on',
    MESSAGES_PER_MINUTE: '1000',
    CHATS_PER_HOUR: '1000',
    DAILY_TOKEN_LIMIT: '100000',
    OPENAI_MODELS: 'test-model,title-model',
    TITLE_MODEL: 'title-model',
  },
});
beforeAll(() => ctx.fake.respondTo('title-model', () => ({ kind: 'reply', content: 'Short title', usage: false })));

type Agent = Awaited<ReturnType<typeof signUp>>['agent'];
interface UsageDay {
  model: string;
  promptTokens: number;
  completionTokens: number;
  replies: number;
}
const usage = async (agent: Agent) => (await agent.get('/api/usage')).body as { days: UsageDay[]; today: { used: number } };
const byModel = async (agent: Agent, model: string) => (await usage(agent)).days.find((d) => d.model === model);
const newChat = async (agent: Agent) => ((await agent.post('/api/chats').send({})).body.chat as { id: string }).id;

describe('usage the server does not report', () => {
  it('is counted with the tokenizer: the prompt as sent, the completion as received', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await newChat(agent);
    ctx.fake.enqueue({ kind: 'reply', content: 'one two three four five six seven eight', usage: false });
    expect((await agent.post(`/api/chats/${chatId}/message`).send({ content: 'count me please' })).status).toBe(201);
    const day = await eventually(() => byModel(agent, 'test-model'));
    // "one two three … eight" is 8 tokens; the prompt is its text plus a few tokens of message framing.
    expect(day).toMatchObject({ completionTokens: 8, replies: 1 });
    expect(day.promptTokens).toBeGreaterThanOrEqual(3);
    expect(day.promptTokens).toBeLessThan(20);
  });

  it('charges a reply stopped half-way for its prompt and the text generated', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await newChat(agent);
    ctx.fake.enqueue({ kind: 'reply', content: '', chunks: Array.from({ length: 40 }, () => 'word '), chunkDelayMs: 50 });
    const sending = agent
      .post(`/api/chats/${chatId}/message`)
      .send({ content: 'talk for a while' })
      .then((r) => r);
    await eventually(async () => {
      const { rows } = await ctx.t.db.query<{ content: string }>(`SELECT content FROM messages WHERE chat_id = $1 AND role = 'assistant'`, [
        chatId,
      ]);
      return (rows[0]?.content.length ?? 0) > 10;
    });
    expect((await agent.post(`/api/chats/${chatId}/stop`)).status).toBe(200);
    expect((await sending).body.assistantMessage.status).toBe('stopped');
    const day = await eventually(() => byModel(agent, 'test-model'));
    expect(day.promptTokens).toBeGreaterThan(0);
    expect(day.completionTokens).toBeGreaterThan(0);
    expect(day.completionTokens).toBeLessThan(40);
  });

  it('charges a cut stream for what it generated', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await newChat(agent);
    ctx.fake.enqueue({ kind: 'cut', chunks: ['half ', 'of a ', 'reply'] });
    expect((await agent.post(`/api/chats/${chatId}/message`).send({ content: 'go' })).status).toBe(502);
    const day = await eventually(() => byModel(agent, 'test-model'));
    expect(day.promptTokens).toBeGreaterThan(0);
    expect(day.completionTokens).toBe(4); // "half of a reply"
  });

  it('charges title calls under their own model', async () => {
    const { agent } = await signUp(ctx.t.app);
    ctx.fake.enqueue({ kind: 'reply', content: 'answer' });
    expect((await agent.post('/api/chats').send({ message: 'a first message that gets a title' })).status).toBe(201);
    const title = await eventually(() => byModel(agent, 'title-model'));
    expect(title.promptTokens).toBeGreaterThan(10);
    expect(title.completionTokens).toBe(2); // "Short title"
    expect(title.replies).toBe(0);
    const today = (await usage(agent)).today.used;
    expect(today).toBeGreaterThanOrEqual(title.promptTokens + title.completionTokens + 18);
  });
});

describe('a model call started early and thrown away', () => {
  it('is charged its prompt', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await newChat(agent);
    expect((await agent.post(`/api/chats/${chatId}/message`).send({ content: 'first' })).status).toBe(201);
    // Changed behind the instance's back: the next send starts early from what it holds, then finds the
    // stored conversation differs, throws that call away and makes the right one.
    await ctx.t.db.query(`UPDATE chats SET system_prompt = 'Answer in French.' WHERE id = $1`, [chatId]);
    const before = ctx.fake.completions().length;
    expect((await agent.post(`/api/chats/${chatId}/message`).send({ content: 'second' })).status).toBe(201);
    expect(ctx.fake.completions().length - before).toBe(2);
    const day = await byModel(agent, 'test-model');
    // Two answered calls as the fake reports them (11 prompt tokens each) and the early one, counted.
    expect(day).toMatchObject({ replies: 2 });
    await eventually(async () => ((await byModel(agent, 'test-model'))?.promptTokens ?? 0) > 22, 3000, 'the early call to be charged');
  });
});

describe('the daily budget under concurrency', () => {
  it('lets 20 concurrent sends against a nearly spent budget overshoot it by one reply at most', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const chats = await Promise.all(Array.from({ length: 20 }, () => newChat(agent)));
    await ctx.t.db.query(
      `INSERT INTO usage_daily (user_id, day, model, prompt_tokens, completion_tokens, replies)
       VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 'earlier', 99990, 0, 1)`,
      [user.id],
    );
    ctx.fake.setDefault(() => ({ kind: 'reply', content: 'fine', delayMs: 100 }));
    try {
      const sent = await Promise.all(chats.map((id, i) => agent.post(`/api/chats/${id}/message`).send({ content: `send ${i}` })));
      const ok = sent.filter((r) => r.status === 201);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      for (const refused of sent.filter((r) => r.status !== 201)) {
        expect(refused.status).toBe(429);
        expect(refused.body.error.code).toBe('quota_exceeded');
      }
      // 18 tokens per reply (the fake's usage): 99,990 + one reply (and its chat's title call), not + twenty.
      const title = await eventually(() => byModel(agent, 'title-model'));
      expect((await usage(agent)).today.used - title.promptTokens - title.completionTokens).toBeLessThanOrEqual(100_000 + 18);
      expect(ok).toHaveLength(1);
      // Refused before anything was stored or sent: one user message in all, one model call.
      const { rows } = await ctx.t.db.query(
        `SELECT 1 FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.user_id = $1 AND m.role = 'user'`,
        [user.id],
      );
      expect(rows).toHaveLength(1);
      // The admitted send's hold ended with its reply.
      const holds = await ctx.t.db.query(`SELECT 1 FROM token_reservations WHERE user_id = $1`, [user.id]);
      expect(holds.rows).toHaveLength(0);
    } finally {
      ctx.fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}` }));
    }
  });
});

describe('ending a reply', () => {
  it('charges it once, however often the statement runs, and never changes a reply that already ended', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const chatId = await newChat(agent);
    const { rows } = await ctx.t.db.query<{ id: string }>(
      `WITH asked AS (INSERT INTO messages (chat_id, role, content) VALUES ($1, 'user', 'q') RETURNING id)
       INSERT INTO messages (chat_id, role, content, reply_to, status, heartbeat_at)
       SELECT $1, 'assistant', '', id, 'streaming', now() FROM asked RETURNING id`,
      [chatId],
    );
    const replies = createRepliesRepo(ctx.t.db);
    const usageOf = { promptTokens: 5, completionTokens: 3 };
    const charge = { userId: user.id, model: 'test-model', usage: usageOf };
    const ending = { content: 'final', status: 'complete' as const, model: 'test-model', usage: usageOf };
    expect(await replies.end(rows[0]!.id, ending, charge)).toMatchObject({ content: 'final', status: 'complete' });
    // A retry (the first commit's answer lost), then a late end from elsewhere.
    await replies.end(rows[0]!.id, ending, charge);
    await replies.end(rows[0]!.id, { ...ending, content: 'overwritten', status: 'error' }, charge);
    expect(await byModel(agent, 'test-model')).toMatchObject({ promptTokens: 5, completionTokens: 3, replies: 1 });
    const stored = await ctx.t.db.query(`SELECT content, status FROM messages WHERE id = $1`, [rows[0]!.id]);
    expect(stored.rows[0]).toEqual({ content: 'final', status: 'complete' });

    // A reply stopped before its first word (kept, empty), its statement run twice; and one whose chat was
    // deleted under it, ended twice: each charged once.
    const second = await ctx.t.db.query<{ id: string }>(
      `INSERT INTO messages (chat_id, role, content, reply_to, status, heartbeat_at) VALUES ($1, 'assistant', '', $2, 'streaming', now()) RETURNING id`,
      [chatId, rows[0]!.id],
    );
    const empty = { ...ending, content: '', status: 'stopped' as const };
    expect(await replies.end(second.rows[0]!.id, empty, charge)).toMatchObject({ content: '', status: 'stopped' });
    await replies.end(second.rows[0]!.id, empty, charge);
    expect(await byModel(agent, 'test-model')).toMatchObject({ promptTokens: 10, completionTokens: 6, replies: 2 });
    const third = await ctx.t.db.query<{ id: string }>(
      `INSERT INTO messages (chat_id, role, content, reply_to, status, heartbeat_at) VALUES ($1, 'assistant', '', $2, 'streaming', now()) RETURNING id`,
      [chatId, rows[0]!.id],
    );
    await ctx.t.db.query('DELETE FROM chats WHERE id = $1', [chatId]);
    await replies.end(third.rows[0]!.id, ending, charge);
    await replies.end(third.rows[0]!.id, ending, charge);
    expect(await byModel(agent, 'test-model')).toMatchObject({ promptTokens: 15, completionTokens: 9, replies: 3 });
  });
});
