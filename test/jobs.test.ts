import { describe, expect, it } from 'vitest';
import { createJobs } from '../src/jobs.js';
import { useTestApp } from './helpers/test-app.js';
import { signUp } from './helpers/users.js';
import { eventually } from './helpers/wait.js';

const ctx = useTestApp({
  env: { ORPHAN_SWEEP_INTERVAL_SECONDS: '1', SESSION_PRUNE_INTERVAL_SECONDS: '1', RATE_LIMIT_PRUNE_INTERVAL_SECONDS: '2' },
  // As under `node --expose-gc` (npm start): the memory release has a collector (this one does nothing).
  memory: { collect: () => undefined },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A chat whose reply was left `streaming` by an instance whose database session is gone (last saved 2 s ago). */
async function chatWithAbandonedReply(): Promise<{ replyId: string }> {
  const { agent } = await signUp(ctx.t.app);
  const created = await agent.post('/api/chats').send({ message: 'hello' }).expect(201);
  const userMessageId = created.body.messages[0].id as string;
  const { rows } = await ctx.t.db.query<{ id: string }>(
    `INSERT INTO messages (chat_id, role, content, reply_to, model, status, heartbeat_at, owner_pid, owner_started)
     VALUES ($1, 'assistant', 'half a reply', $2, 'test-model', 'streaming', now() - interval '2 seconds', 1, now() - interval '1 day') RETURNING id`,
    [created.body.chat.id, userMessageId],
  );
  return { replyId: rows[0]!.id };
}

const statusOf = async (id: string) =>
  (await ctx.t.db.query<{ status: string }>('SELECT status FROM messages WHERE id = $1', [id])).rows[0]?.status;
const exists = async (table: 'sessions' | 'rate_limits', column: string, key: string) =>
  ((await ctx.t.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [key])).rowCount ?? 0) > 0;

describe('background jobs (src/jobs.ts)', () => {
  it('are listed in one place, each with the interval its setting gives', () => {
    expect(createJobs(ctx.t).list()).toEqual([
      { name: 'orphan-sweep', everyMs: 1000 },
      { name: 'session-prune', everyMs: 1000 },
      { name: 'rate-limit-prune', everyMs: 2000 },
      { name: 'model-probe', everyMs: 60_000 },
      { name: 'attachment-sweep', everyMs: 3_600_000 },
      { name: 'memory-release', everyMs: 5000 },
    ]);
  });

  it('do nothing until started, then each runs on its interval until stopped', async () => {
    const { replyId } = await chatWithAbandonedReply();
    const sid = `job-test-${Date.now()}`;
    await ctx.t.db.query(`INSERT INTO sessions (sid, sess, expire) VALUES ($1, '{}', now() - interval '1 minute')`, [sid]);
    await ctx.t.db.query(`INSERT INTO rate_limits (key, count, reset_at) VALUES ($1, 1, now() - interval '1 minute')`, [sid]);
    const jobs = createJobs(ctx.t);

    await sleep(2500); // longer than every interval: nothing runs by itself
    expect(await statusOf(replyId)).toBe('streaming');
    expect(await exists('sessions', 'sid', sid)).toBe(true);
    expect(await exists('rate_limits', 'key', sid)).toBe(true);

    jobs.start();
    try {
      await eventually(async () => (await statusOf(replyId)) === 'error', 10_000, 'the orphaned reply to end');
      await eventually(async () => !(await exists('sessions', 'sid', sid)), 10_000, 'the ended session to go');
      await eventually(async () => !(await exists('rate_limits', 'key', sid)), 10_000, 'the ended rate-limit window to go');
    } finally {
      jobs.stop();
    }
    // The text it had is kept, and the chat takes a new message.
    const { rows } = await ctx.t.db.query<{ content: string }>('SELECT content FROM messages WHERE id = $1', [replyId]);
    expect(rows[0]!.content).toBe('half a reply');
  });

  it('leave a reply that is still being generated alone', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chat = (await agent.post('/api/chats').send({}).expect(201)).body.chat;
    ctx.fake.enqueue({ kind: 'reply', content: 'slow reply', chunks: ['slow ', 'reply'], chunkDelayMs: 1500 });
    const sent = agent
      .post(`/api/chats/${chat.id}/message`)
      .send({ content: 'take your time' })
      .then((r) => r);
    const streaming = await eventually(
      async () =>
        (await ctx.t.db.query<{ id: string }>(`SELECT id FROM messages WHERE chat_id = $1 AND status = 'streaming'`, [chat.id])).rows[0]
          ?.id,
    );
    const jobs = createJobs(ctx.t);
    jobs.start();
    await sleep(1200);
    jobs.stop();
    expect(await statusOf(streaming)).toBe('streaming');
    expect((await sent).status).toBe(201);
    expect(await statusOf(streaming)).toBe('complete');
  });

  it('before serving, end every reply left streaming by an instance that is gone', async () => {
    const { replyId } = await chatWithAbandonedReply();
    await createJobs(ctx.t).prepare();
    expect(await statusOf(replyId)).toBe('error');
    // Said why, for the conversation: the instance writing it is gone.
    const { rows } = await ctx.t.db.query<{ error_code: string }>('SELECT error_code FROM messages WHERE id = $1', [replyId]);
    expect(rows[0]!.error_code).toBe('reply_interrupted');
  });
});
