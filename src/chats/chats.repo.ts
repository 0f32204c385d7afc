import type { Queryable } from '../db/database.js';

export interface Chat {
  id: string;
  title: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ChatRow {
  id: string;
  title: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, title, created_at, updated_at';

const toChat = (row: ChatRow): Chat => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Every query is scoped by the owner: another user's chat simply does not exist here. */
export function createChatsRepo(db: Queryable) {
  return {
    async insert(userId: string, title: string | null, tx: Queryable = db): Promise<Chat> {
      const { rows } = await tx.query<ChatRow>(
        `INSERT INTO chats (user_id, title) VALUES ($1, $2) RETURNING ${COLUMNS}`,
        [userId, title],
      );
      return toChat(rows[0]!);
    },

    async listForUser(userId: string, tx: Queryable = db): Promise<Chat[]> {
      const { rows } = await tx.query<ChatRow>(
        `SELECT ${COLUMNS} FROM chats WHERE user_id = $1 ORDER BY updated_at DESC, id DESC`,
        [userId],
      );
      return rows.map(toChat);
    },

    async findForUser(userId: string, chatId: string, tx: Queryable = db): Promise<Chat | undefined> {
      const { rows } = await tx.query<ChatRow>(`SELECT ${COLUMNS} FROM chats WHERE id = $1 AND user_id = $2`, [
        chatId,
        userId,
      ]);
      return rows[0] && toChat(rows[0]);
    },

    /** An untitled chat takes its title from its first user message. */
    async setTitleIfMissing(chatId: string, title: string, tx: Queryable = db): Promise<void> {
      await tx.query('UPDATE chats SET title = $2 WHERE id = $1 AND title IS NULL', [chatId, title]);
    },
  };
}

export type ChatsRepo = ReturnType<typeof createChatsRepo>;
