import { describe, expect, it } from 'vitest';
import { openSse } from '../helpers/sse.js';
import { useTestApp } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/**
 * Load with accounting: many users send to many chats at once, half streaming, half not. Afterwards
 * every message is in the database exactly once, in order, in the right user's chat, and every
 * stream's deltas equal the stored text.
 */
const USERS = Number(process.env.RELIABILITY_USERS ?? 50);
const CHATS_PER_USER = 4;
const MESSAGES_PER_CHAT = 10;

const ctx = useTestApp({ listen: true });

async function post(path: string, cookie: string, body: unknown) {
  const res = await fetch(`${ctx.server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, cookie: res.headers.getSetCookie()[0]?.split(';')[0] };
}

describe('load with accounting', () => {
  it(`${USERS} users × ${CHATS_PER_USER} chats × ${MESSAGES_PER_CHAT} messages: nothing lost, duplicated or misplaced`, async () => {
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const registered = await post('/api/auth/register', '', { email: uniqueEmail(`load${u}`), password: PASSWORD });
        expect(registered.status).toBe(201);
        return { id: registered.body.user.id as string, cookie: registered.cookie! };
      }),
    );
    const streamedTexts = new Map<string, string>(); // assistant message id → concatenated deltas
    const expected: { userId: string; chatId: string; contents: string[] }[] = [];

    await Promise.all(
      users.flatMap((user, u) =>
        Array.from({ length: CHATS_PER_USER }, async (_, c) => {
          const chat = await post('/api/chats', user.cookie, { title: `u${u} c${c}` });
          const chatId = chat.body.chat.id as string;
          const contents: string[] = [];
          for (let m = 0; m < MESSAGES_PER_CHAT; m++) {
            const content = `user ${u} chat ${c} message ${m} — ünïcødé 🚀`;
            contents.push(content);
            if ((u + c + m) % 2 === 0) {
              const sse = await openSse(`${ctx.server.url}/api/chats/${chatId}/message`, { cookie: user.cookie, body: { content } });
              await sse.ended;
              const done = sse.events.at(-1)!;
              expect(done.event).toBe('done');
              streamedTexts.set(done.data.assistantMessage.id, sse.text());
            } else {
              const sent = await post(`/api/chats/${chatId}/message`, user.cookie, { content });
              expect(sent.status).toBe(201);
            }
          }
          expected.push({ userId: user.id, chatId, contents });
        }),
      ),
    );

    const { rows } = await ctx.t.db.query<{ id: string; chat_id: string; user_id: string; role: string; content: string; status: string }>(
      `SELECT m.id, m.chat_id, c.user_id, m.role, m.content, m.status FROM messages m JOIN chats c ON c.id = m.chat_id
       WHERE c.id = ANY($1::uuid[]) ORDER BY m.chat_id, m.id`,
      [expected.map((e) => e.chatId)],
    );
    const byChat = new Map<string, typeof rows>();
    for (const row of rows) byChat.set(row.chat_id, [...(byChat.get(row.chat_id) ?? []), row]);

    expect(rows).toHaveLength(USERS * CHATS_PER_USER * MESSAGES_PER_CHAT * 2);
    for (const { userId, chatId, contents } of expected) {
      const stored = byChat.get(chatId)!;
      expect(stored.every((r) => r.user_id === userId)).toBe(true);
      expect(stored.map((r) => `${r.role}:${r.content}`)).toEqual(contents.flatMap((c) => [`user:${c}`, `assistant:Echo: ${c}`]));
      expect(stored.every((r) => r.status === 'complete')).toBe(true);
    }
    for (const [id, text] of streamedTexts) {
      expect(rows.find((r) => r.id === id)?.content).toBe(text);
    }
  });
});
