import type { Queryable } from '../db/database.js';
import { MESSAGE_COLUMNS, toMessage, type Message, type MessageRow } from './messages.repo.js';

/** The messages from a chat's first one down to `$2` (of chat `$1`), as `up` (id, parent_id, …). */
const ANCESTORS = `RECURSIVE up AS (
  SELECT id, parent_id FROM messages WHERE id = $2 AND chat_id = $1
  UNION ALL
  SELECT m.id, m.parent_id FROM messages m JOIN up ON m.id = up.parent_id
)`;

/**
 * The tree's side of messages (issue 31): which path is active, what lies under a message, a path's
 * copy. Every change of the active path goes through `setPath`, which keeps both of its records: the
 * messages' `on_path` (what reads use) and the chat's `active_leaf_id` (what a send checks).
 */
export function createBranchesRepo(db: Queryable) {
  return {
    /** Makes root → `leafId` the chat's active path (null: no path, before a new first message). */
    async setPath(chatId: string, leafId: string | null, tx: Queryable): Promise<void> {
      await tx.query(
        `WITH ${ANCESTORS}, moved AS (
           UPDATE messages m SET on_path = m.id IN (SELECT id FROM up)
           WHERE m.chat_id = $1 AND (m.on_path OR m.id IN (SELECT id FROM up)) AND m.on_path <> (m.id IN (SELECT id FROM up))
         )
         UPDATE chats SET active_leaf_id = $2 WHERE id = $1`,
        [chatId, leafId],
      );
    },

    /** The most recently created message in `messageId`'s subtree (a leaf); undefined: no such message in this chat. */
    async newestLeafUnder(chatId: string, messageId: string, tx: Queryable = db): Promise<string | undefined> {
      const { rows } = await tx.query<{ id: string | null }>(
        `WITH RECURSIVE down AS (
           SELECT id FROM messages WHERE id = $2 AND chat_id = $1
           UNION ALL
           SELECT m.id FROM messages m JOIN down ON m.parent_id = down.id
         )
         SELECT max(id) AS id FROM down`,
        [chatId, messageId],
      );
      return rows[0]?.id ?? undefined;
    },

    /** A user message added beside another (an edit): under `parentId`, on the path (set to its parent just before). */
    async insertUserMessage(chatId: string, parentId: string | null, content: string, tx: Queryable): Promise<Message> {
      const { rows } = await tx.query<MessageRow>(
        `INSERT INTO messages (chat_id, role, content, parent_id) VALUES ($1, 'user', $2, $3) RETURNING ${MESSAGE_COLUMNS}`,
        [chatId, content, parentId],
      );
      return toMessage(rows[0]!);
    },

    /** The messages from the chat's first one down to `messageId`, in order; empty: no such message in this chat. */
    async pathTo(chatId: string, messageId: string, tx: Queryable = db): Promise<Message[]> {
      const { rows } = await tx.query<MessageRow>(
        `WITH ${ANCESTORS} SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id IN (SELECT id FROM up) ORDER BY id`,
        [chatId, messageId],
      );
      return rows.map(toMessage);
    },

    /**
     * Copies `path` (settled messages, in order) into chat `toChatId` as its whole conversation, each
     * under the one before; the ids of the copies, in order. Files are linked by the caller.
     */
    async copyPath(toChatId: string, path: readonly Message[], tx: Queryable): Promise<string[]> {
      const ids = await insertInOrder(toChatId, path, tx);
      await linkInOrder(toChatId, ids, tx);
      return ids;
    },
  };
}

/** Settled messages to add to a chat, in order (its own, copied, or imported). */
export type MessageToInsert = Pick<Message, 'role' | 'content' | 'model' | 'promptTokens' | 'completionTokens' | 'createdAt'> & {
  status: string;
  feedback?: Message['feedback'];
  errorCode?: string | null;
};

/** Adds `messages` to chat `chatId` in one statement; their new ids, in the same order (not yet linked). */
export async function insertInOrder(chatId: string, messages: readonly MessageToInsert[], tx: Queryable): Promise<string[]> {
  // As one JSON parameter, not arrays: pg writes an array literal by escaping every element in
  // JavaScript, which for a 25 MB import held the event loop for about half a second.
  const rows = messages.map((m) => ({
    role: m.role,
    content: m.content,
    status: m.status,
    model: m.model,
    prompt_tokens: m.promptTokens,
    completion_tokens: m.completionTokens,
    created_at: m.createdAt,
    feedback_rating: m.feedback?.rating ?? null,
    feedback_comment: m.feedback?.comment ?? null,
    error_code: m.status === 'error' ? (m.errorCode ?? null) : null,
  }));
  const { rows: inserted } = await tx.query<{ id: string }>(
    `INSERT INTO messages (chat_id, role, content, status, model, prompt_tokens, completion_tokens, created_at, feedback_rating, feedback_comment,
                           error_code)
     SELECT $1, role, content, status, model, prompt_tokens, completion_tokens, created_at, feedback_rating, feedback_comment, error_code
     FROM json_to_recordset($2::json)
       AS x (role text, content text, status text, model text, prompt_tokens int, completion_tokens int, created_at timestamptz,
             feedback_rating text, feedback_comment text, error_code text)
     RETURNING id`,
    [chatId, JSON.stringify(rows)],
  );
  // Identity ids grow in insertion order, which is the messages' order.
  return inserted.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

/** Makes `ids` (a chat's messages, in order) one path: each under the one before, the last the leaf. */
export async function linkInOrder(chatId: string, ids: readonly string[], tx: Queryable): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `WITH chain AS (SELECT id, lag(id) OVER (ORDER BY id) AS parent FROM unnest($2::bigint[]) AS id),
     linked AS (
       UPDATE messages m SET parent_id = chain.parent FROM chain WHERE m.id = chain.id AND chain.parent IS NOT NULL
     )
     UPDATE chats SET active_leaf_id = $3 WHERE id = $1`,
    [chatId, ids, ids.at(-1)],
  );
}

export type BranchesRepo = ReturnType<typeof createBranchesRepo>;
