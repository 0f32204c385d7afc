import type { InstanceIdentity } from '../bus/bus.js';
import type { Queryable } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { TokenUsage } from '../llm/chat-model.js';
import { chargeParams, charging, type Charge } from './reply-charge.js';
import { MESSAGE_COLUMNS, one, toMessage, unlessDuplicate, type Message, type MessageRow, type MessageStatus } from './messages.repo.js';

export interface ReplyEnding {
  content: string;
  status: Exclude<MessageStatus, 'streaming'>;
  model: string;
  usage?: TokenUsage;
  /** With status `error`: the error's code, kept so the reason shows after a reload. */
  errorCode?: string;
}

/** Which streaming replies count as abandoned (their instance is gone). */
export interface DeadReplies {
  /** One chat, or every chat (start-up, the periodic backstop). */
  chatId?: string;
  /** Embedded database (one process): every streaming reply but these is abandoned. */
  liveInProcess?: readonly string[];
  /** Also abandoned: replies not saved for this long, whoever owns them (a wedged generation). */
  staleMs: number;
  /**
   * A reply whose owner's database session is gone counts as abandoned only once it also went unsaved
   * this long: an owner whose connections were cut connects again (its bus session with a new pid, which
   * it then re-claims its replies with), and its saves go on meanwhile through its pool.
   */
  ownerGoneAfterMs: number;
}

/** After removing replies (the CTE \`removed\`: id, chat_id, parent_id): a chat whose leaf one was ends at its parent again. */
const leafBack = (removed: string) => `leaf_back AS (
  UPDATE chats c SET active_leaf_id = ${removed}.parent_id FROM ${removed} WHERE c.id = ${removed}.chat_id AND c.active_leaf_id = ${removed}.id
)`;

/**
 * Ends a streaming reply and charges its call (the send's second statement, prepared). A reply that is
 * no longer streaming (ended already, or by the orphan sweep) is left as it is and returned as stored.
 */
const END_REPLY_SQL = prepared(
  'end-reply',
  `WITH done AS (
     UPDATE messages SET content = $2, status = $3, model = $4, prompt_tokens = $5, completion_tokens = $6,
       error_code = $7, heartbeat_at = NULL WHERE id = $1 AND status = 'streaming' RETURNING ${MESSAGE_COLUMNS}
   ), ${charging(8)}
   SELECT ${MESSAGE_COLUMNS} FROM done
   UNION ALL SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM done)`,
);

/**
 * The assistant rows a generation writes into while it runs: created `streaming` (at most one per chat,
 * by a unique index) with the database session of the instance that owns it, saved as the text grows,
 * ended with a status (and the call charged), stopped or taken over from outside.
 */
export function createRepliesRepo(db: Queryable) {
  return {
    /** The row a generation writes into, under `replyTo` and the active path's new leaf. Undefined when the chat already has one streaming. */
    insertStreamingReply(chatId: string, replyTo: string, model: string, owner: InstanceIdentity | null, tx: Queryable = db) {
      return unlessDuplicate(async () => {
        const { rows } = await tx.query<MessageRow>(
          `WITH reply AS (
             INSERT INTO messages (chat_id, role, content, reply_to, parent_id, model, status, heartbeat_at, owner_pid, owner_started)
             VALUES ($1, 'assistant', '', $2, $2, $3, 'streaming', now(), $4, $5) RETURNING ${MESSAGE_COLUMNS}
           ), leaf AS (UPDATE chats SET active_leaf_id = (SELECT id FROM reply) WHERE id = $1)
           SELECT * FROM reply`,
          [chatId, replyTo, model, owner?.pid ?? null, owner?.started ?? null],
        );
        return toMessage(rows[0]!);
      });
    },

    /**
     * Saves the text so far of several replies (a null text: unchanged, only marked alive), in one
     * statement; a reply that has ended meanwhile is left alone. Answers those someone (maybe on another
     * instance) asked to stop.
     */
    async saveProgress(ids: string[], contents: (string | null)[], tx: Queryable = db): Promise<string[]> {
      // The texts go as one JSON array, not a text[] parameter: pg writes an array literal by escaping
      // every element in JavaScript, ~80 ms of the event loop for 2,000 replies of 2 KB, against ~6 ms
      // for JSON.stringify. PostgreSQL refuses a lone surrogate in JSON, so a misbehaving model's is saved
      // as U+FFFD rather than failing every reply's save (generations never cut a pair themselves).
      const texts = JSON.stringify(contents.map((text) => (text === null || text.isWellFormed() ? text : text.toWellFormed())));
      const { rows } = await tx.query<{ id: string }>(
        `WITH v AS (
           SELECT i.id, t.content
           FROM unnest($1::bigint[]) WITH ORDINALITY AS i (id, n)
           JOIN json_array_elements_text($2::json) WITH ORDINALITY AS t (content, n) USING (n)
         ), saved AS (
           UPDATE messages m SET content = coalesce(v.content, m.content), heartbeat_at = now()
           FROM v
           WHERE m.id = v.id AND m.status = 'streaming'
           RETURNING m.id, m.stop_requested
         )
         SELECT id::text FROM saved WHERE stop_requested`,
        [ids, texts],
      );
      return rows.map((row) => row.id);
    },

    /**
     * Ends the reply with its text and status and charges the call, in one statement. A reply stopped
     * before its first word ends so too, empty (the conversation shows it was stopped); its call is
     * charged only if the server read the prompt (`usage`).
     */
    async end(id: string, ending: ReplyEnding, charge?: Charge): Promise<Message | undefined> {
      const { rows } = await db.query<MessageRow>(END_REPLY_SQL, [
        id,
        ending.content,
        ending.status,
        ending.model,
        ending.usage?.promptTokens ?? null,
        ending.usage?.completionTokens ?? null,
        ending.errorCode ?? null,
        ...chargeParams(charge, ending.content !== '' || Boolean(charge?.usage)),
      ]);
      return one(rows);
    },

    /** Removes a streaming reply that failed before its first word (its message is answered again by a retry), charging the call if it was made. */
    async remove(id: string, charge?: Charge): Promise<void> {
      await db.query(
        `WITH done AS (DELETE FROM messages WHERE id = $1 AND status = 'streaming' RETURNING id, chat_id, parent_id), ${leafBack('done')}, ${charging(2)} SELECT 1`,
        [id, ...chargeParams(charge, Boolean(charge?.usage))],
      );
    },

    async findStreaming(chatId: string, tx: Queryable = db): Promise<(Message & { replyTo: string }) | undefined> {
      const { rows } = await tx.query<MessageRow & { reply_to: string }>(
        `SELECT ${MESSAGE_COLUMNS}, reply_to FROM messages WHERE chat_id = $1 AND status = 'streaming'`,
        [chatId],
      );
      return rows[0] && { ...toMessage(rows[0]), replyTo: rows[0].reply_to };
    },

    /** Flags the chat's streaming reply to stop (its owner reads the flag at its next save); its id. */
    async requestStop(chatId: string, tx: Queryable = db): Promise<string | undefined> {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE messages SET stop_requested = true WHERE chat_id = $1 AND status = 'streaming' RETURNING id`,
        [chatId],
      );
      return rows[0]?.id;
    },

    /** After this instance's session was made again: its replies name the new one. */
    async reclaim(ids: readonly string[], owner: InstanceIdentity): Promise<void> {
      await db.query(`UPDATE messages SET owner_pid = $2, owner_started = $3 WHERE id = ANY($1::bigint[]) AND status = 'streaming'`, [
        ids,
        owner.pid,
        owner.started,
      ]);
    },

    /**
     * Ends abandoned streaming replies: those whose owner's database session is gone (so its process is),
     * or, on the embedded database, every one no live instance of this process holds. Rows with text end
     * as `error` with what they had; empty ones are removed. Answers how many.
     */
    async endAbandoned(which: DeadReplies, tx: Queryable = db): Promise<number> {
      const { rows } = await tx.query<{ ended: number }>(
        `WITH abandoned AS (
           SELECT m.id, m.content FROM messages m
           WHERE m.status = 'streaming' AND ($1::uuid IS NULL OR m.chat_id = $1)
             AND (m.heartbeat_at IS NULL OR m.heartbeat_at < now() - make_interval(secs => $4)
               OR CASE WHEN $2 THEN NOT (m.id = ANY($3::bigint[]))
                       ELSE m.owner_pid IS NOT NULL AND m.heartbeat_at < now() - make_interval(secs => $5) AND NOT EXISTS (
                         SELECT 1 FROM pg_stat_activity a WHERE a.pid = m.owner_pid AND a.backend_start = m.owner_started) END)
           FOR UPDATE OF m SKIP LOCKED
         ), ended AS (
           UPDATE messages SET status = 'error', error_code = 'reply_interrupted', heartbeat_at = NULL FROM abandoned
           WHERE messages.id = abandoned.id AND abandoned.content <> '' RETURNING messages.id
         ), removed AS (
           DELETE FROM messages USING abandoned WHERE messages.id = abandoned.id AND abandoned.content = ''
           RETURNING messages.id, messages.chat_id, messages.parent_id
         ), ${leafBack('removed')}
         SELECT ((SELECT count(*) FROM ended) + (SELECT count(*) FROM removed))::int AS ended`,
        [
          which.chatId ?? null,
          which.liveInProcess !== undefined,
          which.liveInProcess ?? [],
          which.staleMs / 1000,
          which.ownerGoneAfterMs / 1000,
        ],
      );
      return rows[0]?.ended ?? 0;
    },
  };
}

export type RepliesRepo = ReturnType<typeof createRepliesRepo>;
