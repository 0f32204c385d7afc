import { describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { startServer, useScratchSpace } from '../helpers/processes.js';
import { openSse } from '../helpers/sse.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * Process faults, on the real entry point (`npm start`) in a child process: SIGKILL in the middle of a
 * reply, then a restart on the same data; and SIGTERM, which drains replies in progress.
 */
const scratch = useScratchSpace('gptb-faults-');
const databaseEnv = () => scratch.databaseEnv();

async function registerAt(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
  });
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

interface ChatBody {
  messages: { role: string; content: string; status: string }[];
}

describe('a server killed with SIGKILL in the middle of a reply', () => {
  it('restarts to a usable chat: acknowledged messages kept, the partial reply ends as "error", new messages work', async () => {
    const fake = await startFakeOpenAI();
    const env = {
      ...databaseEnv(),
      SESSION_SECRET: 'a-stable-secret-for-the-restart-test-0123456789',
      OPENAI_BASE_URL: fake.url,
      OPENAI_MAX_RETRIES: '0',
    };
    try {
      const first = await startServer(env, scratch.workDir);
      const cookie = await registerAt(first.url);
      // An earlier, acknowledged exchange that must survive the crash.
      const earlier = await fetch(`${first.url}/api/chats`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify({ message: 'remember this' }),
      });
      expect(earlier.status).toBe(201);
      const earlierChat = ((await earlier.json()) as { chat: { id: string } }).chat.id;

      const chunks = Array.from({ length: 100 }, (_, i) => `word${i} `);
      fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${first.url}/api/chats`, { cookie, body: { message: 'a long answer please' } });
      const chatId = (await sse.waitFor((e) => e.event === 'start')).data.chat.id;
      await sse.waitFor((e) => e.event === 'delta' && e.data.content === 'word12 ');
      first.server.child.kill('SIGKILL');
      await first.server.exited;
      const streamed = sse.text();

      const second = await startServer(env, scratch.workDir);
      try {
        const get = (id: string) =>
          fetch(`${second.url}/api/chats/${id}`, { headers: { Cookie: cookie } }).then((r) => r.json() as Promise<ChatBody>);
        const chat = await eventually(
          async () => {
            const body = await get(chatId);
            return body.messages?.[1]?.status !== 'streaming' && body;
          },
          20_000,
          'the orphaned reply to be ended',
        );
        const [user, reply] = chat.messages as [ChatBody['messages'][number], ChatBody['messages'][number]];
        expect(user).toMatchObject({ role: 'user', content: 'a long answer please' });
        expect(reply.status).toBe('error');
        expect(reply.content.length).toBeGreaterThan(0);
        // What was saved is the start of the reply, and at most about a second (10 words) behind the client.
        expect(chunks.join('').startsWith(reply.content)).toBe(true);
        expect(reply.content.length).toBeGreaterThanOrEqual(streamed.length - chunks.slice(0, 10).join('').length);
        expect((await get(earlierChat)).messages.map((m) => [m.role, m.content, m.status])).toEqual([
          ['user', 'remember this', 'complete'],
          ['assistant', 'Echo: remember this', 'complete'],
        ]);

        const next = await fetch(`${second.url}/api/chats/${chatId}/message`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: cookie },
          body: JSON.stringify({ content: 'still there?' }),
        });
        expect(next.status).toBe(201);
      } finally {
        second.server.child.kill('SIGTERM');
        await second.server.exited;
      }
    } finally {
      await fake.close();
    }
  });
});

describe('SIGTERM', () => {
  it('lets a reply in progress finish and store, then exits 0', async () => {
    const fake = await startFakeOpenAI();
    try {
      const { server, url } = await startServer(
        {
          ...databaseEnv(),
          SESSION_SECRET: 'a-stable-secret-for-the-shutdown-test-0123456789',
          OPENAI_BASE_URL: fake.url,
          SHUTDOWN_GRACE_MS: '20000',
        },
        scratch.workDir,
      );
      const cookie = await registerAt(url);
      const chunks = Array.from({ length: 15 }, (_, i) => `part${i} `);
      fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
      const sse = await openSse(`${url}/api/chats`, { cookie, body: { message: 'finish before you go' } });
      await sse.waitFor((e) => e.event === 'delta');

      server.child.kill('SIGTERM');
      await sse.ended;
      expect(sse.events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'complete' } } });
      expect(sse.text()).toBe(chunks.join(''));
      expect(await server.exited).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
