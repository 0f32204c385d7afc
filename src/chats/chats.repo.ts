import type { Queryable } from '../db/database.js';

export interface Chat {
  id: string;
  title: string | null;
  /** null: the server's default (SYSTEM_PROMPT, if any). */
  systemPrompt: string | null;
  /** null: the server's default model. */
  model: string | null;
  pinned: boolean;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ChatSettings {
  title?: string | null;
  systemPrompt?: string | null;
  model?: string | null;
  pinned?: boolean;
  archived?: boolean;
}

/** Where a page of the chat list ends: the sort key of its last chat. */
export interface ChatCursor {
  pinned: boolean;
  updatedAt: string;
  id: string;
}

export interface ChatRow {
  id: string;
  title: string | null;
  system_prompt: string | null;
  model: string | null;
  pinned: boolean;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

export const CHAT_COLUMNS = 'id, title, system_prompt, model, pinned, archived, created_at, updated_at';
const COLUMNS = CHAT_COLUMNS;

export const toChat = (row: ChatRow): Chat => ({
  id: row.id,
  title: row.title,
  systemPrompt: row.system_prompt,
  model: row.model,
  pinned: row.pinned,
  archived: row.archived,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Every query is scoped by the owner: another user's chat simply does not exist here. */
export function createChatsRepo(db: Queryable) {
  return {
    async insert(userId: string, settings: ChatSettings, tx: Queryable = db): Promise<Chat> {
      const { rows } = await tx.query<ChatRow>(
        `INSERT INTO chats (user_id, title, system_prompt, model, pinned, archived) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${COLUMNS}`,
        [
          userId,
          settings.title ?? null,
          settings.systemPrompt ?? null,
          settings.model ?? null,
          settings.pinned ?? false,
          settings.archived ?? false,
        ],
      );
      return toChat(rows[0]!);
    },

    /**
     * One page of the user's chats, pinned first, then most recently active. Keyset pagination: a page
     * starts strictly after the cursor's sort key, so chats created meanwhile never shift later pages.
     */
    async listPage(userId: string, page: { archived: boolean; limit: number; after?: ChatCursor }, tx: Queryable = db): Promise<Chat[]> {
      const { after } = page;
      const { rows } = await tx.query<ChatRow>(
        `SELECT ${COLUMNS} FROM chats
         WHERE user_id = $1 AND archived = $2
           AND ($4::boolean IS NULL OR (pinned, updated_at, id) < ($4::boolean, $5::timestamptz, $6::uuid))
         ORDER BY pinned DESC, updated_at DESC, id DESC
         LIMIT $3`,
        [userId, page.archived, page.limit, after?.pinned ?? null, after?.updatedAt ?? null, after?.id ?? null],
      );
      return rows.map(toChat);
    },

    async delete(userId: string, chatId: string, tx: Queryable = db): Promise<boolean> {
      const { rowCount } = await tx.query('DELETE FROM chats WHERE id = $1 AND user_id = $2', [chatId, userId]);
      return rowCount === 1;
    },

    /** Deletes the chat if it has no message (a create-with-message whose send was refused). */
    async deleteIfEmpty(userId: string, chatId: string): Promise<void> {
      await db.query(
        'DELETE FROM chats c WHERE id = $1 AND user_id = $2 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = c.id)',
        [chatId, userId],
      );
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
           model = CASE WHEN $7 THEN $8 ELSE model END,
           pinned = coalesce($9, pinned),
           archived = coalesce($10, archived)
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
          changes.pinned ?? null,
          changes.archived ?? null,
        ],
      );
      return rows[0] && toChat(rows[0]);
    },

    /** Replaces an automatic title, unless the user renamed the chat meanwhile. */
    async replaceTitle(chatId: string, from: string, to: string, tx: Queryable = db): Promise<boolean> {
      const { rowCount } = await tx.query('UPDATE chats SET title = $3 WHERE id = $1 AND title = $2', [chatId, from, to]);
      return rowCount === 1;
    },
  };
}

export type ChatsRepo = ReturnType<typeof createChatsRepo>;
