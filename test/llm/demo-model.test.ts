import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

let t: TestApp;
beforeAll(async () => {
  // Development with no OPENAI_API_KEY and no OPENAI_BASE_URL.
  t = await startTestApp({ env: { NODE_ENV: 'development' } });
});
afterAll(() => t.close());

describe('the offline demo model', () => {
  it('is named by GET /api/health', async () => {
    const res = await request(t.app).get('/api/health');
    expect(res.body.model.label).toBe('demo/offline-demo');
  });

  it('answers every flow with a reply that says it is not a real AI', async () => {
    const { agent } = await signUp(t.app);
    const created = await agent.post('/api/chats').send({ message: 'Hello demo' });
    expect(created.status).toBe(201);
    const reply = created.body.messages[1];
    expect(reply.role).toBe('assistant');
    expect(reply.content).toMatch(/Offline demo model/);
    expect(reply.content).toMatch(/not a real AI/);
    expect(reply.content).toContain('Hello demo');

    const next = await agent.post(`/api/chats/${created.body.chat.id}/message`).send({ content: 'Again' });
    expect(next.status).toBe(201);
    expect(next.body.assistantMessage.content).toMatch(/Offline demo model/);
  });

  it('quotes a message with Markdown in it without breaking the reply, and counts in good English', async () => {
    const { agent } = await signUp(t.app);
    const created = await agent.post('/api/chats').send({ message: 'Fix ```js\nlet a = **1**\n``` please' });
    const reply: string = created.body.messages[1].content;
    // The user's fence and emphasis are quoted as plain text: no code block opens in the reply.
    expect(reply).toContain('You said: "Fix \\`\\`\\`js let a = \\*\\*1\\*\\* \\`\\`\\` please"');
    expect(reply).toContain('1 message would be sent');
    expect(created.body.chat.title).toBe('Fix js let a = 1 please');
  });
});
