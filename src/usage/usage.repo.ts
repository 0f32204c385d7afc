import type { Database } from '../db/database.js';

const TODAY = `(now() AT TIME ZONE 'UTC')::date`;
/** A hold older than this belongs to a process that died (no reply streams for an hour): ignored, then deleted. */
const HOLD_LIFE = `interval '1 hour'`;

export function createUsageRepo(db: Database) {
  return {
    async perDay(userId: string, from: string, to: string) {
      const { rows } = await db.query<{ day: string; model: string; prompt_tokens: string; completion_tokens: string; replies: number }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, model, prompt_tokens, completion_tokens, replies FROM usage_daily
         WHERE user_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day, model`,
        [userId, from, to],
      );
      return rows.map((r) => ({
        day: r.day,
        model: r.model,
        promptTokens: Number(r.prompt_tokens),
        completionTokens: Number(r.completion_tokens),
        replies: r.replies,
      }));
    },

    /** Adds a call that is not a reply (a title) to the user's day: tokens only, no reply counted. */
    async charge(userId: string, model: string, promptTokens: number, completionTokens: number): Promise<void> {
      await db.query(
        `INSERT INTO usage_daily (user_id, day, model, prompt_tokens, completion_tokens, replies)
         SELECT id, ${TODAY}, $2, $3, $4, 0 FROM users WHERE id = $1
         ON CONFLICT (user_id, day, model) DO UPDATE SET
           prompt_tokens = usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,
           completion_tokens = usage_daily.completion_tokens + EXCLUDED.completion_tokens`,
        [userId, model, promptTokens, completionTokens],
      );
    },

    /**
     * Admits a send if what the user spent today and holds for unfinished sends is under `limit`, and
     * then holds `tokens` for it: one admission per user at a time (an advisory lock for the
     * transaction), each seeing the holds committed before it, so concurrent sends cannot all pass.
     */
    admit(userId: string, tokens: number, limit: number): Promise<{ used: number; holdId: string | null }> {
      return db.withTransaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('token-budget:' || $1, 0))`, [userId]);
        const { rows } = await tx.query<{ used: string; hold_id: string | null }>(
          `WITH totals AS (
             SELECT (SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM usage_daily WHERE user_id = $1 AND day = ${TODAY}) AS used,
                    (SELECT coalesce(sum(tokens), 0) FROM token_reservations WHERE user_id = $1 AND created_at > now() - ${HOLD_LIFE}) AS held
           ), hold AS (
             INSERT INTO token_reservations (user_id, tokens) SELECT $1, $2 FROM totals WHERE used + held < $3 RETURNING id
           )
           SELECT used, (SELECT id::text FROM hold) AS hold_id FROM totals`,
          [userId, tokens, limit],
        );
        return { used: Number(rows[0]!.used), holdId: rows[0]!.hold_id };
      });
    },

    /** A hold's size once the send's prompt is known. */
    async resize(holdId: string, tokens: number): Promise<void> {
      await db.query('UPDATE token_reservations SET tokens = $2 WHERE id = $1', [holdId, tokens]);
    },

    /** Ends a hold (its send stored no reply, or the reply's end could not say so). */
    async release(holdId: string): Promise<void> {
      await db.query('DELETE FROM token_reservations WHERE id = $1', [holdId]);
    },

    /** Deletes the holds of processes that died (ignored already: past their life) and old once-only charge keys. */
    async pruneHolds(): Promise<void> {
      await db.query(`DELETE FROM token_reservations WHERE created_at <= now() - ${HOLD_LIFE}`);
      await db.query(`DELETE FROM reply_charges WHERE charged_at <= now() - interval '2 days'`);
    },

    /** Tokens the user spent today (UTC), from the usage recorded when replies ended. */
    async tokensToday(userId: string): Promise<number> {
      const { rows } = await db.query<{ total: string }>(
        `SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS total FROM usage_daily
         WHERE user_id = $1 AND day = ${TODAY}`,
        [userId],
      );
      return Number(rows[0]?.total ?? 0);
    },
  };
}

export type UsageRepo = ReturnType<typeof createUsageRepo>;
