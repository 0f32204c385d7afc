import type { Queryable } from '../db/database.js';
import type { TokenUsage } from '../llm/chat-model.js';
import { MESSAGE_COLUMNS, one, toMessage, unlessDuplicate, type Message, type MessageRow, type MessageStatus } from './messages.repo.js';

/**
 * The assistant rows a generation writes into while it runs: created `streaming` (at most one per chat,
 * by a unique index), saved as the text grows, ended with a status, and stopped or swept from outside.
 */
export function createRepliesRepo(db: Queryable) {
  return {
    /** The row a generation writes into. Undefined when the chat already has one streaming. */
    insertStreamingReply(chatId: string, replyTo: string, model: string, tx: Queryable = db) {
      return unlessDuplicate(async () => {
        const { rows } = await tx.query<MessageRow>(
          `INSERT INTO messages (chat_id, role, content, reply_to, model, status, heartbeat_at)
           VALUES ($1, 'assistant', '', $2, $3, 'streaming', now()) RETURNING ${MESSAGE_COLUMNS}`,
          [chatId, replyTo, model],
        );
        return toMessage(rows[0]!);
      });
    },

    /** Saves the text so far; answers whether someone asked (maybe on another instance) to stop. */
    async saveProgress(id: string, content: string, tx: Queryable = db): Promise<boolean> {
      const { rows } = await tx.query<{ stop_requested: boolean }>(
        `UPDATE messages SET content = $2, heartbeat_at = now() WHERE id = $1 RETURNING stop_requested`,
        [id, content],
      );
      return rows[0]?.stop_requested ?? false;
    },

    async finish(
      id: string,
      ending: { content: string; status: Exclude<MessageStatus, 'streaming'>; model: string; usage?: TokenUsage },
      tx: Queryable = db,
    ): Promise<Message | undefined> {
      const { rows } = await tx.query<MessageRow>(
        `UPDATE messages SET content = $2, status = $3, model = $4, prompt_tokens = $5, completion_tokens = $6,
           heartbeat_at = NULL WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
        [id, ending.content, ending.status, ending.model, ending.usage?.promptTokens ?? null, ending.usage?.completionTokens ?? null],
      );
      return one(rows);
    },

    async delete(id: string, tx: Queryable = db): Promise<void> {
      await tx.query('DELETE FROM messages WHERE id = $1', [id]);
    },

    async findStreaming(chatId: string, tx: Queryable = db): Promise<(Message & { replyTo: string }) | undefined> {
      const { rows } = await tx.query<MessageRow & { reply_to: string }>(
        `SELECT ${MESSAGE_COLUMNS}, reply_to FROM messages WHERE chat_id = $1 AND status = 'streaming'`,
        [chatId],
      );
      return rows[0] && { ...toMessage(rows[0]), replyTo: rows[0].reply_to };
    },

    async requestStop(chatId: string, tx: Queryable = db): Promise<string | undefined> {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE messages SET stop_requested = true WHERE chat_id = $1 AND status = 'streaming' RETURNING id`,
        [chatId],
      );
      return rows[0]?.id;
    },

    /**
     * Generations whose process died (no flush for `staleMs`): rows with text end as `error` with what
     * they had; empty ones are removed, so no chat shows a stuck or empty reply.
     */
    async endOrphans(staleMs: number, tx: Queryable = db): Promise<number> {
      const stale = `status = 'streaming' AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $1))`;
      const ended = await tx.query(`UPDATE messages SET status = 'error', heartbeat_at = NULL WHERE ${stale} AND content <> ''`, [
        staleMs / 1000,
      ]);
      const removed = await tx.query(`DELETE FROM messages WHERE ${stale} AND content = ''`, [staleMs / 1000]);
      return (ended.rowCount ?? 0) + (removed.rowCount ?? 0);
    },
  };
}

export type RepliesRepo = ReturnType<typeof createRepliesRepo>;
