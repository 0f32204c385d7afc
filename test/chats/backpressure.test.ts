import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { sessionCookie, signUp } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * A client that stops reading must not make the server queue the reply for it: the stream waits for
 * the socket to drain and then sends what was missed in catch-up pieces of at most 16 Ki characters.
 */
const ctx = useTestApp({ listen: true });

interface Delta {
  id: string;
  content: string;
}

describe('a slow reader', () => {
  it('is sent the reply in bounded catch-up pieces once it reads again, and loses nothing', async () => {
    const { agent } = await signUp(ctx.t.app);
    const cookie = sessionCookie(await agent.get('/api/auth/me'))!;
    const chat = (await agent.post('/api/chats').send({})).body.chat as { id: string };
    // 6 MB in 1,500 chunks: more than the loopback socket buffers hold, with emoji to test the cuts.
    const chunks = Array.from({ length: 1500 }, (_, i) => `${'x'.repeat(4093 - (i % 7))}😀${i % 10}`);
    ctx.fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks });

    const url = new URL(`${ctx.server.url}/api/chats/${chat.id}/message`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json', Cookie: cookie } },
        resolve,
      );
      req.on('error', reject);
      req.end(JSON.stringify({ content: 'a very long answer, please' }));
    });
    res.pause(); // read nothing while the whole reply is generated and stored

    const reply = await eventually(
      async () => {
        const { rows } = await ctx.t.db.query<{ id: string; content: string; status: string }>(
          "SELECT id, content, status FROM messages WHERE chat_id = $1 AND role = 'assistant'",
          [chat.id],
        );
        return rows[0]?.status === 'complete' && rows[0];
      },
      60_000,
      'the reply to be stored',
    );
    expect(reply.content).toBe(chunks.join(''));

    res.setEncoding('utf8');
    let raw = '';
    for await (const piece of res) raw += piece as string;
    const events = raw
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({
        id: /^id: (.*)$/m.exec(block)?.[1] ?? '',
        event: /^event: (.*)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as { content?: string },
      }));
    expect(events[0]!.event).toBe('start');
    expect(events.at(-1)!.event).toBe('done');
    const deltas: Delta[] = events.filter((e) => e.event === 'delta').map((e) => ({ id: e.id, content: e.data.content! }));

    // Nothing lost, nothing twice, and every id names the offset reached.
    expect(deltas.map((d) => d.content).join('')).toBe(reply.content);
    let offset = 0;
    for (const delta of deltas) {
      offset += delta.content.length;
      expect(delta.id).toBe(`${reply.id}:${offset}`);
      expect(delta.content.length).toBeLessThanOrEqual(16 * 1024);
      expect(delta.content).toBe(delta.content.toWellFormed());
    }
    // The server stopped following the reply while the client's buffer was full: what it missed came
    // back merged into full-size catch-up pieces instead of 1,500 queued chunks.
    expect(deltas.length).toBeLessThan(chunks.length);
    expect(deltas.some((d) => d.content.length >= 16 * 1024 - 1)).toBe(true);
  });
});
