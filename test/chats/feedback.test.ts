import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

/** 👍 / 👎 on replies (issue 30): on the message payload, only the chat's owner, only replies, exported and imported. */
const ctx = useTestApp();

describe('PUT /api/chats/:id/messages/:messageId/feedback', () => {
  it('rates a reply up or down with an optional comment, shows it on the message, and takes it back with null', async () => {
    const { agent } = await signUp(ctx.t.app);
    const created = await agent.post('/api/chats').send({ message: 'Rate me' });
    const chatId = created.body.chat.id as string;
    const reply = created.body.messages.find((m: { role: string }) => m.role === 'assistant');
    expect(reply.feedback).toBeNull();
    const path = `/api/chats/${chatId}/messages/${reply.id}/feedback`;

    const up = await agent.put(path).send({ rating: 'up', comment: '  Spot on.  ' });
    expect(up.status).toBe(200);
    expect(up.body.message).toMatchObject({ id: reply.id, feedback: { rating: 'up', comment: 'Spot on.' } });
    expect((await agent.put(path).send({ rating: 'down' })).body.message.feedback).toEqual({ rating: 'down', comment: null });
    const opened = (await agent.get(`/api/chats/${chatId}`)).body.messages.find((m: { id: string }) => m.id === reply.id);
    expect(opened.feedback).toEqual({ rating: 'down', comment: null });

    // Exported with the chat, and an import restores it.
    const exported = (await agent.get(`/api/chats/${chatId}/export?format=json`)).body;
    expect(exported.chats[0].messages.find((m: { role: string }) => m.role === 'assistant').feedback).toEqual({
      rating: 'down',
      comment: null,
    });
    const imported = await agent.post('/api/import').send(exported);
    expect(imported.status).toBe(201);
    const copy = (await agent.get(`/api/chats/${imported.body.chatIds[0]}`)).body.messages;
    expect(copy.find((m: { role: string }) => m.role === 'assistant').feedback).toEqual({ rating: 'down', comment: null });

    const onAQuestion = structuredClone(exported);
    onAQuestion.chats[0].messages[0].feedback = { rating: 'up', comment: null };
    expect((await agent.post('/api/import').send(onAQuestion)).status).toBe(400); // only replies carry feedback

    expect((await agent.put(path).send({ rating: null })).body.message.feedback).toBeNull();
    expect((await agent.put(path).send({ rating: null, comment: 'why' })).status).toBe(400);
    expect((await agent.put(path).send({ rating: 'sideways' })).status).toBe(400);
  });

  it('is 404 for another user’s reply and 400 for a user message', async () => {
    const owner = await signUp(ctx.t.app);
    const created = await owner.agent.post('/api/chats').send({ message: 'Mine' });
    const chatId = created.body.chat.id as string;
    const [asked, reply] = ['user', 'assistant'].map((role) => created.body.messages.find((m: { role: string }) => m.role === role));
    const other = await signUp(ctx.t.app);
    const foreign = await other.agent.put(`/api/chats/${chatId}/messages/${reply.id}/feedback`).send({ rating: 'down' });
    expect(foreign.status).toBe(404);
    expect((await owner.agent.get(`/api/chats/${chatId}`)).body.messages.at(-1).feedback).toBeNull();
    const mine = await owner.agent.put(`/api/chats/${chatId}/messages/${asked.id}/feedback`).send({ rating: 'up' });
    expect(mine.status).toBe(400);
    expect(mine.body.error.code).toBe('not_an_assistant_message');
  });
});
