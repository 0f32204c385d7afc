import type { Queryable } from '../db/database.js';
import type { ModelReply } from '../llm/chat-model.js';

export interface Message {
  id: string;
  chatId: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
}

interface MessageRow {
  id: string;
  chat_id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at: Date;
}

const COLUMNS = 'id, chat_id, role, content, created_at';
const UNIQUE_VIOLATION = '23505';

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  chatId: row.chat_id,
  role: row.role,
  content: row.content,
  createdAt: row.created_at.toISOString(),
});

export function createMessagesRepo(db: Queryable) {
  return {
    /** Returns undefined when a message with this clientMessageId already exists in the chat. */
    async insertUserMessage(
      chatId: string,
      content: string,
      clientMessageId: string | null,
      tx: Queryable = db,
    ): Promise<Message | undefined> {
      try {
        const { rows } = await tx.query<MessageRow>(
          `INSERT INTO messages (chat_id, role, content, client_message_id) VALUES ($1, 'user', $2, $3)
           RETURNING ${COLUMNS}`,
          [chatId, content, clientMessageId],
        );
        return toMessage(rows[0]!);
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
        throw err;
      }
    },

    async insertReply(chatId: string, replyTo: string, reply: ModelReply, tx: Queryable = db): Promise<Message> {
      const { rows } = await tx.query<MessageRow>(
        `INSERT INTO messages (chat_id, role, content, reply_to, model, prompt_tokens, completion_tokens)
         VALUES ($1, 'assistant', $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [chatId, reply.content, replyTo, reply.model, reply.usage?.promptTokens ?? null, reply.usage?.completionTokens ?? null],
      );
      return toMessage(rows[0]!);
    },

    /** The whole conversation in order: by id, a sequence, never by timestamp alone. */
    async listForChat(chatId: string, tx: Queryable = db): Promise<Message[]> {
      const { rows } = await tx.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE chat_id = $1 ORDER BY id`, [
        chatId,
      ]);
      return rows.map(toMessage);
    },

    async findByClientId(chatId: string, clientMessageId: string, tx: Queryable = db): Promise<Message | undefined> {
      const { rows } = await tx.query<MessageRow>(
        `SELECT ${COLUMNS} FROM messages WHERE client_message_id = $1 AND chat_id = $2`,
        [clientMessageId, chatId],
      );
      return rows[0] && toMessage(rows[0]);
    },

    /** The chat of the user's own message with this clientMessageId, if any (for POST /api/chats retries). */
    async findChatIdByClientId(userId: string, clientMessageId: string, tx: Queryable = db): Promise<string | undefined> {
      const { rows } = await tx.query<{ chat_id: string }>(
        `SELECT m.chat_id FROM messages m JOIN chats c ON c.id = m.chat_id
         WHERE m.client_message_id = $1 AND c.user_id = $2`,
        [clientMessageId, userId],
      );
      return rows[0]?.chat_id;
    },

    async findReplyTo(userMessageId: string, tx: Queryable = db): Promise<Message | undefined> {
      const { rows } = await tx.query<MessageRow>(
        `SELECT ${COLUMNS} FROM messages WHERE reply_to = $1 ORDER BY id LIMIT 1`,
        [userMessageId],
      );
      return rows[0] && toMessage(rows[0]);
    },
  };
}

export type MessagesRepo = ReturnType<typeof createMessagesRepo>;
