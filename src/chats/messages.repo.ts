import type { Queryable } from '../db/database.js';
import type { ChatTurn, TurnAttachment } from '../llm/chat-model.js';

export type MessageStatus = 'streaming' | 'complete' | 'stopped' | 'error';

export interface Message {
  id: string;
  chatId: string;
  role: 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  /** For assistant messages: the model that answered and the usage it reported. */
  model: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  createdAt: string;
  /** Files sent with a user message (empty otherwise). */
  attachments: TurnAttachment[];
  /** The message this one answers or follows; null for a chat's first message. */
  parentId: string | null;
  /** The messages with the same parent, oldest first, this one included (the branches at this point). */
  siblingIds: string[];
  /** A reply's 👍 / 👎 from its user (null: none). */
  feedback: Feedback | null;
  /** Why a reply ended in `error` (an error code: model_unavailable, reply_interrupted…); null otherwise. */
  errorCode: string | null;
}

export interface Feedback {
  rating: 'up' | 'down';
  comment: string | null;
}

export interface MessageRow {
  id: string;
  chat_id: string;
  role: 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  created_at: Date;
  attachments: TurnAttachment[] | null;
  /** bigint: a string from pg, a number through row_to_json. */
  parent_id: string | number | null;
  sibling_ids: (string | number)[] | null;
  feedback_rating: 'up' | 'down' | null;
  feedback_comment: string | null;
  error_code: string | null;
}

export const MESSAGE_COLUMNS =
  'id, chat_id, role, content, status, model, prompt_tokens, completion_tokens, created_at, attachments, parent_id, ' +
  'feedback_rating, feedback_comment, error_code, ' +
  'message_sibling_ids(chat_id, parent_id, id) AS sibling_ids';
const COLUMNS = MESSAGE_COLUMNS;
export const UNIQUE_VIOLATION = '23505';

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  chatId: row.chat_id,
  role: row.role,
  content: row.content,
  status: row.status,
  model: row.model,
  promptTokens: row.prompt_tokens,
  completionTokens: row.completion_tokens,
  createdAt: row.created_at.toISOString(),
  attachments: row.attachments ?? [],
  parentId: row.parent_id === null ? null : String(row.parent_id),
  siblingIds: (row.sibling_ids ?? [row.id]).map(String),
  feedback: row.feedback_rating ? { rating: row.feedback_rating, comment: row.feedback_comment ?? null } : null,
  errorCode: row.error_code ?? null,
});

export const one = (rows: MessageRow[]) => (rows[0] ? toMessage(rows[0]) : undefined);

/** Runs an insert that may hit a unique index; undefined means "already there". */
export async function unlessDuplicate<T>(insert: () => Promise<T>): Promise<T | undefined> {
  try {
    return await insert();
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
    throw err;
  }
}

export function createMessagesRepo(db: Queryable) {
  return {
    /** The active path in order: by id, a sequence, never by timestamp alone (ids grow along a path). */
    async listForChat(chatId: string, tx: Queryable = db): Promise<Message[]> {
      const { rows } = await tx.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE chat_id = $1 AND on_path ORDER BY id`, [chatId]);
      return rows.map(toMessage);
    },

    /** The conversation as the model reads it (messages with text, in order), but for `exceptId` (a reply being made). */
    async conversation(chatId: string, exceptId: string, tx: Queryable = db): Promise<ChatTurn[]> {
      const history = (await this.listForChat(chatId, tx)).filter((m) => m.id !== exceptId && m.content);
      return history.map(({ role, content, attachments }) => ({ role, content, ...(attachments.length > 0 ? { attachments } : {}) }));
    },

    /**
     * The `limit` messages of the active path before `beforeId` (or the newest), in conversation order, and whether older
     * exist; and the client id its newest user message was sent with (for early-start.ts, not the API).
     */
    async listPage(
      chatId: string,
      page: { limit: number; beforeId?: string },
      tx: Queryable = db,
    ): Promise<{ messages: Message[]; hasMore: boolean; newestClientMessageId?: string }> {
      const { rows } = await tx.query<MessageRow & { client_message_id: string | null }>(
        `SELECT ${COLUMNS}, client_message_id FROM messages WHERE chat_id = $1 AND on_path AND ($3::bigint IS NULL OR id < $3::bigint)
         ORDER BY id DESC LIMIT $2`,
        [chatId, page.limit + 1, page.beforeId ?? null],
      );
      const hasMore = rows.length > page.limit;
      const newestClientMessageId = rows.find((row) => row.role === 'user')?.client_message_id ?? undefined;
      return { messages: rows.slice(0, page.limit).reverse().map(toMessage), hasMore, newestClientMessageId };
    },

    async findById(id: string, tx: Queryable = db): Promise<Message | undefined> {
      return one((await tx.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = $1`, [id])).rows);
    },

    /** The active path's leaf. */
    async findLast(chatId: string, tx: Queryable = db): Promise<Message | undefined> {
      const { rows } = await tx.query<MessageRow>(
        `SELECT ${COLUMNS} FROM messages WHERE chat_id = $1 AND on_path ORDER BY id DESC LIMIT 1`,
        [chatId],
      );
      return one(rows);
    },

    /** The active path's last user message. */
    async findLastUserMessage(chatId: string, tx: Queryable = db): Promise<Message | undefined> {
      const { rows } = await tx.query<MessageRow>(
        `SELECT ${COLUMNS} FROM messages WHERE chat_id = $1 AND on_path AND role = 'user' ORDER BY id DESC LIMIT 1`,
        [chatId],
      );
      return one(rows);
    },

    async findByClientId(chatId: string, clientMessageId: string, tx: Queryable = db): Promise<Message | undefined> {
      const { rows } = await tx.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE client_message_id = $1 AND chat_id = $2`, [
        clientMessageId,
        chatId,
      ]);
      return one(rows);
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
      const { rows } = await tx.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE reply_to = $1 ORDER BY id DESC LIMIT 1`, [
        userMessageId,
      ]);
      return one(rows);
    },
  };
}

export type MessagesRepo = ReturnType<typeof createMessagesRepo>;
