import { ValidationError } from '../http/errors.js';
import { createUsageRepo } from './usage.repo.js';
import type { Queryable } from '../db/database.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The start of the next UTC day, when the daily budget resets. */
export function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** Tokens spent per user and day (recorded by the database when a reply ends), and the daily budget. */
export function createUsageService(db: Queryable, dailyTokenLimit: number) {
  const usage = createUsageRepo(db);
  return {
    tokensToday: (userId: string): Promise<number> => usage.tokensToday(userId),

    /** Tokens per day and model over [from, to] (default: the last 30 days), and what is left of today's budget. */
    async report(userId: string, range: { from?: string; to?: string }) {
      const to = range.to ?? isoDay(new Date());
      const from = range.from ?? isoDay(new Date(Date.parse(to) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS));
      const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
      if (days < 0) throw new ValidationError('Invalid request: from must not be after to.');
      if (days >= MAX_RANGE_DAYS) throw new ValidationError(`Invalid request: ask for at most ${MAX_RANGE_DAYS} days at a time.`);

      const [perDay, usedToday] = await Promise.all([usage.perDay(userId, from, to), usage.tokensToday(userId)]);
      const totals = perDay.reduce(
        (sum, d) => ({ promptTokens: sum.promptTokens + d.promptTokens, completionTokens: sum.completionTokens + d.completionTokens }),
        { promptTokens: 0, completionTokens: 0 },
      );
      return {
        from,
        to,
        days: perDay,
        totals,
        today: {
          used: usedToday,
          limit: dailyTokenLimit || null,
          remaining: dailyTokenLimit ? Math.max(0, dailyTokenLimit - usedToday) : null,
          resetsAt: nextUtcMidnight().toISOString(),
        },
      };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
