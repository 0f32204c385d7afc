import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { activePath } from '../../src/chats/archive.repo.js';
import { startTestApp, useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

/**
 * Message branches (issue 31): an edit or a regeneration adds a version beside the old one; one active
 * path is shown, paged, continued and sent to the model; switch and fork; exports, shares and search.
 */
const ctx = useTestApp({ env: { VISION_MODELS: 'test-model', LOG_LEVEL: 'error' } });

type Agent = Awaited<ReturnType<typeof signUp>>['agent'];
interface Msg {
  id: string;
  role: string;
  content: string;
  parentId: string | null;
  siblingIds: string[];
}
const contents = (messages: Msg[]) => messages.map((m) => m.content);

async function chatWith(agent: Agent, ...questions: string[]) {
  const chat = (await agent.post('/api/chats').send({ message: questions[0] }).expect(201)).body.chat;
  for (const q of questions.slice(1)) await agent.post(`/api/chats/${chat.id}/message`).send({ content: q }).expect(201);
  return chat.id as string;
}
const open = async (agent: Agent, chatId: string): Promise<Msg[]> => (await agent.get(`/api/chats/${chatId}`).expect(200)).body.messages;
const lastRequest = () => ctx.fake.completions().at(-1)!.body.messages as { role: string; content: string }[];

describe('regenerate and switch', () => {
  it('keeps every reply as a sibling; the model and the chat see only the active path; ‹ › walks the versions', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await chatWith(agent, 'one', 'two');
    const [, firstReply, two, reply1] = await open(agent, chatId);
    ctx.fake.enqueue({ kind: 'reply', content: 'second version' }, { kind: 'reply', content: 'third version' });
    const second = (await agent.post(`/api/chats/${chatId}/regenerate`).expect(201)).body.assistantMessage as Msg;
    expect(lastRequest()).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: firstReply!.content },
      { role: 'user', content: 'two' },
    ]);
    const third = (await agent.post(`/api/chats/${chatId}/regenerate`).expect(201)).body.assistantMessage as Msg;
    expect(third).toMatchObject({ parentId: two!.id, siblingIds: [reply1!.id, second.id, third.id] });
    expect(contents(await open(agent, chatId))).toEqual(['one', 'Echo: one', 'two', 'third version']);

    const switched = await agent.post(`/api/chats/${chatId}/branch`).send({ messageId: reply1!.id }).expect(200);
    expect(Object.keys(switched.body).sort()).toEqual(['chat', 'hasMore', 'messages']);
    expect(contents(switched.body.messages)).toEqual(['one', 'Echo: one', 'two', 'Echo: two']);
    expect(switched.body.messages.at(-1).siblingIds).toEqual([reply1!.id, second.id, third.id]);
    // A send continues the active path: under the first reply, and the model reads that path.
    const sent = (await agent.post(`/api/chats/${chatId}/message`).send({ content: 'three' }).expect(201)).body;
    expect(sent.userMessage).toMatchObject({ parentId: reply1!.id, siblingIds: [sent.userMessage.id] });
    expect(lastRequest().map((m) => m.content)).toEqual(['one', 'Echo: one', 'two', 'Echo: two', 'three']);
    expect(contents(await open(agent, chatId))).toEqual(['one', 'Echo: one', 'two', 'Echo: two', 'three', 'Echo: three']);
  });

  it('an edit of an earlier message branches there; switching back finds the newest leaf beneath the old version', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await chatWith(agent, 'a', 'b', 'c');
    const before = await open(agent, chatId);
    const edited = (await agent.patch(`/api/chats/${chatId}/messages/${before[2]!.id}`).send({ content: 'B' }).expect(201)).body;
    expect(edited.userMessage).toMatchObject({ parentId: before[1]!.id, siblingIds: [before[2]!.id, edited.userMessage.id] });
    expect(lastRequest().map((m) => m.content)).toEqual(['a', 'Echo: a', 'B']);
    expect(contents(await open(agent, chatId))).toEqual(['a', 'Echo: a', 'B', 'Echo: B']);
    // Back to "b": the path runs on down to its newest leaf ("c" and its reply).
    const back = await agent.post(`/api/chats/${chatId}/branch`).send({ messageId: before[2]!.id }).expect(200);
    expect(contents(back.body.messages)).toEqual(contents(before));
    // An edit of the very first message: a second root.
    const root = (await agent.patch(`/api/chats/${chatId}/messages/${before[0]!.id}`).send({ content: 'A' }).expect(201)).body;
    expect(root.userMessage).toMatchObject({ parentId: null, siblingIds: [before[0]!.id, root.userMessage.id] });
    expect(contents(await open(agent, chatId))).toEqual(['A', 'Echo: A']);
  });

  it('answers 404 for a message of another chat or user, 400 for a malformed id, 409 while a reply is written', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await chatWith(agent, 'mine');
    const otherChat = await chatWith(agent, 'other');
    const [otherMessage] = await open(agent, otherChat);
    const stranger = await signUp(ctx.t.app);
    const branch = (a: Agent, chat: string, messageId: unknown) => a.post(`/api/chats/${chat}/branch`).send({ messageId });
    expect((await branch(agent, chatId, otherMessage!.id)).body.error.code).toBe('message_not_found');
    expect((await branch(agent, chatId, '999999999')).status).toBe(404);
    expect((await branch(stranger.agent, chatId, (await open(agent, chatId))[0]!.id)).status).toBe(404);
    expect((await branch(agent, chatId, 'abc')).status).toBe(400);
    expect((await agent.post(`/api/chats/${chatId}/fork`).send({ messageId: otherMessage!.id })).status).toBe(404);

    const [first] = await open(agent, chatId);
    ctx.fake.enqueue({ kind: 'reply', content: 'slow reply here', chunks: ['slow ', 'reply ', 'here'], chunkDelayMs: 300 });
    const streaming = agent
      .post(`/api/chats/${chatId}/message`)
      .send({ content: 'go' })
      .then((r) => r);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const { rowCount } = await ctx.t.db.query(`SELECT 1 FROM messages WHERE chat_id = $1 AND status = 'streaming'`, [chatId]);
      if (rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refused = await branch(agent, chatId, first!.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('generation_in_progress');
    expect((await streaming).status).toBe(201);
    expect(contents(await open(agent, chatId))).toEqual(['mine', 'Echo: mine', 'go', 'slow reply here']);
  });

  it('a retried send (same clientMessageId) makes no second branch', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await chatWith(agent, 'q');
    const body = { content: 'again', clientMessageId: crypto.randomUUID() };
    const first = (await agent.post(`/api/chats/${chatId}/message`).send(body).expect(201)).body;
    const retried = (await agent.post(`/api/chats/${chatId}/message`).send(body).expect(201)).body;
    expect(retried.userMessage.id).toBe(first.userMessage.id);
    const { rows } = await ctx.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE chat_id = $1`, [chatId]);
    expect(rows[0]!.n).toBe(4);
  });
});

describe('fork', () => {
  it('copies the path up to a message into a new chat (same prompt and model, files shared); the original is untouched', async () => {
    const { agent } = await signUp(ctx.t.app);
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d7a4b80000000049454e44ae426082',
      'hex',
    );
    const file = (await agent.post('/api/uploads').attach('file', png, 'dot.png').expect(201)).body.attachment;
    const chat = (
      await agent
        .post('/api/chats')
        .send({ message: 'look', attachments: [file.id], systemPrompt: 'Be brief.', model: 'test-model' })
        .expect(201)
    ).body.chat;
    await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'later' }).expect(201);
    const original = await open(agent, chat.id);

    const forked = await agent.post(`/api/chats/${chat.id}/fork`).send({ messageId: original[1]!.id });
    expect(forked.status).toBe(201);
    expect(forked.body.chat).toMatchObject({ title: chat.title, systemPrompt: 'Be brief.', model: 'test-model' });
    expect(forked.body.chat.id).not.toBe(chat.id);
    expect(contents(forked.body.messages)).toEqual(['look', original[1]!.content]);
    expect(forked.body.messages[1].parentId).toBe(forked.body.messages[0].id);
    const copied = forked.body.messages[0].attachments[0];
    expect(copied).toMatchObject({ name: 'dot.png', size: png.length });
    expect(copied.id).not.toBe(file.id);

    // The fork goes its own way; the original keeps all it had.
    await agent.post(`/api/chats/${forked.body.chat.id}/message`).send({ content: 'fork only' }).expect(201);
    expect(lastRequest().map((m) => m.content)).toEqual(['Be brief.', expect.anything(), original[1]!.content, 'fork only']);
    expect(contents(await open(agent, chat.id))).toEqual(contents(original));
    // Deleting the original leaves the fork's file readable (the bytes were shared, counted once).
    await agent.delete(`/api/chats/${chat.id}`).expect(204);
    const read = await agent.get(`/api/attachments/${copied.id}`);
    expect(read.status).toBe(200);
    expect(Buffer.from(read.body)).toEqual(png);
  });
});

describe('a fork and the storage cap', () => {
  it('counts the copied text toward USER_MESSAGES_MB (413 storage_quota_exceeded), making nothing', async () => {
    const limited = await startTestApp({
      env: {
        RATE_LIMITS: 'on',
        REGISTER_PER_IP_PER_HOUR: '1000',
        USER_MESSAGES_MB: '1',
        MESSAGE_MAX_CHARS: '400000',
        DEFAULT_CONTEXT_TOKENS: '1000000',
      },
    });
    try {
      const { agent } = await signUp(limited.app);
      const created = await agent.post('/api/chats').send({ message: 'word '.repeat(80_000) });
      expect(created.status, JSON.stringify(created.body.error)).toBe(201);
      const chat = created.body;
      const fork = () => agent.post(`/api/chats/${chat.chat.id}/fork`).send({ messageId: chat.messages[1].id });
      expect((await fork()).status).toBe(201); // 0.8 MB kept now: another copy would pass 1 MB
      const refused = await fork();
      expect(refused.status).toBe(413);
      expect(refused.body.error.code).toBe('storage_quota_exceeded');
      expect((await agent.get('/api/chats').expect(200)).body.chats).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });
});

describe('exports, shares and search follow the tree', () => {
  it('an export holds every branch and the active leaf; an import restores both; Markdown and shares hold the active path', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = await chatWith(agent, 'x', 'y');
    const [, , y] = await open(agent, chatId);
    await agent.patch(`/api/chats/${chatId}/messages/${y!.id}`).send({ content: 'Y' }).expect(201);
    await agent.post(`/api/chats/${chatId}/branch`).send({ messageId: y!.id }).expect(200);

    const exported = (await agent.get(`/api/chats/${chatId}/export?format=json`).expect(200)).body;
    const chat = exported.chats[0];
    expect(chat.messages.map((m: Msg) => m.content)).toEqual(['x', 'Echo: x', 'y', 'Echo: y', 'Y', 'Echo: Y']);
    expect(chat.messages[4].parentId).toBe(chat.messages[1].id);
    expect(chat.activeLeafId).toBe(chat.messages[3].id);
    const markdown = (await agent.get(`/api/chats/${chatId}/export?format=markdown`).expect(200)).text;
    expect(markdown).toContain('Echo: y');
    expect(markdown).not.toContain('Echo: Y');

    const share = (await agent.post(`/api/chats/${chatId}/share`).expect(201)).body;
    await agent.post(`/api/chats/${chatId}/branch`).send({ messageId: chat.messages[4].id }).expect(200);
    const shared = (await request(ctx.t.app).get(share.url).expect(200)).body;
    expect(shared.messages.map((m: Msg) => m.content)).toEqual(['x', 'Echo: x', 'y', 'Echo: y']);

    const newcomer = await signUp(ctx.t.app);
    const imported = (await newcomer.agent.post('/api/import').send(exported).expect(201)).body;
    const restored = await open(newcomer.agent, imported.chatIds[0]);
    expect(contents(restored)).toEqual(['x', 'Echo: x', 'y', 'Echo: y']);
    expect(restored[2]!.siblingIds).toHaveLength(2);
    const other = await newcomer.agent.post(`/api/chats/${imported.chatIds[0]}/branch`).send({ messageId: restored[2]!.siblingIds[1] });
    expect(contents(other.body.messages)).toEqual(['x', 'Echo: x', 'Y', 'Echo: Y']);
  });

  it('an import restores the path through activeLeafId down to the newest leaf beneath it, whatever the shape', async () => {
    const { agent } = await signUp(ctx.t.app);
    const at = '2026-01-01T00:00:00.000Z';
    const m = (id: string, parentId: string | null, content: string) => ({ id, parentId, role: 'user', content, createdAt: at });
    // Two first messages; the path goes through "a", whose subtree's newest message is "a2" (not "b2", newer).
    const chat = {
      title: 't',
      createdAt: at,
      updatedAt: at,
      activeLeafId: 'a',
      messages: [m('a', null, 'a'), m('b', null, 'b'), m('a1', 'a', 'a1'), m('a2', 'a', 'a2'), m('b2', 'b', 'b2')],
    };
    const imported = (
      await agent
        .post('/api/import')
        .send({ format: 'gpt-backend-export', version: 2, chats: [chat] })
        .expect(201)
    ).body;
    expect(contents(await open(agent, imported.chatIds[0]))).toEqual(['a', 'a2']);
    const bad = { ...chat, messages: [m('a', 'later', 'a'), m('later', null, 'x')] };
    expect((await agent.post('/api/import').send({ format: 'gpt-backend-export', version: 2, chats: [bad] })).status).toBe(400);
  });

  it('finds an imported path in one pass: 100,000 messages shaped to make a walk per message quadratic', () => {
    // "a" alone, then one long chain under a second first message: a walk up from every message to
    // decide whether it is beneath "a" took 8.8 s of the event loop here; one forward pass takes milliseconds.
    const parents = Array.from({ length: 100_000 }, (_, i) => (i <= 1 ? -1 : i - 1));
    const started = performance.now();
    const { leaf, path } = activePath(parents, 0);
    expect(performance.now() - started).toBeLessThan(1000); // generous: the bug was seconds
    expect([leaf, [...path]]).toEqual([0, [0]]);
    expect([...activePath(parents, 1).path].length).toBe(99_999);
  });

  it('search finds text on an inactive branch, says so, and its messageId switches to it', async () => {
    const { agent } = await signUp(ctx.t.app);
    const tag = `gnu${crypto.randomUUID().slice(0, 8)}`;
    const chatId = await chatWith(agent, `first ${tag}`);
    const [first] = await open(agent, chatId);
    await agent.patch(`/api/chats/${chatId}/messages/${first!.id}`).send({ content: 'second wording' }).expect(201);
    const hit = (await agent.get(`/api/search?q=${tag}`).expect(200)).body.results.find(
      (r: { messageId: string }) => r.messageId === first!.id,
    );
    expect(hit).toMatchObject({ kind: 'message', onActivePath: false });
    const opened = await agent.post(`/api/chats/${chatId}/branch`).send({ messageId: hit.messageId }).expect(200);
    expect(contents(opened.body.messages)).toEqual([`first ${tag}`, `Echo: first ${tag}`]);
  });
});

describe('a long path among many branches', () => {
  it('pages 1,000 messages of the active path, newest page first, never a message of another branch', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = (await agent.post('/api/chats').send({}).expect(201)).body.chat.id as string;
    // 1,000 messages in one path, and a 5-message branch off every 50th (built in SQL, then switched to).
    let parent: string | null = null;
    const path: string[] = [];
    for (let i = 1; i <= 1000; i++) {
      const inserted: { rows: { id: string }[] } = await ctx.t.db.query(
        `INSERT INTO messages (chat_id, role, content, parent_id, on_path) VALUES ($1, $2, $3, $4, false) RETURNING id`,
        [chatId, i % 2 ? 'user' : 'assistant', `m${i}`, parent],
      );
      parent = inserted.rows[0]!.id;
      path.push(parent);
      if (i % 50 === 0 && i < 1000) {
        let branchParent = parent;
        for (let j = 1; j <= 5; j++) {
          const branch: { rows: { id: string }[] } = await ctx.t.db.query(
            `INSERT INTO messages (chat_id, role, content, parent_id, on_path) VALUES ($1, 'user', $2, $3, false) RETURNING id`,
            [chatId, `side ${i}.${j}`, branchParent],
          );
          branchParent = branch.rows[0]!.id;
        }
      }
    }
    // The newest leaf under the first message is the last side branch's: switch to the main path's end instead.
    const opened = await agent
      .post(`/api/chats/${chatId}/branch?limit=100`)
      .send({ messageId: path.at(-1) })
      .expect(200);
    const seen: string[] = contents(opened.body.messages);
    let { hasMore } = opened.body;
    let before = opened.body.messages[0].id;
    while (hasMore) {
      const page = (await agent.get(`/api/chats/${chatId}/messages?before=${before}&limit=100`).expect(200)).body;
      seen.unshift(...contents(page.messages));
      hasMore = page.hasMore;
      before = page.messages[0].id;
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i + 1}`));
    const at50 = opened.body.messages.find((m: Msg) => m.content === 'm950');
    expect(at50.siblingIds).toEqual([at50.id]);
    const after50 = opened.body.messages.find((m: Msg) => m.content === 'm951');
    expect(after50.siblingIds).toHaveLength(2); // m951 and the side branch's first message
  });
});
