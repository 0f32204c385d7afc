import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeBehaviour, type FakeOpenAI } from '../helpers/fake-openai.js';
import { listen, openSse } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/**
 * Upstream faults under load: a model server that times out, rate-limits in storms, fails, cuts streams
 * or never answers. Every request ends with a clear error (never a 500), nothing stays "streaming",
 * and no pool client or upstream connection is left behind.
 */
const FAULTS: FakeBehaviour[] = [
  { kind: 'hang' },
  { kind: 'fail', status: 429, headers: { 'Retry-After': '3' } },
  { kind: 'fail', status: 500 },
  { kind: 'fail', status: 503 },
  { kind: 'cut', chunks: ['half ', 'a reply'] },
  { kind: 'reply', content: 'fine', chunks: ['fi', 'ne'], chunkDelayMs: 20 },
];
const EXPECTED: Record<number, string[]> = {
  201: [],
  503: ['model_rate_limited'],
  504: ['model_timeout'],
  502: ['model_unavailable', 'model_stream_interrupted'],
};

let fake: FakeOpenAI;
let t: TestApp;
let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  fake = await startFakeOpenAI();
  let n = 0;
  fake.setDefault(() => FAULTS[n++ % FAULTS.length]!);
  t = await startTestApp({ fake, env: { OPENAI_TIMEOUT_MS: '1500', OPENAI_MAX_RETRIES: '0' } });
  server = await listen(t.app);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
  await fake?.close();
});

describe('upstream faults', () => {
  it('end every request with a clear error and leave nothing behind', async () => {
    const res = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
    });
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    const chatIds: string[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 36 }, async (_, i) => {
        const chat = await fetch(`${server.url}/api/chats`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: cookie },
          body: '{}',
        }).then((r) => r.json() as Promise<{ chat: { id: string } }>);
        chatIds.push(chat.chat.id);
        if (i % 2) {
          const sse = await openSse(`${server.url}/api/chats/${chat.chat.id}/message`, { cookie, body: { content: `streamed ${i}` } });
          await sse.ended;
          const last = sse.events.at(-1)!;
          return last.event === 'done' ? { status: 201, code: '' } : { status: 502, code: last.data.error.code as string, sse: true };
        }
        const sent = await fetch(`${server.url}/api/chats/${chat.chat.id}/message`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: cookie },
          body: JSON.stringify({ content: `plain ${i}` }),
        });
        const body = (await sent.json()) as { error?: { code: string } };
        if (sent.status === 503) expect(sent.headers.get('retry-after')).toBe('3');
        return { status: sent.status, code: body.error?.code ?? '' };
      }),
    );

    for (const outcome of outcomes) {
      const allowed = 'sse' in outcome ? Object.values(EXPECTED).flat() : (EXPECTED[outcome.status] ?? ['(unexpected status)']);
      if (outcome.status !== 201) expect(allowed, JSON.stringify(outcome)).toContain(outcome.code);
    }
    expect(outcomes.map((o) => o.status)).not.toContain(500);
    expect(new Set(outcomes.map((o) => o.code))).toEqual(
      new Set(['', 'model_timeout', 'model_rate_limited', 'model_unavailable', 'model_stream_interrupted']),
    );

    // Nothing stuck: no reply left streaming, nothing to re-attach to, no pool client checked out.
    const { rowCount } = await t.db.query("SELECT 1 FROM messages WHERE status = 'streaming'");
    expect(rowCount).toBe(0);
    for (const id of chatIds.slice(0, 6)) {
      expect((await fetch(`${server.url}/api/chats/${id}/stream`, { headers: { Cookie: cookie } })).status).toBe(204);
    }
    expect(t.db.pool.waitingCount).toBe(0);
    expect(t.db.pool.idleCount).toBe(t.db.pool.totalCount);
    // The calls that hung were closed by our timeout, not left open; idle keep-alive connections stay bounded.
    const hung = fake.completions().filter((r) => r.behaviour === 'hang');
    expect(hung.length).toBeGreaterThan(0);
    await eventually(() => hung.every((r) => r.closedEarly), 5000, 'hung upstream calls to be closed');
    expect(await fake.openConnections()).toBeLessThanOrEqual(outcomes.length);
  });
});
