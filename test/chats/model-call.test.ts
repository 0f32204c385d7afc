import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { listen, openSse } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { sessionCookie, signUp } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

let fake: FakeOpenAI;
let t: TestApp;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({
    fake,
    env: {
      OPENAI_MODELS: 'test-model,small-model,title-model',
      // small-model has a tiny window: 60 tokens, 10 of them kept for the reply.
      MODEL_CONTEXT_TOKENS: 'small-model=60',
      REPLY_RESERVE_TOKENS: '10',
      TITLE_MODEL: 'title-model',
    },
  });
  // Title calls run beside the replies; answer them apart so they never take a queued reply.
  fake.respondTo('title-model', () => ({ kind: 'reply', content: 'A Title' }));
});

const replyCalls = () => fake.completions().filter((r) => r.body.model !== 'title-model');
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const roles = (messages: { role: string; content: string }[]) => messages.map((m) => `${m.role}:${m.content}`);

describe('GET /api/models', () => {
  it('lists the allowed models and the default', async () => {
    const { agent } = await signUp(t.app);
    const res = await agent.get('/api/models');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      models: [{ id: 'test-model' }, { id: 'small-model' }, { id: 'title-model' }],
      default: 'test-model',
    });
  });
});

describe('per-chat model and system prompt', () => {
  it('sends the chat’s system prompt first and uses the chat’s model', async () => {
    const { agent } = await signUp(t.app);
    const res = await agent.post('/api/chats').send({ systemPrompt: 'You are terse.', model: 'small-model', message: 'Hi' });
    expect(res.status).toBe(201);
    expect(res.body.chat).toMatchObject({ systemPrompt: 'You are terse.', model: 'small-model' });
    const sent = fake.completions().find((r) => r.body.model === 'small-model' && r.body.messages?.at(-1)?.content === 'Hi')!;
    expect(roles(sent.body.messages!)).toEqual(['system:You are terse.', 'user:Hi']);
    expect(res.body.messages[1]).toMatchObject({ model: 'small-model', promptTokens: 11, completionTokens: 7 });
  });

  it('refuses a model outside OPENAI_MODELS with 400', async () => {
    const { agent } = await signUp(t.app);
    const res = await agent.post('/api/chats').send({ model: 'gpt-9-ultra' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'model' });
  });

  it('PATCH changes the title, system prompt and model, and null restores the defaults', async () => {
    const { agent } = await signUp(t.app);
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    const patched = await agent.patch(`/api/chats/${chat.id}`).send({ title: 'Renamed', systemPrompt: 'Be kind.', model: 'small-model' });
    expect(patched.status).toBe(200);
    expect(patched.body.chat).toMatchObject({ title: 'Renamed', systemPrompt: 'Be kind.', model: 'small-model' });

    const partial = await agent.patch(`/api/chats/${chat.id}`).send({ model: null });
    expect(partial.body.chat).toMatchObject({ title: 'Renamed', systemPrompt: 'Be kind.', model: null });

    expect((await agent.patch(`/api/chats/${chat.id}`).send({ model: 'nope' })).status).toBe(400);
    expect((await agent.patch(`/api/chats/${chat.id}`).send({})).status).toBe(400);
    const other = await signUp(t.app);
    expect((await other.agent.patch(`/api/chats/${chat.id}`).send({ title: 'mine' })).status).toBe(404);
  });
});

describe('the context window', () => {
  it('sends only the newest messages that fit, always keeping the system prompt', async () => {
    const { agent } = await signUp(t.app);
    const chat = (await agent.post('/api/chats').send({ model: 'small-model', systemPrompt: 'Short.' })).body.chat;
    const sentence = (n: number) => `Message number ${n} talks about rivers and mountains.`;
    for (let i = 1; i <= 4; i++) {
      fake.enqueue({ kind: 'reply', content: `ok ${i}` });
      await agent
        .post(`/api/chats/${chat.id}/message`)
        .send({ content: sentence(i) })
        .expect(201);
    }
    const sent = replyCalls().at(-1)!.body.messages!;
    expect(sent[0]).toEqual({ role: 'system', content: 'Short.' });
    expect(sent.at(-1)).toEqual({ role: 'user', content: sentence(4) });
    expect(sent.length).toBeLessThan(1 + 7); // older turns were dropped, not the whole chat sent
    expect(sent[1]!.role).toBe('user'); // the window starts on a user turn
    // Nothing was lost: the chat still holds every message.
    expect((await agent.get(`/api/chats/${chat.id}`)).body.messages).toHaveLength(8);
  });

  it('answers 400 context_too_long for a message that cannot fit even alone, keeping it stored', async () => {
    const { agent } = await signUp(t.app);
    const chat = (await agent.post('/api/chats').send({ model: 'small-model' })).body.chat;
    const calls = replyCalls().length;
    const huge = 'antidisestablishmentarianism '.repeat(30);
    const res = await agent.post(`/api/chats/${chat.id}/message`).send({ content: huge });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('context_too_long');
    expect(res.body.userMessage.content).toBe(huge);
    expect(replyCalls().length).toBe(calls);
  });
});

describe('upstream errors', () => {
  it('passes an upstream 429 on as 503 model_rate_limited with its Retry-After', async () => {
    const { agent } = await signUp(t.app);
    fake.enqueue({ kind: 'fail', status: 429, headers: { 'Retry-After': '7' } });
    const res = await agent.post('/api/chats').send({ message: 'busy?' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body.error.code).toBe('model_rate_limited');
  });

  it('maps an upstream context-length error to 400 context_too_long', async () => {
    const { agent } = await signUp(t.app);
    fake.enqueue({ kind: 'fail', status: 400, code: 'context_length_exceeded', message: "This model's maximum context length is 10" });
    const res = await agent.post('/api/chats').send({ message: 'long' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('context_too_long');
  });
});

describe('POST /api/chats/:id/regenerate', () => {
  it('replaces the last reply with a new one, sending the history without the old reply', async () => {
    const { agent } = await signUp(t.app);
    fake.enqueue({ kind: 'reply', content: 'first try' });
    const chat = (await agent.post('/api/chats').send({ message: 'Tell me a joke' })).body.chat;
    fake.enqueue({ kind: 'reply', content: 'second try' });
    const res = await agent.post(`/api/chats/${chat.id}/regenerate`);
    expect(res.status).toBe(201);
    expect(res.body.assistantMessage).toMatchObject({ content: 'second try', status: 'complete' });
    expect(roles(replyCalls().at(-1)!.body.messages!)).toEqual(['user:Tell me a joke']);
    const messages = (await agent.get(`/api/chats/${chat.id}`)).body.messages;
    expect(roles(messages)).toEqual(['user:Tell me a joke', 'assistant:second try']);
  });

  it('answers a last user message that has no reply (after an error), streaming', async () => {
    const { agent } = await signUp(t.app);
    const cookie = sessionCookie(await agent.get('/api/auth/me'))!;
    fake.enqueue({ kind: 'fail', status: 500 });
    const failed = await agent.post('/api/chats').send({ message: 'retry me' });
    expect(failed.status).toBe(502);
    const server = await listen(t.app);
    try {
      fake.enqueue({ kind: 'reply', content: 'there you go', chunks: ['there ', 'you ', 'go'] });
      const sse = await openSse(`${server.url}/api/chats/${failed.body.chat.id}/regenerate`, { cookie });
      await sse.ended;
      expect(sse.text()).toBe('there you go');
      expect(sse.events.at(-1)!.event).toBe('done');
    } finally {
      await server.close();
    }
  });

  it('answers 409 nothing_to_regenerate in an empty chat', async () => {
    const { agent } = await signUp(t.app);
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    const res = await agent.post(`/api/chats/${chat.id}/regenerate`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('nothing_to_regenerate');
  });
});

describe('TITLE_MODEL', () => {
  it('replaces the immediate title with a short one from the model, announced on the stream', async () => {
    fake.respondTo('title-model', () => ({ kind: 'reply', content: '"Lisbon Weekend Plans"', delayMs: 50 }));
    const { agent } = await signUp(t.app);
    const cookie = sessionCookie(await agent.get('/api/auth/me'))!;
    const server = await listen(t.app);
    try {
      fake.enqueue({
        kind: 'reply',
        content: 'Sure, here is a plan.',
        chunks: ['Sure, ', 'here ', 'is ', 'a ', 'plan.'],
        chunkDelayMs: 100,
      });
      const sse = await openSse(`${server.url}/api/chats`, { cookie, body: { message: 'Help me plan a weekend in Lisbon please' } });
      await sse.ended;
      expect(sse.events[0]!.data.chat.title).toBe('Help me plan a weekend in Lisbon please');
      expect(sse.events.find((e) => e.event === 'title')?.data).toEqual({ title: 'Lisbon Weekend Plans' });
      const chatId = sse.events[0]!.data.chat.id;
      expect((await agent.get(`/api/chats/${chatId}`)).body.chat.title).toBe('Lisbon Weekend Plans');
    } finally {
      await server.close();
    }
  });

  it('never lets a failing title call affect the reply', async () => {
    fake.respondTo('title-model', () => ({ kind: 'fail', status: 500 }));
    const { agent } = await signUp(t.app);
    const res = await agent.post('/api/chats').send({ message: 'Untitled thoughts' });
    expect(res.status).toBe(201);
    expect(res.body.messages[1].status).toBe('complete');
    await eventually(() =>
      fake.completions().some((r) => r.body.model === 'title-model' && r.body.messages?.at(-1)?.content === 'Untitled thoughts'),
    );
    expect((await agent.get(`/api/chats/${res.body.chat.id}`)).body.chat.title).toBe('Untitled thoughts');
  });
});
