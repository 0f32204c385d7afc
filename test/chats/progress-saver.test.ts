import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/database.js';
import { ProgressSaver } from '../../src/chats/progress-saver.js';
import { createRepliesRepo } from '../../src/chats/replies.repo.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** `n` chats of one user, each with a user message and a reply streaming into an empty row. */
async function streamingReplies(n: number): Promise<string[]> {
  const { agent } = await signUp(t.app);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const chat = (await agent.post('/api/chats').send({ title: `chat ${i}` })).body.chat as { id: string };
    const { rows } = await t.db.query<{ id: string }>(
      `WITH asked AS (INSERT INTO messages (chat_id, role, content) VALUES ($1, 'user', 'question') RETURNING id)
       INSERT INTO messages (chat_id, role, content, reply_to, status, heartbeat_at)
       SELECT $1, 'assistant', '', id, 'streaming', now() FROM asked RETURNING id`,
      [chat.id],
    );
    ids.push(rows[0]!.id);
  }
  return ids;
}

const contentOf = async (id: string) =>
  (await t.db.query<{ content: string; status: string }>(`SELECT content, status FROM messages WHERE id = $1`, [id])).rows[0]!;

describe('saving replies in progress', () => {
  it('saves every growing reply of the process in one statement, leaves ended ones alone, and passes on stop requests', async () => {
    const ids = await streamingReplies(4);
    let statements = 0;
    const counted: Queryable = { query: (text, values) => (statements++, t.db.query(text, values)) };
    const saver = new ProgressSaver(createRepliesRepo(counted));
    const texts = new Map(ids.map((id, i) => [id, `reply ${i} so far`]));
    const stops: string[] = [];
    const tracking = ids.map((id) => saver.track({ id, text: () => texts.get(id)!, onStopRequested: () => stops.push(id) }));

    await saver.tick();
    expect(statements).toBe(1);
    for (const [i, id] of ids.entries()) expect(await contentOf(id)).toEqual({ content: `reply ${i} so far`, status: 'streaming' });

    // Nothing changed: nothing to write (the heartbeat comes every few seconds only).
    await saver.tick();
    expect(statements).toBe(1);

    // One reply ended meanwhile (its generation wrote the end), one was asked to stop from elsewhere.
    await t.db.query(`UPDATE messages SET status = 'complete', content = 'the final text' WHERE id = $1`, [ids[0]]);
    await t.db.query(`UPDATE messages SET stop_requested = true WHERE id = $1`, [ids[1]]);
    for (const id of ids) texts.set(id, `${texts.get(id)!} and more`);
    await saver.tick();
    expect(statements).toBe(2);
    expect(await contentOf(ids[0]!)).toEqual({ content: 'the final text', status: 'complete' });
    expect(await contentOf(ids[3]!)).toEqual({ content: 'reply 3 so far and more', status: 'streaming' });
    expect(stops).toEqual([ids[1]]);

    for (const t of tracking) await t.done();
    texts.set(ids[2]!, 'changed after the end');
    await saver.tick();
    expect(statements).toBe(2); // untracked replies are not saved any more
  });

  it("saves any text exactly (quotes, backslashes, JSON, emoji); a misbehaving model's lone surrogate as U+FFFD, never failing the save", async () => {
    const ids = await streamingReplies(3);
    const saver = new ProgressSaver(createRepliesRepo(t.db));
    const tricky = 'say "hi" \\ {"a": [1, null]} \n\t\u0041 🙂 \'; DROP TABLE messages; -- €';
    const texts = new Map<string, string>([
      [ids[0]!, tricky],
      [ids[1]!, 'a smile: \ud83d'], // half of 🙂 alone (generations hold a trailing half back; a model may not)
      [ids[2]!, ''],
    ]);
    const tracking = ids.map((id) => saver.track({ id, text: () => texts.get(id)!, onStopRequested: () => undefined }));
    await saver.tick();
    expect((await contentOf(ids[0]!)).content).toBe(tricky);
    expect((await contentOf(ids[1]!)).content).toBe('a smile: \ufffd');
    expect((await contentOf(ids[2]!)).content).toBe('');

    texts.set(ids[1]!, 'a smile: 🙂');
    await saver.tick();
    expect((await contentOf(ids[1]!)).content).toBe('a smile: 🙂');
    expect((await contentOf(ids[0]!)).content).toBe(tricky); // unchanged replies keep their text
    for (const t of tracking) await t.done();
  });

  it("saves every other reply when one reply's save fails (the batch is retried reply by reply)", async () => {
    const ids = await streamingReplies(3);
    const saver = new ProgressSaver(createRepliesRepo(t.db));
    // NUL cannot be stored (generations remove it; this saver is given it directly, as any failure of one reply).
    const texts = new Map<string, string>(ids.map((id, i) => [id, i === 1 ? 'bad \u0000 text' : `good ${i}`]));
    const tracking = ids.map((id) => saver.track({ id, text: () => texts.get(id)!, onStopRequested: () => undefined }));
    await saver.tick();
    expect(await contentOf(ids[0]!)).toEqual({ content: 'good 0', status: 'streaming' });
    expect(await contentOf(ids[1]!)).toEqual({ content: '', status: 'streaming' });
    expect(await contentOf(ids[2]!)).toEqual({ content: 'good 2', status: 'streaming' });
    // The next tick still saves the others as they grow.
    texts.set(ids[2]!, 'good 2 and more');
    await saver.tick();
    expect((await contentOf(ids[2]!)).content).toBe('good 2 and more');
    for (const t of tracking) await t.done();
  });
});
