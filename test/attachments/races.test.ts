import { describe, expect, it, vi } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

/**
 * Attachments under races (issue 26): the sweep of old unsent uploads running while a send links one,
 * and an upload finishing while its account is deleted. No linked file is ever lost, and no race
 * answers 500.
 */
const ctx = useTestApp();
type Agent = Awaited<ReturnType<typeof signUp>>['agent'];
const upload = (agent: Agent, text: string) => agent.post('/api/uploads').attach('file', Buffer.from(text), 'notes.txt');

describe('the unsent-upload sweep against a send', () => {
  it('either the send links the file and keeps it, or the file was swept first and the send is refused with 404', async () => {
    const { agent } = await signUp(ctx.t.app);
    const chatId = (await agent.post('/api/chats').send({})).body.chat.id as string;
    const outcomes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const id = (await upload(agent, `file number ${i}`)).body.attachment.id as string;
      // Old enough to be swept (a day unsent).
      await ctx.t.db.query(`UPDATE attachments SET created_at = now() - interval '2 days' WHERE id = $1`, [id]);
      const sending = agent.post(`/api/chats/${chatId}/message`).send({ content: `with file ${i}`, attachments: [id] });
      // Half the time the sweep is asked first, half the time the send.
      const sweep = () => ctx.t.attachments.sweepUnsent();
      const [sent] = await Promise.all(i % 2 ? [sending.then((r) => r), sweep()] : [sweep().then(() => sending), sending.then((r) => r)]);
      outcomes.push(sent.status);
      const { rows } = await ctx.t.db.query<{ message_id: string | null }>(`SELECT message_id FROM attachments WHERE id = $1`, [id]);
      if (sent.status === 201) {
        expect(rows[0]?.message_id, `send ${i}`).toBe(sent.body.userMessage.id);
        expect((await agent.get(`/api/attachments/${id}`)).status).toBe(200);
      } else {
        expect(sent.status, `send ${i}: ${JSON.stringify(sent.body)}`).toBe(404);
        expect(rows).toHaveLength(0);
      }
    }
    expect(outcomes.every((s) => s === 201 || s === 404)).toBe(true);
  });
});

describe('an upload against the deletion of its account', () => {
  it('answers 401 (the account is gone), never a foreign-key 500', async () => {
    const { agent, user } = await signUp(ctx.t.app);
    const withTransaction = ctx.t.db.withTransaction.bind(ctx.t.db);
    // The account is deleted after the upload was checked and processed, just before it is stored.
    const spy = vi.spyOn(ctx.t.db, 'withTransaction').mockImplementationOnce(async (work) => {
      await ctx.t.db.query('DELETE FROM users WHERE id = $1', [user.id]);
      return withTransaction(work);
    });
    try {
      const res = await upload(agent, 'a file for an account about to go');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      const { rows } = await ctx.t.db.query(`SELECT 1 FROM attachment_blobs WHERE user_id = $1`, [user.id]);
      expect(rows).toHaveLength(0);
    } finally {
      spy.mockRestore();
    }
  });
});
