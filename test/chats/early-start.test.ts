import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBus, type BusMessage } from '../../src/bus/bus.js';
import type { Chat } from '../../src/chats/chats.repo.js';
import type { Message } from '../../src/chats/messages.repo.js';
import { createEarlyStart } from '../../src/chats/early-start.js';
import type { ChatConfig } from '../../src/config.js';
import type { ChatModel, ChatTurn } from '../../src/llm/chat-model.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { listen, openSse } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, sessionCookie, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * A send in a chat this instance knows starts its model call while the turn is stored
 * (src/chats/early-start.ts). What the model was asked is checked against what was stored; the early
 * call is used only when they match, and no text of it is ever shown otherwise.
 */
let fake: FakeOpenAI;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  a = await startTestApp({ fake });
  b = await startTestApp({ instanceOf: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await fake?.close();
});

async function user() {
  const registered = await request(a.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD }).expect(201);
  const cookie = sessionCookie(registered)!;
  const on = (t: TestApp) => ({
    post: (path: string, body: object) => request(t.app).post(path).set('Cookie', cookie).send(body),
    get: (path: string) => request(t.app).get(path).set('Cookie', cookie),
  });
  return { cookie, a: on(a), b: on(b) };
}

const contents = (messages: { content: string }[]) => messages.map((m) => m.content);

describe('the early start of a send', () => {
  it('asks the model the stored conversation, once, for every send of a known chat', async () => {
    const u = await user();
    const chat = (await u.a.post('/api/chats', {}).expect(201)).body.chat.id as string;
    const before = fake.completions().length;
    for (const content of ['one', 'two', 'three']) {
      const res = await u.a.post(`/api/chats/${chat}/message`, { content }).expect(201);
      expect(res.body.assistantMessage).toMatchObject({ content: `Echo: ${content}`, status: 'complete' });
    }
    const calls = fake.completions().slice(before);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.body.messages)).toEqual([
      [{ role: 'user', content: 'one' }],
      [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'Echo: one' },
        { role: 'user', content: 'two' },
      ],
      [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'Echo: one' },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'Echo: two' },
        { role: 'user', content: 'three' },
      ],
    ]);
  });

  it('drops an early call that asked a stale conversation: its text is never shown or stored, the right call answers', async () => {
    const u = await user();
    const chat = (await u.a.post('/api/chats', {}).expect(201)).body.chat.id as string;
    await u.a.post(`/api/chats/${chat}/message`, { content: 'first' }).expect(201);
    // Changed behind the instance's back (as a migration or an operator might): its cache is stale.
    await a.db.query(`UPDATE chats SET system_prompt = 'Answer in French.' WHERE id = $1`, [chat]);
    const before = fake.completions().length;
    fake.enqueue({ kind: 'reply', content: 'STALE answer' }, { kind: 'reply', content: 'Bonne réponse' });
    const res = await u.a.post(`/api/chats/${chat}/message`, { content: 'second' }).expect(201);
    expect(res.body.assistantMessage.content).toBe('Bonne réponse');
    const [early, right] = fake.completions().slice(before);
    expect(early!.body.messages![0]).toEqual({ role: 'user', content: 'first' });
    expect(right!.body.messages![0]).toEqual({ role: 'system', content: 'Answer in French.' });
    const stored = (await u.a.get(`/api/chats/${chat}`).expect(200)).body.messages;
    expect(contents(stored)).toEqual(['first', 'Echo: first', 'second', 'Bonne réponse']);
  });

  it('reads the conversation again when its newest message is not the one this instance stored', async () => {
    const u = await user();
    const chat = (await u.a.post('/api/chats', {}).expect(201)).body.chat.id as string;
    const first = await u.a.post(`/api/chats/${chat}/message`, { content: 'first' }).expect(201);
    // Behind the instance's back: the reply's text changes (same id, another size), then a message is added.
    await a.db.query(`UPDATE messages SET content = 'Changed ✓' WHERE id = $1`, [first.body.assistantMessage.id]);
    fake.enqueue({ kind: 'reply', content: 'stale' }, { kind: 'reply', content: 'right' });
    let before = fake.completions().length;
    expect((await u.a.post(`/api/chats/${chat}/message`, { content: 'second' }).expect(201)).body.assistantMessage.content).toBe('right');
    expect(fake.completions().slice(before).at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'Changed ✓' },
      { role: 'user', content: 'second' },
    ]);
    await a.db.query(
      `WITH added AS (
         INSERT INTO messages (chat_id, role, content, parent_id)
         SELECT $1, 'user', 'added', active_leaf_id FROM chats WHERE id = $1 RETURNING id
       ) UPDATE chats SET active_leaf_id = (SELECT id FROM added) WHERE id = $1`,
      [chat],
    );
    fake.enqueue({ kind: 'reply', content: 'stale' }, { kind: 'reply', content: 'right again' });
    before = fake.completions().length;
    expect((await u.a.post(`/api/chats/${chat}/message`, { content: 'third' }).expect(201)).body.assistantMessage.content).toBe(
      'right again',
    );
    const asked = fake.completions().slice(before).at(-1)!.body.messages!;
    expect(contents(asked)).toEqual(['first', 'Changed ✓', 'second', 'right', 'added', 'third']);
    // …and it is trusted again from there: the next send asks once, the conversation as stored.
    before = fake.completions().length;
    await u.a.post(`/api/chats/${chat}/message`, { content: 'fourth' }).expect(201);
    const calls = fake.completions().slice(before);
    expect(calls).toHaveLength(1);
    expect(contents(calls[0]!.body.messages!)).toEqual([...contents(asked), 'right again', 'fourth']);
  });

  /** A chat A served, once B has heard of its last turn (so B does not hold it). */
  async function servedOnA(u: Awaited<ReturnType<typeof user>>, body: object) {
    const chat = (await u.a.post('/api/chats', {}).expect(201)).body.chat.id as string;
    const heard: BusMessage[] = [];
    const unsubscribe = b.bus.subscribe((m) => heard.push(m));
    try {
      await u.a.post(`/api/chats/${chat}/message`, body).expect(201);
      await eventually(() => heard.some((m) => m.t === 'chat-changed' && m.id === chat), 5000, 'B to hear of A’s turn');
    } finally {
      unsubscribe();
    }
    return chat;
  }

  it('starts early in a chat the instance has only opened, when the page it read held the whole conversation', async () => {
    const u = await user();
    const sendOnB = async (chat: string, opened: boolean) => {
      if (opened) await u.b.get(`/api/chats/${chat}`).expect(200);
      // Changed behind both instances' backs: a call started early asks without the system prompt.
      await a.db.query(`UPDATE chats SET system_prompt = 'Answer in French.' WHERE id = $1`, [chat]);
      const before = fake.completions().length;
      const res = await u.b.post(`/api/chats/${chat}/message`, { content: 'second' }).expect(201);
      expect(res.body.assistantMessage.content).toBe('Echo: second');
      return fake
        .completions()
        .slice(before)
        .map((call) => call.body.messages![0]);
    };
    const system = { role: 'system', content: 'Answer in French.' };
    // Not opened on B: B reads the conversation as it stores the send, then asks once.
    expect(await sendOnB(await servedOnA(u, { content: 'first' }), false)).toEqual([system]);
    // Opened on B: the send started early from what the page showed (then dropped: the prompt changed).
    expect(await sendOnB(await servedOnA(u, { content: 'first' }), true)).toEqual([{ role: 'user', content: 'first' }, system]);
  });

  it('does not start early a repeat of the last send of a chat it has only opened', async () => {
    const u = await user();
    const clientMessageId = randomUUID();
    const chat = await servedOnA(u, { content: 'once', clientMessageId });
    await u.b.get(`/api/chats/${chat}`).expect(200);
    const before = fake.completions().length;
    const res = await u.b.post(`/api/chats/${chat}/message`, { content: 'once', clientMessageId }).expect(201);
    expect(res.body.assistantMessage.content).toBe('Echo: once');
    expect(fake.completions().length).toBe(before);
  });

  it('is not tried for a chat another instance has started a reply in: 409 and no model call', async () => {
    const u = await user();
    const chat = (await u.a.post('/api/chats', {}).expect(201)).body.chat.id as string;
    await u.b.post(`/api/chats/${chat}/message`, { content: 'on B' }).expect(201); // B knows the chat now
    const heard: BusMessage[] = [];
    const unsubscribe = b.bus.subscribe((m) => heard.push(m));
    const server = await listen(a.app);
    try {
      fake.enqueue({ kind: 'reply', content: 'slow answer', chunks: ['slow ', 'answer'], chunkDelayMs: 300 });
      const stream = await openSse(`${server.url}/api/chats/${chat}/message`, { cookie: u.cookie, body: { content: 'on A' } });
      await stream.waitFor((e) => e.event === 'delta');
      await eventually(() => heard.some((m) => m.t === 'chat-changed' && m.id === chat), 5000, 'B to hear of A’s turn');
      const calls = fake.completions().length;
      const res = await u.b.post(`/api/chats/${chat}/message`, { content: 'on B again' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('generation_in_progress');
      await stream.ended;
      expect(fake.completions().length).toBe(calls);
    } finally {
      unsubscribe();
      await server.close();
    }
  });
});

describe('what the early start holds', () => {
  const model = { models: ['m'], defaultModel: 'm' } as unknown as ChatModel;
  const chat = (id: string): Chat => {
    const at = new Date().toISOString();
    return { id, title: null, systemPrompt: null, model: null, pinned: false, archived: false, createdAt: at, updatedAt: at };
  };
  const held = (limits: { chats: number; totalChars: number }) =>
    createEarlyStart({ model, config: {} as ChatConfig, bus: createLocalBus(), limits, charge: () => Promise.resolve() });
  const turn = (content: string): ChatTurn => ({ role: 'user', content });
  const replied = (id: string, content: string) => Promise.resolve({ assistantMessage: { id, content } });

  it('is bounded by chats and by the characters held in all, least recently used out', async () => {
    const byCount = held({ chats: 2, totalChars: 1000 });
    for (const id of ['a', 'b', 'c']) byCount.learn('u', chat(id));
    expect(['a', 'b', 'c'].map((id) => byCount.history('u', id) !== undefined)).toEqual([false, true, true]);

    const byChars = held({ chats: 10, totalChars: 100 });
    const sent = (id: string, text: string, answer: string) =>
      byChars.stored('u', chat(id), [turn(text)], { id: `${id}1`, content: text }, `${id}2`, replied(`${id}2`, answer));
    sent('a', 'x'.repeat(40), 'short');
    sent('b', 'y'.repeat(40), 'z'.repeat(30));
    // The replies end: a grows to 45 characters, then b to 70, 115 in all.
    await new Promise((resolve) => setImmediate(resolve));
    expect(byChars.history('u', 'a')).toBeUndefined();
    expect(byChars.history('u', 'b')).toMatchObject({
      newestId: 'b2',
      turns: [turn('y'.repeat(40)), { role: 'assistant', content: 'z'.repeat(30) }],
    });
    byChars.forget('b');
    sent('c', 'w'.repeat(90), 'ok');
    await new Promise((resolve) => setImmediate(resolve));
    expect(byChars.history('u', 'c')).toMatchObject({ newestId: 'c2' }); // 92 of 100: b's characters were given back
    expect(byChars.history('someone else', 'c')).toBeUndefined();
  });

  it('learns a chat from a read only when the read saw it idle, whole, and unchanged while it ran', async () => {
    const early = held({ chats: 10, totalChars: 1000 });
    const message = (id: string, role: 'user' | 'assistant', content: string, status: Message['status'] = 'complete'): Message => ({
      ...{ id, chatId: 'c', role, content, status, model: null, promptTokens: null, completionTokens: null },
      ...{ createdAt: new Date().toISOString(), attachments: [], parentId: null, siblingIds: [id], feedback: null, errorCode: null },
    });
    const conversation = [message('1', 'user', 'hi'), message('2', 'assistant', 'hello')];
    const read = async (id: string, messages: Message[], page: { during?: () => void; hasMore?: boolean; busy?: boolean } = {}) => {
      const opened = { chat: chat(id), messages, hasMore: page.hasMore ?? false };
      const found = await early.open(
        'u',
        id,
        async () => (page.during?.(), { opened, newestClientMessageId: 'client-1' }),
        () => page.busy ?? false,
      );
      expect(found).toBe(opened);
      return early.history('u', id);
    };
    expect(await read('a', conversation)).toEqual({
      turns: [turn('hi'), { role: 'assistant', content: 'hello' }],
      newestId: '2',
      newestDigest: expect.any(String),
    });
    expect(await read('b', conversation, { during: () => early.forget('b') })).toBeUndefined(); // changed while read
    expect(
      await read('c', [...conversation, message('3', 'user', 'more'), message('4', 'assistant', 'part', 'streaming')]),
    ).toBeUndefined();
    expect(await read('e', conversation, { hasMore: true })).toBeUndefined(); // older messages were not read
    expect(await read('f', conversation, { busy: true })).toBeUndefined(); // a send of it is running here
    early.learn('u', chat('d')); // known already (empty): a read does not replace what the instance holds
    expect(await read('d', conversation)).toMatchObject({ turns: [], newestId: '0' });
  });
});
