import type { InstanceIdentity } from '../bus/bus.js';
import type { Queryable } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { ChatTurn, TurnAttachment } from '../llm/chat-model.js';
import { CHAT_COLUMNS, toChat, type Chat, type ChatRow } from './chats.repo.js';
import { MESSAGE_COLUMNS, UNIQUE_VIOLATION, toMessage, type Message, type MessageRow } from './messages.repo.js';

export interface StoredTurn {
  chat: Chat;
  userMessage: Message;
  placeholder: Message;
  /** The conversation before the new message (messages with text, in order). */
  history: ChatTurn[];
  /** The chat had no title and got `autoTitle`. */
  titled: boolean;
}

export type StoreTurnResult = { stored: StoredTurn } | { refused: 'chat_not_found' | 'client_message_id_taken' | 'reply_in_progress' };

/** What the one statement returns: each part as JSON, so one round trip carries it all. */
interface StoreTurnRow {
  chat: ChatRow & { created_at: string; updated_at: string };
  user_message: MessageRow & { created_at: string };
  placeholder: MessageRow & { created_at: string };
  history: ChatTurn[] | null;
  titled: boolean;
}

/** A conversation the caller holds, and how its newest message (with text) ends: checked by the store. */
export interface KnownHistory {
  turns: ChatTurn[];
  /** The newest message's id ('0' for none) and its text's MD5 in hex ('' for none): a change check, not security. */
  newestId: string;
  newestDigest: string;
}

/**
 * Stores the start of a turn in ONE statement (so one round trip, and atomic without BEGIN/COMMIT):
 * checks the chat is the user's, reads the conversation so far (the active path), inserts the user
 * message under the path's leaf and the
 * streaming reply row, and gives an untitled chat its automatic title. A second streaming reply or a
 * reused clientMessageId violates a unique index, which undoes the whole statement.
 */
export const STORE_TURN_SQL = prepared(
  'store-turn',
  `
WITH locked AS (
  -- The chat's row lock orders this send with a switch, a regenerate or an edit of the same chat.
  SELECT id, title, model, active_leaf_id FROM chats WHERE id = $1 AND user_id = $2 FOR UPDATE
), chat AS (
  -- The row is read as it is now, the messages as the statement's snapshot saw them: when the path moved
  -- meanwhile (a change committed while this waited for the lock), the two differ and nothing is
  -- stored (no row: the caller tries once more, with a new snapshot).
  SELECT locked.* FROM locked
  WHERE active_leaf_id IS NOT DISTINCT FROM (SELECT max(id) FROM messages WHERE chat_id = locked.id AND on_path)
), newest AS (
  SELECT id, md5(content) AS digest FROM messages WHERE chat_id = (SELECT id FROM chat) AND on_path AND content <> ''
  ORDER BY id DESC LIMIT 1
), history AS (
  -- NULL when the caller already holds the conversation ($11/$12: its newest message's id and the MD5 of
  -- its text, 0 and '' for none): reading a long one back is most of this statement's work (issue 17).
  SELECT CASE WHEN $11::bigint IS NOT NULL AND coalesce((SELECT id FROM newest), 0) = $11::bigint
                   AND coalesce((SELECT digest FROM newest), '') = $12::text THEN NULL
    ELSE (SELECT coalesce(json_agg(json_strip_nulls(json_build_object('role', role, 'content', content, 'attachments', attachments)) ORDER BY id), '[]')
          FROM messages WHERE chat_id = (SELECT id FROM chat) AND on_path AND content <> '') END AS turns
), asked AS (
  INSERT INTO messages (chat_id, role, content, client_message_id, attachments, parent_id)
  SELECT chat.id, 'user', $3, $4, $10::jsonb, chat.active_leaf_id FROM chat RETURNING ${MESSAGE_COLUMNS}
), reply AS (
  INSERT INTO messages (chat_id, role, content, reply_to, parent_id, model, status, heartbeat_at, owner_pid, owner_started)
  -- The chat's own model while the server still offers it ($7), else the default ($5); owned by $8/$9.
  SELECT asked.chat_id, 'assistant', '', asked.id, asked.id, CASE WHEN chat.model = ANY($7) THEN chat.model ELSE $5 END, 'streaming', now(),
         $8::int, $9::timestamptz
  FROM asked, chat RETURNING ${MESSAGE_COLUMNS}
), touched AS (
  -- The same as the messages' own trigger does, so the chat returned here is already up to date.
  UPDATE chats c SET title = coalesce(c.title, $6), updated_at = greatest(c.updated_at, now()), active_leaf_id = reply.id
  FROM chat, reply WHERE c.id = chat.id RETURNING ${CHAT_COLUMNS.split(', ')
    .map((column) => `c.${column}`)
    .join(', ')}, chat.title IS NULL AS titled
)
SELECT row_to_json(touched) AS chat, row_to_json(asked) AS user_message, row_to_json(reply) AS placeholder,
       history.turns AS history, touched.titled
FROM touched, asked, reply, history`,
);

// row_to_json gives bigint ids as JSON numbers and timestamps as strings; the mappers expect pg's types.
const fromJson = <R extends MessageRow & { created_at: string }>(row: R): MessageRow => ({
  ...row,
  id: String(row.id), // parent_id and sibling_ids: toMessage takes numbers too
  created_at: new Date(row.created_at),
});

export function createTurnsRepo(db: Queryable) {
  return {
    async storeTurn(
      input: {
        userId: string;
        chatId: string;
        content: string;
        clientMessageId: string | null;
        autoTitle: string;
        defaultModel: string;
        models: readonly string[];
        owner: InstanceIdentity | null;
        /** Checked and locked by the caller, in the transaction `tx`. */
        attachments?: readonly TurnAttachment[];
        /** Returned as the history, unread, when the stored conversation still ends as it says. */
        knownHistory?: KnownHistory;
      },
      tx: Queryable = db,
      retried = false,
    ): Promise<StoreTurnResult> {
      try {
        const { rows } = await tx.query<StoreTurnRow>(STORE_TURN_SQL, [
          input.chatId,
          input.userId,
          input.content,
          input.clientMessageId,
          input.defaultModel,
          input.autoTitle,
          input.models,
          input.owner?.pid ?? null,
          input.owner?.started ?? null,
          input.attachments?.length ? JSON.stringify(input.attachments) : null,
          input.knownHistory?.newestId ?? null,
          input.knownHistory?.newestDigest ?? null,
        ]);
        const row = rows[0];
        if (!row) return retried ? { refused: 'chat_not_found' } : this.storeTurn(input, tx, true);
        return {
          stored: {
            chat: toChat({ ...row.chat, created_at: new Date(row.chat.created_at), updated_at: new Date(row.chat.updated_at) }),
            userMessage: toMessage(fromJson(row.user_message)),
            placeholder: toMessage(fromJson(row.placeholder)),
            history: row.history ?? input.knownHistory!.turns,
            titled: row.titled,
          },
        };
      } catch (err) {
        const { code, constraint } = err as { code?: string; constraint?: string };
        if (code === UNIQUE_VIOLATION && constraint === 'messages_client_id_key') return { refused: 'client_message_id_taken' };
        if (code === UNIQUE_VIOLATION && constraint === 'messages_one_streaming_per_chat') return { refused: 'reply_in_progress' };
        throw err;
      }
    },

    /** Locks the user's chat for the rest of the transaction (regenerate, edit); false: no such chat. */
    async lockChat(userId: string, chatId: string, tx: Queryable): Promise<boolean> {
      const { rowCount } = await tx.query('SELECT 1 FROM chats WHERE id = $1 AND user_id = $2 FOR UPDATE', [chatId, userId]);
      return rowCount === 1;
    },
  };
}
