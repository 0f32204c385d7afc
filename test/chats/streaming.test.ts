import { describe, expect, it } from 'vitest';
import { listen, openSse } from '../helpers/sse.js';
import { startTestApp, useTestApp } from '../helpers/test-app.js';
import { sessionCookie, signUp } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

const ctx = useTestApp({ env: { SSE_HEARTBEAT_MS: '150' }, listen: true });

async function newChat() {
  const { agent } = await signUp(ctx.t.app);
  const cookie = sessionCookie(await agent.get('/api/auth/me'))!;
  const chat = (await agent.post('/api/chats').send({})).body.chat as { id: string };
  return { agent, cookie, chat };
}

const row = async (id: string) =>
  (await ctx.t.db.query<{ content: string; status: string }>('SELECT content, status FROM messages WHERE id = $1', [id])).rows[0];

describe('streaming a reply over SSE', () => {
  it('sends start, the deltas in order and done; the deltas add up to exactly the stored text', async () => {
    const { cookie, chat } = await newChat();
    const wave = '👋';
    const chunks = ['Hé', 'llo ', wave[0]!, `${wave[1]!} wörld `, '🇫🇷', ' 你好'];
    ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 20 });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'Say hi' } });
    await sse.ended;

    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('cache-control')).toMatch(/no-cache/);
    expect(sse.headers.get('x-accel-buffering')).toBe('no');

    const names = sse.events.map((e) => e.event);
    expect(names[0]).toBe('start');
    expect(names.at(-1)).toBe('done');
    expect(new Set(names.slice(1, -1))).toEqual(new Set(['delta']));
    for (const event of sse.events) expect(event.id).toMatch(/^\d+:\d+$/);

    const start = sse.events[0]!.data;
    expect(start.userMessage).toMatchObject({ role: 'user', content: 'Say hi', status: 'complete' });
    expect(start.chat).toMatchObject({ id: chat.id, title: 'Say hi' });
    const done = sse.events.at(-1)!.data;
    expect(done.assistantMessage).toMatchObject({ id: start.assistantMessageId, status: 'complete', model: 'test-model' });
    expect(done.usage).toEqual({ promptTokens: 11, completionTokens: 7 });

    const expected = chunks.join('');
    expect(sse.text()).toBe(expected);
    expect(done.assistantMessage.content).toBe(expected);
    expect(await row(start.assistantMessageId)).toEqual({ content: expected, status: 'complete' });
    // No delta ever carries half a surrogate pair.
    for (const e of sse.events.filter((x) => x.event === 'delta')) expect(e.data.content).toBe(e.data.content.toWellFormed());
  });

  it('forwards the first delta before a slow upstream has finished', async () => {
    const { cookie, chat } = await newChat();
    ctx.fake.enqueue({ kind: 'reply', content: 'one two three four', chunks: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 250 });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'count' } });
    const first = await sse.waitFor((e) => e.event === 'delta');
    await sse.ended;
    const upstream = ctx.fake.completions().at(-1)!;
    expect(first.data.content).toBe('one ');
    expect(upstream.finishedAt).toBeDefined();
    expect(first.at).toBeLessThan(upstream.finishedAt!);
  });

  it('sends heartbeat comments while waiting', async () => {
    const { cookie, chat } = await newChat();
    ctx.fake.enqueue({ kind: 'reply', content: 'late', delayMs: 600 });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'slow' } });
    await sse.ended;
    expect(sse.comments).toBeGreaterThanOrEqual(2);
  });

  it('keeps generating when the client goes away, and stores the complete reply', async () => {
    const { cookie, chat } = await newChat();
    const chunks = ['a', 'b', 'c', 'd', 'e', 'f'];
    ctx.fake.enqueue({ kind: 'reply', content: 'abcdef', chunks, chunkDelayMs: 100 });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'go' } });
    const start = await sse.waitFor((e) => e.event === 'start');
    await sse.waitFor((e) => e.event === 'delta');
    sse.abort();

    const stored = await eventually(async () => {
      const r = await row(start.data.assistantMessageId);
      return r?.status === 'complete' && r;
    });
    expect(stored.content).toBe('abcdef');
    expect(ctx.fake.completions().at(-1)!.closedEarly).toBe(false);
  });

  it('lets a client re-attach with Last-Event-ID and get exactly the text it missed, then the rest live', async () => {
    const { cookie, chat } = await newChat();
    const chunks = ['alpha ', 'beta ', 'gamma ', 'delta ', 'epsilon'];
    ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 150 });
    const first = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'greek' } });
    const seen = await first.waitFor((e) => e.event === 'delta' && e.data.content === 'beta ');
    first.abort();
    const hadText = first.events
      .filter((e) => e.event === 'delta' && e.at <= seen.at)
      .map((e) => e.data.content)
      .join('');

    const again = await openSse(`${ctx.server.url}/api/chats/${chat.id}/stream`, { method: 'GET', cookie, lastEventId: seen.id });
    await again.ended;
    expect(again.events[0]!.event).toBe('start');
    expect(again.events.at(-1)!.event).toBe('done');
    expect(hadText + again.text()).toBe(chunks.join(''));
    expect(again.text().startsWith('gamma')).toBe(true);
  });

  it('lets a client re-attach through another app instance', async () => {
    const { cookie, chat } = await newChat();
    // A second instance: its own app and its own generations, on the same database.
    const other = await startTestApp({ instanceOf: ctx.t });
    const otherServer = await listen(other.app);
    try {
      const chunks = ['one ', 'two ', 'three ', 'four'];
      ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 300 });
      const origin = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'count' } });
      await origin.waitFor((e) => e.event === 'delta');
      const remote = await openSse(`${otherServer.url}/api/chats/${chat.id}/stream`, { method: 'GET', cookie });
      await remote.ended;
      expect(remote.text()).toBe(chunks.join(''));
      expect(remote.events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'complete' } } });
    } finally {
      await otherServer.close();
      await other.close();
    }
  });

  it('answers 204 to GET /stream when nothing is being generated', async () => {
    const { agent, chat } = await newChat();
    expect((await agent.get(`/api/chats/${chat.id}/stream`)).status).toBe(204);
  });

  it('reports a mid-stream upstream drop as an error event and keeps the partial text', async () => {
    const { cookie, chat, agent } = await newChat();
    ctx.fake.enqueue({ kind: 'cut', chunks: ['partial ', 'answer'] });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'break' } });
    await sse.ended;
    const last = sse.events.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data.error.code).toEqual(expect.any(String));
    expect(last.data.assistantMessage).toMatchObject({ status: 'error', content: 'partial answer', errorCode: last.data.error.code });
    // The reason is kept with the reply, so a reload shows it too; other messages have none.
    const messages = (await agent.get(`/api/chats/${chat.id}`)).body.messages;
    expect(
      messages.map((m: { role: string; status: string; content: string; errorCode: string | null }) => [
        m.role,
        m.status,
        m.content,
        m.errorCode,
      ]),
    ).toEqual([
      ['user', 'complete', 'break', null],
      ['assistant', 'error', 'partial answer', last.data.error.code],
    ]);
    // …and goes with the chat in an export and back in an import.
    const exported = (await agent.get(`/api/chats/${chat.id}/export?format=json`)).body;
    expect(exported.chats[0].messages[1]).toMatchObject({ status: 'error', errorCode: last.data.error.code });
    const imported = await agent.post('/api/import').send(exported).expect(201);
    const back = (await agent.get(`/api/chats/${imported.body.chatIds[0]}`)).body.messages;
    expect(back[1]).toMatchObject({ status: 'error', errorCode: last.data.error.code });
  });

  it('answers 409 generation_in_progress to a second send while one streams', async () => {
    const { cookie, chat, agent } = await newChat();
    ctx.fake.enqueue({ kind: 'reply', content: 'slow', delayMs: 500 });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'first' } });
    await sse.waitFor((e) => e.event === 'start');
    const second = await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'second' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('generation_in_progress');
    await sse.ended;
  });
});

describe('POST /api/chats/:id/stop', () => {
  it('aborts the upstream request and stores what was generated as "stopped"', async () => {
    const { cookie, chat, agent } = await newChat();
    const chunks = Array.from({ length: 40 }, (_, i) => `w${i} `);
    ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'long' } });
    await sse.waitFor((e) => e.event === 'delta' && e.data.content === 'w2 ');

    const stop = await agent.post(`/api/chats/${chat.id}/stop`);
    expect(stop.status).toBe(200);
    expect(stop.body.assistantMessage.status).toBe('stopped');
    await sse.ended;
    const shown = sse.text();
    expect(stop.body.assistantMessage.content.startsWith(shown)).toBe(true);
    expect(shown.length).toBeGreaterThan(0);
    expect(sse.events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'stopped' } } });
    await eventually(() => ctx.fake.completions().at(-1)!.closedEarly, 2000, 'the model server to see the connection close');
    expect(stop.body.assistantMessage.content.length).toBeLessThan(chunks.join('').length);
  });

  it('before the first token, aborts the upstream request at once: the call is closed and the reply stays, empty, as stopped', async () => {
    const { cookie, chat, agent } = await newChat();
    ctx.fake.enqueue({ kind: 'hang' });
    const sse = await openSse(`${ctx.server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'anyone there?' } });
    await sse.waitFor((e) => e.event === 'start');
    await eventually(() => ctx.fake.completions().at(-1)?.body.messages?.at(-1)?.content === 'anyone there?', 2000, 'the call');
    const call = ctx.fake.completions().at(-1)!;

    const stop = await agent.post(`/api/chats/${chat.id}/stop`);
    expect(stop.status).toBe(200);
    await sse.ended;
    expect(sse.events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { content: '', status: 'stopped' } } });
    await eventually(() => call.closedEarly, 1000, 'the model server to see the connection close');
    const messages = (await agent.get(`/api/chats/${chat.id}`)).body.messages;
    expect(messages.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'stopped'],
    ]);
    // The next send answers the conversation with the empty reply left out.
    ctx.fake.enqueue({ kind: 'reply', content: 'here' });
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'hello?' }).expect(201);
    const sent = ctx.fake.completions().at(-1)!.body.messages ?? [];
    expect(sent.filter((m) => m.role !== 'system').map((m) => m.content)).toEqual(['anyone there?', 'hello?']);
  });

  it('answers 204 when nothing is being generated', async () => {
    const { agent, chat } = await newChat();
    expect((await agent.post(`/api/chats/${chat.id}/stop`)).status).toBe(204);
  });
});

describe('ON_DISCONNECT=abort', () => {
  it('stops the generation when the sender goes away', async () => {
    const app = await startTestApp({ fake: ctx.fake, env: { ON_DISCONNECT: 'abort' } });
    const own = await listen(app.app);
    try {
      const { agent } = await signUp(app.app);
      const cookie = sessionCookie(await agent.get('/api/auth/me'))!;
      const chat = (await agent.post('/api/chats').send({})).body.chat;
      const chunks = Array.from({ length: 30 }, (_, i) => `x${i} `);
      ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${own.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'bye' } });
      const start = await sse.waitFor((e) => e.event === 'start');
      await sse.waitFor((e) => e.event === 'delta');
      sse.abort();
      const stored = await eventually(async () => {
        const r = (await app.db.query('SELECT status FROM messages WHERE id = $1', [start.data.assistantMessageId])).rows[0];
        return r?.status === 'stopped' && r;
      });
      expect(stored.status).toBe('stopped');
    } finally {
      await own.close();
      await app.close();
    }
  });
});
