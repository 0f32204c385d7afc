import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listen, openSse } from '../helpers/sse.js';
import { useTestApp } from '../helpers/test-app.js';
import { sessionCookie, signUp } from '../helpers/users.js';

const ctx = useTestApp();

type Agent = Awaited<ReturnType<typeof signUp>>['agent'];
const titles = (chats: { title: string }[]) => chats.map((c) => c.title);

async function makeChats(agent: Agent, n: number, prefix = 'chat') {
  const made = [];
  for (let i = 0; i < n; i++) made.push((await agent.post('/api/chats').send({ title: `${prefix} ${i}` })).body.chat);
  return made;
}

/** Walks every page of GET /api/chats. */
async function allPages(agent: Agent, query = '') {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const res = await agent.get(`/api/chats?limit=3${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    pages.push(titles(res.body.chats));
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('PATCH and DELETE /api/chats/:id', () => {
  it('pins, archives and unarchives; pinned chats come first and archived ones only with ?archived=true', async () => {
    const { agent } = await signUp(ctx.t.app);
    const [a, b, c] = await makeChats(agent, 3);
    expect((await agent.patch(`/api/chats/${a.id}`).send({ pinned: true })).body.chat.pinned).toBe(true);
    expect((await agent.patch(`/api/chats/${b.id}`).send({ archived: true })).body.chat.archived).toBe(true);

    expect(titles((await agent.get('/api/chats')).body.chats)).toEqual(['chat 0', 'chat 2']);
    expect(titles((await agent.get('/api/chats?archived=true')).body.chats)).toEqual(['chat 1']);

    await agent.patch(`/api/chats/${b.id}`).send({ archived: false }).expect(200);
    const listed = titles((await agent.get('/api/chats')).body.chats);
    expect(listed[0]).toBe('chat 0');
    expect(listed.slice(1).sort()).toEqual(['chat 1', 'chat 2']);
    expect(c.pinned).toBe(false);
  });

  it('deletes a chat with its messages (204), and another user cannot', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({ message: 'delete me' })).body.chat;
    const other = await signUp(ctx.t.app);
    expect((await other.agent.delete(`/api/chats/${chat.id}`)).status).toBe(404);

    expect((await agent.delete(`/api/chats/${chat.id}`)).status).toBe(204);
    expect((await agent.get(`/api/chats/${chat.id}`)).status).toBe(404);
    const { rowCount } = await ctx.t.db.query('SELECT 1 FROM messages WHERE chat_id = $1', [chat.id]);
    expect(rowCount).toBe(0);
    expect((await agent.delete(`/api/chats/${chat.id}`)).status).toBe(404);
  });

  it('deleting a chat that is generating stops the generation first', async () => {
    const { agent } = await signUp(ctx.t.app);
    const cookie = sessionCookie(await agent.get('/api/auth/me'))!;
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    const server = await listen(ctx.t.app);
    try {
      const chunks = Array.from({ length: 30 }, (_, i) => `x${i} `);
      ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${server.url}/api/chats/${chat.id}/message`, { cookie, body: { content: 'go' } });
      await sse.waitFor((e) => e.event === 'delta');
      expect((await agent.delete(`/api/chats/${chat.id}`)).status).toBe(204);
      await sse.ended;
      expect(sse.events.at(-1)!.event).toBe('done');
      expect((await agent.get(`/api/chats/${chat.id}`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('GET /api/chats pagination', () => {
  it('answers an empty list with no cursor', async () => {
    const { agent } = await signUp(ctx.t.app);
    expect((await agent.get('/api/chats?limit=3')).body).toEqual({ chats: [], nextCursor: null });
  });

  it('gives no cursor when the chats fill exactly one page', async () => {
    const { agent } = await signUp(ctx.t.app);
    await makeChats(agent, 3);
    const res = await agent.get('/api/chats?limit=3');
    expect(res.body.chats).toHaveLength(3);
    expect(res.body.nextCursor).toBeNull();
  });

  it('walks every chat exactly once, in the order of the full list (newest first)', async () => {
    const { agent } = await signUp(ctx.t.app);
    await makeChats(agent, 7);
    const full = (await agent.get('/api/chats?limit=200')).body.chats as { title: string; updatedAt: string }[];
    const times = full.map((c) => Date.parse(c.updatedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const pages = await allPages(agent);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(titles(full));
  });

  it('stays stable while new chats arrive between pages', async () => {
    const { agent } = await signUp(ctx.t.app);
    await makeChats(agent, 6);
    const full = titles((await agent.get('/api/chats?limit=200')).body.chats);
    const first = await agent.get('/api/chats?limit=3');
    await makeChats(agent, 2, 'new');
    const second = await agent.get(`/api/chats?limit=3&cursor=${first.body.nextCursor}`);
    expect(titles(first.body.chats)).toEqual(full.slice(0, 3));
    expect(titles(second.body.chats)).toEqual(full.slice(3, 6));
    expect(second.body.nextCursor).toBeNull();
  });

  it('defaults to 50, caps at 200, and refuses a bad limit or cursor with 400', async () => {
    const { agent } = await signUp(ctx.t.app);
    expect((await agent.get('/api/chats?limit=201')).status).toBe(400);
    expect((await agent.get('/api/chats?limit=0')).status).toBe(400);
    expect((await agent.get('/api/chats?cursor=not-a-cursor')).status).toBe(400);
    expect((await agent.get('/api/chats?archived=maybe')).status).toBe(400);
    expect((await agent.get('/api/chats?unknown=ignored')).status).toBe(200);
  });

  it("never leaks another user's chats through a cursor", async () => {
    const alice = await signUp(ctx.t.app);
    await makeChats(alice.agent, 4, 'alice');
    const bob = await signUp(ctx.t.app);
    await makeChats(bob.agent, 4, 'bob');
    const page = await alice.agent.get('/api/chats?limit=2');
    const next = await bob.agent.get(`/api/chats?limit=10&cursor=${page.body.nextCursor}`);
    expect(titles(next.body.chats).every((title) => title.startsWith('bob'))).toBe(true);
  });
});

describe('messages in pages', () => {
  it('GET /api/chats/:id returns the newest page with hasMore; /messages?before= pages back', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    for (let i = 1; i <= 4; i++)
      await agent
        .post(`/api/chats/${chat.id}/message`)
        .send({ content: `q${i}` })
        .expect(201);

    const newest = await agent.get(`/api/chats/${chat.id}?limit=3`);
    expect(newest.body.messages.map((m: { content: string }) => m.content)).toEqual(['Echo: q3', 'q4', 'Echo: q4']);
    expect(newest.body.hasMore).toBe(true);

    const older = await agent.get(`/api/chats/${chat.id}/messages?limit=3&before=${newest.body.messages[0].id}`);
    expect(older.body.messages.map((m: { content: string }) => m.content)).toEqual(['q2', 'Echo: q2', 'q3']);
    expect(older.body.hasMore).toBe(true);
    const all = [];
    let before = newest.body.messages[0].id;
    let hasMore = true;
    while (hasMore) {
      const page = await agent.get(`/api/chats/${chat.id}/messages?limit=3&before=${before}`);
      all.unshift(...page.body.messages.map((m: { content: string }) => m.content));
      hasMore = page.body.hasMore;
      before = page.body.messages[0]?.id;
    }
    expect([...all, ...newest.body.messages.map((m: { content: string }) => m.content)]).toEqual([
      'q1',
      'Echo: q1',
      'q2',
      'Echo: q2',
      'q3',
      'Echo: q3',
      'q4',
      'Echo: q4',
    ]);
    expect((await agent.get(`/api/chats/${chat.id}/messages?before=abc`)).status).toBe(400);
  });
});

describe('edit and branch: PATCH /api/chats/:id/messages/:messageId', () => {
  it('adds a new version beside the message, answers it and makes it the active path; the old one stays', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({ message: 'first question' })).body.chat;
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'second question' }).expect(201);
    const before = (await agent.get(`/api/chats/${chat.id}`)).body.messages;
    const first = before[0];

    ctx.fake.enqueue({ kind: 'reply', content: 'a better answer' });
    const res = await agent.patch(`/api/chats/${chat.id}/messages/${first.id}`).send({ content: 'first question, edited' });
    expect(res.status).toBe(201);
    const edited = res.body.userMessage;
    expect(edited).toMatchObject({ content: 'first question, edited', parentId: null, siblingIds: [first.id, edited.id] });
    expect(edited.id).not.toBe(first.id);
    expect(res.body.assistantMessage).toMatchObject({
      content: 'a better answer',
      parentId: edited.id,
      siblingIds: [res.body.assistantMessage.id],
    });
    expect(ctx.fake.completions().at(-1)!.body.messages).toEqual([{ role: 'user', content: 'first question, edited' }]);
    const after = (await agent.get(`/api/chats/${chat.id}`)).body.messages;
    expect(after.map((m: { content: string }) => m.content)).toEqual(['first question, edited', 'a better answer']);
    // The first version and everything under it are still there, one switch away.
    const back = await agent.post(`/api/chats/${chat.id}/branch`).send({ messageId: first.id }).expect(200);
    expect(back.body.messages.map((m: { content: string }) => m.content)).toEqual(before.map((m: { content: string }) => m.content));
  });

  it('refuses to edit an assistant message (400) or a message of another chat (404)', async () => {
    const { agent } = await signUp(ctx.t.app);
    const one = await agent.post('/api/chats').send({ message: 'one' });
    const two = await agent.post('/api/chats').send({ message: 'two' });
    const reply = one.body.messages[1];
    expect((await agent.patch(`/api/chats/${one.body.chat.id}/messages/${reply.id}`).send({ content: 'x' })).status).toBe(400);
    const foreign = two.body.messages[0];
    expect((await agent.patch(`/api/chats/${one.body.chat.id}/messages/${foreign.id}`).send({ content: 'x' })).status).toBe(404);
  });
});

describe('GET /api/search', () => {
  it("finds the user's own titles and messages, newest first, with a highlighted, escaped snippet", async () => {
    const { agent } = await signUp(ctx.t.app);
    const tag = `zebra${randomUUID().slice(0, 8)}`;
    await agent.post('/api/chats').send({ title: `All about ${tag}` });
    await agent.post('/api/chats').send({ message: `Tell me about the <b>${tag}</b> stripes` });
    const intruder = await signUp(ctx.t.app);
    await intruder.agent.post('/api/chats').send({ message: `${tag} secrets of someone else` });

    const res = await agent.get(`/api/search?q=${tag}`);
    expect(res.status).toBe(200);
    const kinds = res.body.results.map((r: { kind: string }) => r.kind);
    // The message (its chat is titled from it), the echo reply, the chat titled from it, the titled chat.
    expect(kinds).toEqual(expect.arrayContaining(['title', 'message']));
    for (const r of res.body.results) {
      expect(r.snippet).toContain(`<mark>${tag}</mark>`);
      expect(r.snippet).not.toContain('<b>');
      expect(r.snippet).not.toContain('someone else');
    }
    const times = res.body.results.map((r: { at: string }) => Date.parse(r.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const message = res.body.results.find(
      (r: { kind: string; snippet: string }) => r.kind === 'message' && r.snippet.includes('&lt;b&gt;'),
    );
    expect(message.messageId).toMatch(/^\d+$/);
    expect(message.chat.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ranks a title match above a passing mention with sort=relevance, and pages through results', async () => {
    const { agent } = await signUp(ctx.t.app);
    const tag = `quokka${randomUUID().slice(0, 8)}`;
    await agent.post('/api/chats').send({ title: `${tag} ${tag} care guide` });
    for (let i = 0; i < 3; i++)
      await agent
        .post('/api/chats')
        .send({ title: `misc ${i}`, message: `long text that mentions ${tag} once among many other words ${i}` });

    const ranked = await agent.get(`/api/search?q=${tag}&sort=relevance`);
    expect(ranked.body.results[0]).toMatchObject({ kind: 'title' });

    const first = await agent.get(`/api/search?q=${tag}&limit=2`);
    expect(first.body.results).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await agent.get(`/api/search?q=${tag}&limit=2&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.results, ...second.body.results].map(
      (r: { chat: { id: string }; messageId: string | null }) => `${r.chat.id}/${r.messageId}`,
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("finds a reply's text once the reply has ended, not while it streams; both versions of an edited message", async () => {
    const { agent } = await signUp(ctx.t.app);
    const tag = `okapi${randomUUID().slice(0, 8)}`;
    const chunks = [`reply${tag} `, 'comes ', 'in ', 'pieces ', 'slowly ', 'here'];
    ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 250 });
    const sent = agent
      .post('/api/chats')
      .send({ message: 'say something' })
      .then((r) => r);
    const deadline = Date.now() + 5000;
    const saved = async () =>
      (await ctx.t.db.query(`SELECT 1 FROM messages WHERE status = 'streaming' AND content LIKE $1`, [`%reply${tag}%`])).rowCount;
    while (!(await saved()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await saved()).toBe(1); // its partial text is saved...
    expect((await agent.get(`/api/search?q=reply${tag}`)).body.results).toEqual([]); // ...but not searched yet

    const { body } = await sent;
    expect(body.messages[1]).toMatchObject({ role: 'assistant', status: 'complete' });
    const found = (await agent.get(`/api/search?q=reply${tag}`)).body.results;
    expect(found.map((r: { messageId: string }) => r.messageId)).toEqual([body.messages[1].id]);

    const edited = await agent
      .patch(`/api/chats/${body.chat.id}/messages/${body.messages[0].id}`)
      .send({ content: `edited${tag} question` });
    expect(edited.status).toBe(201);
    // The new version of the question, and the new reply to it (the fake model echoes it)...
    const byEdit = (await agent.get(`/api/search?q=edited${tag}`)).body.results.map((r: { messageId: string }) => r.messageId);
    expect(byEdit.sort()).toEqual([edited.body.userMessage.id, edited.body.assistantMessage.id].sort());
    // ...and the first reply still, on the branch the edit left, which the result says.
    const old = (await agent.get(`/api/search?q=reply${tag}`)).body.results;
    expect(old).toMatchObject([{ messageId: body.messages[1].id, onActivePath: false }]);
  });

  it('validates q', async () => {
    const { agent } = await signUp(ctx.t.app);
    expect((await agent.get('/api/search')).status).toBe(400);
    expect((await agent.get(`/api/search?q=${'x'.repeat(201)}`)).status).toBe(400);
    expect((await agent.get('/api/search?q=%22%22%20OR%20!!')).status).toBe(200);
  });
});
