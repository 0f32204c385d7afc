import type { Queryable } from '../db/database.js';
import type { TurnAttachment } from '../llm/chat-model.js';

export interface ShareSnapshot {
  title: string | null;
  /** `attachments`: absent in snapshots taken before attachments existed. */
  messages: { role: 'user' | 'assistant'; content: string; createdAt: string; attachments?: TurnAttachment[] }[];
}

export function createSharesRepo(db: Queryable) {
  return {
    /** One share per chat: sharing again replaces the snapshot and the token (the old link stops working). */
    async put(chatId: string, tokenHash: string, snapshot: ShareSnapshot, tx: Queryable = db): Promise<Date> {
      const { rows } = await tx.query<{ created_at: Date }>(
        `INSERT INTO shares (token_hash, chat_id, snapshot) VALUES ($1, $2, $3)
         ON CONFLICT (chat_id) DO UPDATE SET token_hash = $1, snapshot = $3, created_at = now()
         RETURNING created_at`,
        [tokenHash, chatId, JSON.stringify(snapshot)],
      );
      return rows[0]!.created_at;
    },

    async find(tokenHash: string, tx: Queryable = db): Promise<{ snapshot: ShareSnapshot; sharedAt: string } | undefined> {
      const { rows } = await tx.query<{ snapshot: ShareSnapshot; created_at: Date }>(
        'SELECT snapshot, created_at FROM shares WHERE token_hash = $1',
        [tokenHash],
      );
      return rows[0] && { snapshot: rows[0].snapshot, sharedAt: rows[0].created_at.toISOString() };
    },

    async remove(chatId: string, tx: Queryable = db): Promise<boolean> {
      const { rowCount } = await tx.query('DELETE FROM shares WHERE chat_id = $1', [chatId]);
      return rowCount === 1;
    },
  };
}
