import type { Queryable } from '../db/database.js';

export interface Chat {
  id: string;
  title: string | null;
  /** null: the server's default (SYSTEM_PROMPT, if any). */
  systemPrompt: string | null;
  /** null: the server's default model. */
  model: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChatSettings {
  title?: string | null;
  systemPrompt?: string | null;
  model?: string | null;
}

interface ChatRow {
  id: string;
  title: string | null;
  system_prompt: string | null;
  model: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, title, system_prompt, model, created_at, updated_at';

const toChat = (row: ChatRow): Chat => ({
  id: row.id,
  title: row.title,
  systemPrompt: row.system_prompt,
  model: row.model,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Every query is scoped by the owner: another user's chat simply does not exist here. */
export function createChatsRepo(db: Queryable) {
  return {
    async insert(userId: string, settings: ChatSettings, tx: Queryable = db): Promise<Chat> {
      const { rows } = await tx.query<ChatRow>(
        `INSERT INTO chats (user_id, title, system_prompt, model) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
        [userId, settings.title ?? null, settings.systemPrompt ?? null, settings.model ?? null],
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
      const { rows } = await tx.query<ChatRow>(`SELECT ${COLUMNS} FROM chats WHERE id = $1 AND user_id = $2`, [chatId, userId]);
      return rows[0] && toChat(rows[0]);
    },

    /** Changes only the settings present in `changes` (null clears one). */
    async update(userId: string, chatId: string, changes: ChatSettings, tx: Queryable = db): Promise<Chat | undefined> {
      const { rows } = await tx.query<ChatRow>(
        `UPDATE chats SET
           title = CASE WHEN $3 THEN $4 ELSE title END,
           system_prompt = CASE WHEN $5 THEN $6 ELSE system_prompt END,
           model = CASE WHEN $7 THEN $8 ELSE model END
         WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [
          chatId,
          userId,
          'title' in changes,
          changes.title ?? null,
          'systemPrompt' in changes,
          changes.systemPrompt ?? null,
          'model' in changes,
          changes.model ?? null,
        ],
      );
      return rows[0] && toChat(rows[0]);
    },

    /** An untitled chat takes its title from its first user message. True when it did. */
    async setTitleIfMissing(chatId: string, title: string, tx: Queryable = db): Promise<boolean> {
      const { rowCount } = await tx.query('UPDATE chats SET title = $2 WHERE id = $1 AND title IS NULL', [chatId, title]);
      return rowCount === 1;
    },

    /** Replaces an automatic title, unless the user renamed the chat meanwhile. */
    async replaceTitle(chatId: string, from: string, to: string, tx: Queryable = db): Promise<boolean> {
      const { rowCount } = await tx.query('UPDATE chats SET title = $3 WHERE id = $1 AND title = $2', [chatId, from, to]);
      return rowCount === 1;
    },
  };
}

export type ChatsRepo = ReturnType<typeof createChatsRepo>;
