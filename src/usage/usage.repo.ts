import type { Queryable } from '../db/database.js';

export function createUsageRepo(db: Queryable) {
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

    /** Tokens the user spent today (UTC), from the usage recorded when replies ended. */
    async tokensToday(userId: string): Promise<number> {
      const { rows } = await db.query<{ total: string }>(
        `SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS total FROM usage_daily
         WHERE user_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date`,
        [userId],
      );
      return Number(rows[0]?.total ?? 0);
    },
  };
}
