import type { Queryable } from '../db/database.js';
import type { TurnAttachment } from '../llm/chat-model.js';
import { insertInOrder } from './branches.repo.js';
import { CHAT_COLUMNS, toChat, type Chat, type ChatRow } from './chats.repo.js';
import type { Feedback } from './messages.repo.js';

export interface ExportedMessage {
  /** Its id here: a label within the export, for `parentId` and the chat's `activeLeafId`. */
  id?: string;
  /** The message it answers or follows; null: a first message; absent (older exports): the one before. */
  parentId?: string | null;
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'stopped' | 'error';
  model: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  createdAt: string;
  /** The files sent with it; `data` (base64) only in exports with files and imports restoring them. */
  attachments: (TurnAttachment & { data?: string })[];
  /** A reply's 👍 / 👎 (absent: none). */
  feedback?: Feedback | null;
  /** Why a reply ended in `error` (absent: not known). */
  errorCode?: string | null;
}

/** A chat as exported: everything but its id (an import gives it a new one), with its messages. */
export type ExportedChat = Omit<Chat, 'id'> & {
  /** Every message of every branch, each after its parent. */
  messages: ExportedMessage[];
  /** The last message of the active path (absent: the last message). */
  activeLeafId?: string | null;
};

interface ExportRow {
  id: string;
  parent_id: string | null;
  chat_id: string;
  role: 'user' | 'assistant';
  content: string;
  status: ExportedMessage['status'] | 'streaming';
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  created_at: Date;
  attachments: TurnAttachment[] | null;
  feedback_rating: Feedback['rating'] | null;
  feedback_comment: string | null;
  error_code: string | null;
}

/**
 * Gives imported messages (`ids`, in the export's order) the export's tree and active path: each under
 * its `parentId` (absent, in older exports: the message before), the path from the first message to
 * `activeLeafId` (absent: the last message) and on to the newest leaf beneath it.
 */
async function restoreTree(chatId: string, chat: ExportedChat, ids: readonly string[], tx: Queryable): Promise<void> {
  const index = new Map(chat.messages.flatMap((m, i) => (m.id === undefined ? [] : [[m.id, i] as const])));
  const parents = chat.messages.map((m, i) => (m.parentId === undefined ? i - 1 : m.parentId === null ? -1 : index.get(m.parentId)!));
  const { leaf, path: onPath } = activePath(parents, chat.activeLeafId ? index.get(chat.activeLeafId)! : ids.length - 1);
  const rows = ids.map((id, i) => ({ id, parent: parents[i]! >= 0 ? ids[parents[i]!] : null, on_path: onPath.has(i) }));
  await tx.query(
    `WITH tree AS (
       UPDATE messages m SET parent_id = x.parent, on_path = x.on_path
       FROM json_to_recordset($2::json) AS x (id bigint, parent bigint, on_path boolean) WHERE m.id = x.id
     )
     UPDATE chats SET active_leaf_id = $3 WHERE id = $1`,
    [chatId, JSON.stringify(rows), ids[leaf]],
  );
}

/**
 * The active path of a tree given in order (`parents[i]` < i, -1 for a first message): from the first
 * message down through `through` to the newest message beneath it. One pass each way, whatever the
 * tree's shape (an import may hold 100,000 messages).
 */
export function activePath(parents: readonly number[], through: number): { leaf: number; path: Set<number> } {
  // Parents come before their children: one forward pass marks the subtree, the last marked is the newest.
  const under = new Uint8Array(parents.length);
  let leaf = through;
  for (let i = through; i < parents.length; i++) {
    if (i !== through && !(parents[i]! >= 0 && under[parents[i]!])) continue;
    under[i] = 1;
    leaf = i;
  }
  const path = new Set<number>();
  for (let i = leaf; i >= 0; i = parents[i]!) path.add(i);
  return { leaf, path };
}

/** Whole chats in and out (export and import): the chats feature's bulk side. */
export function createArchiveRepo(db: Queryable) {
  return {
    /** Every chat of the user (or one), with its messages in order: two queries, whatever the size. */
    async exportChats(userId: string, chatId?: string): Promise<ExportedChat[]> {
      const { rows: chats } = await db.query<ChatRow & { active_leaf_id: string | null }>(
        `SELECT ${CHAT_COLUMNS}, active_leaf_id FROM chats
         WHERE user_id = $1 AND ($2::uuid IS NULL OR id = $2) ORDER BY created_at, id`,
        [userId, chatId ?? null],
      );
      const { rows: messages } = await db.query<ExportRow>(
        `SELECT m.id, m.parent_id, m.chat_id, m.role, m.content, m.status, m.model, m.prompt_tokens, m.completion_tokens, m.created_at, m.attachments,
                m.feedback_rating, m.feedback_comment, m.error_code
         FROM messages m JOIN chats c ON c.id = m.chat_id
         WHERE c.user_id = $1 AND ($2::uuid IS NULL OR c.id = $2)
         ORDER BY m.chat_id, m.id`,
        [userId, chatId ?? null],
      );
      const byChat = new Map<string, ExportedMessage[]>();
      for (const m of messages) {
        if (m.status === 'streaming') continue;
        const list = byChat.get(m.chat_id) ?? [];
        list.push({
          id: m.id,
          parentId: m.parent_id,
          role: m.role,
          content: m.content,
          status: m.status as ExportedMessage['status'],
          model: m.model,
          promptTokens: m.prompt_tokens,
          completionTokens: m.completion_tokens,
          createdAt: m.created_at.toISOString(),
          attachments: m.attachments ?? [],
          ...(m.feedback_rating ? { feedback: { rating: m.feedback_rating, comment: m.feedback_comment } } : {}),
          ...(m.error_code ? { errorCode: m.error_code } : {}),
        });
        byChat.set(m.chat_id, list);
      }
      // A reply still being written is left out: the path then ends at the message it answers.
      const streaming = new Map(messages.filter((m) => m.status === 'streaming').map((m) => [m.id, m.parent_id]));
      // The chat's id is not exported (an import makes a new one); its messages' ids are labels.
      return chats.map((row) => {
        const { id, ...chat } = toChat(row);
        const leaf = row.active_leaf_id && streaming.has(row.active_leaf_id) ? streaming.get(row.active_leaf_id)! : row.active_leaf_id;
        return { ...chat, messages: byChat.get(id) ?? [], activeLeafId: leaf };
      });
    },

    /** Bytes of text the user keeps (for the storage cap): messages, titles and system prompts. */
    async storedBytes(userId: string): Promise<number> {
      const { rows } = await db.query<{ bytes: string }>(
        `SELECT (SELECT coalesce(sum(octet_length(m.content)), 0) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.user_id = $1)
              + (SELECT coalesce(sum(coalesce(octet_length(title), 0) + coalesce(octet_length(system_prompt), 0)), 0) FROM chats WHERE user_id = $1)
              AS bytes`,
        [userId],
      );
      return Number(rows[0]?.bytes ?? 0);
    },

    /** Adds one imported chat (new ids; timestamps kept) with all its messages in one statement; their new ids in order. */
    async importChat(userId: string, chat: ExportedChat, tx: Queryable): Promise<{ chatId: string; messageIds: string[] }> {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO chats (user_id, title, system_prompt, model, pinned, archived, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [userId, chat.title, chat.systemPrompt, chat.model, chat.pinned, chat.archived, chat.createdAt, chat.updatedAt],
      );
      const chatId = rows[0]!.id;
      const m = chat.messages;
      let messageIds: string[] = [];
      if (m.length > 0) {
        messageIds = await insertInOrder(chatId, m, tx);
        await restoreTree(chatId, chat, messageIds, tx);
      }
      // The message trigger made the chat "active now"; keep the imported activity time instead.
      await tx.query('UPDATE chats SET updated_at = $2 WHERE id = $1', [chatId, chat.updatedAt]);
      return { chatId, messageIds };
    },

    /** Lists a message's (restored) attachments on it, as every payload shows them. */
    async setAttachments(messageId: string, attachments: readonly TurnAttachment[], tx: Queryable): Promise<void> {
      await tx.query('UPDATE messages SET attachments = $2::jsonb WHERE id = $1', [messageId, JSON.stringify(attachments)]);
    },
  };
}
