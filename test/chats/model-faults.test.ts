import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { openSse } from '../helpers/sse.js';
import { PASSWORD, signUp, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * What real model servers send that a well-behaved one never would: text PostgreSQL cannot store, and
 * a stream that goes silent after its first chunk (issue 26).
 */
const ctx = useTestApp({
  listen: true,
  env: { OPENAI_IDLE_TIMEOUT_MS: '400', TITLE_MODEL: 'title-model', OPENAI_MODELS: 'test-model,title-model' },
});

const stored = async (id: string) =>
  (await ctx.t.db.query<{ content: string; status: string }>(`SELECT content, status FROM messages WHERE id = $1`, [id])).rows[0];

async function newChat(agent: Awaited<ReturnType<typeof signUp>>['agent']): Promise<string> {
  return ((await agent.post('/api/chats').send({})).body.chat as { id: string }).id;
}

describe('text PostgreSQL refuses', () => {
  it('stores a reply carrying NUL without it, and the reply streaming beside it keeps being saved', async () => {
    const { agent } = await signUp(ctx.t.app);
    const [live, nul] = [await newChat(agent), await newChat(agent)];
    ctx.fake.setDefault((req) =>
      req.body.messages?.at(-1)?.content === 'slow'
        ? { kind: 'reply', content: '', chunks: Array.from({ length: 12 }, (_, i) => `piece ${i} `), chunkDelayMs: 150 }
        : { kind: 'reply', content: '', chunks: ['Hel\u0000lo', ' wor\u0000', 'ld'], chunkDelayMs: 300 },
    );
    try {
      const slow = agent
        .post(`/api/chats/${live}/message`)
        .send({ content: 'slow' })
        .then((r) => r);
      const liveReply = await eventually(async () => {
        const { rows } = await ctx.t.db.query<{ id: string }>(`SELECT id FROM messages WHERE chat_id = $1 AND role = 'assistant'`, [live]);
        return rows[0]?.id;
      });
      const sent = await agent.post(`/api/chats/${nul}/message`).send({ content: 'say hello' });
      expect(sent.status).toBe(201);
      expect(sent.body.assistantMessage).toMatchObject({ content: 'Hello world', status: 'complete' });
      // Saved while the NUL reply was streaming (its saves share the batched statement): the live one's text grew in the database.
      const midway = await stored(liveReply);
      expect(midway?.status).toBe('streaming');
      expect(midway?.content).toMatch(/^piece 0 piece 1 /);
      // The chat takes the next message at once.
      expect((await agent.post(`/api/chats/${nul}/message`).send({ content: 'again' })).status).toBe(201);
      expect((await slow).status).toBe(201);
      expect(await stored(liveReply)).toMatchObject({ status: 'complete' });
    } finally {
      ctx.fake.setDefault((req) => ({ kind: 'reply', content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}` }));
    }
  });
});

describe('a stream that goes silent (OPENAI_IDLE_TIMEOUT_MS)', () => {
  it('ends the reply as an error with model_timeout, keeps its text, closes the upstream and frees the chat', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await newChat(agent);
    ctx.fake.enqueue({ kind: 'stall', chunks: ['Half an ', 'answer'] });
    const started = Date.now();
    const res = await agent.post(`/api/chats/${chatId}/message`).send({ content: 'think hard' });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('model_timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    const call = ctx.fake.completions().find((r) => r.body.messages?.at(-1)?.content === 'think hard')!;
    await eventually(() => call.closedEarly, 2000, 'the stalled upstream connection to be closed');

    const chat = await agent.get(`/api/chats/${chatId}`);
    expect(chat.body.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Half an answer', status: 'error' });
    expect((await agent.post(`/api/chats/${chatId}/message`).send({ content: 'next' })).status).toBe(201);
  });

  it('ends a silent title call too', async () => {
    const { agent } = await signUp(ctx.t.app);
    ctx.fake.respondTo('title-model', () => ({ kind: 'stall', chunks: ['A tit'] }));
    const res = await agent.post('/api/chats').send({ message: 'a first message for a title' });
    expect(res.status).toBe(201);
    const call = await eventually(() =>
      ctx.fake
        .completions()
        .find((r) => r.body.model === 'title-model' && r.body.messages?.at(-1)?.content === 'a first message for a title'),
    );
    await eventually(() => call.closedEarly, 3000, 'the silent title call to be closed');
    expect((await agent.get(`/api/chats/${res.body.chat.id}`)).body.chat.title).toBe('a first message for a title');
  });
});

describe('unpaired surrogates from the model', () => {
  it('stream and store U+FFFD in their place, the same text both ways; pairs cut between chunks stay whole', async () => {
    const registered = await agentRequest('/api/auth/register', { email: uniqueEmail(), password: PASSWORD });
    const cookie = registered.headers.getSetCookie()[0]!.split(';')[0]!;
    const chatId = ((await (await agentRequest('/api/chats', {}, cookie)).json()) as { chat: { id: string } }).chat.id;
    // A lone low surrogate inside a chunk, a pair cut between two chunks, and a lone high one at the very end.
    ctx.fake.enqueue({ kind: 'raw', pieces: rawChunks(['bad \udc00 then ', 'a smile \ud83d', '\ude42 and the end \ud83d']) });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chatId}/message`, { cookie, body: { content: 'surrogates' } });
    await sse.ended;
    expect(sse.text()).toBe('bad \ufffd then a smile 🙂 and the end \ufffd');
    const stored = (
      await ctx.t.db.query<{ content: string }>(`SELECT content FROM messages WHERE chat_id = $1 AND role = 'assistant'`, [chatId])
    ).rows[0];
    expect(stored?.content).toBe(sse.text());
  });
});

const agentRequest = (path: string, body: object, cookie = '') =>
  fetch(`${ctx.server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify(body),
  });

/** Chunks as a server writes them, with lone surrogates escaped in the JSON (as JSON.stringify does). */
function rawChunks(texts: string[]): string[] {
  const chunk = (delta: object) =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: 'test-model', choices: [{ index: 0, delta }] })}\n\n`;
  return [...texts.map((content) => chunk({ content })), chunk({}), 'data: [DONE]\n\n'];
}
