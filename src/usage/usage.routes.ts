import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { ValidationError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import { createUsageRepo, nextUtcMidnight } from './usage.repo.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RANGE_DAYS = 366;
const Day = z.iso.date('Use a date like 2026-01-31.');
export const UsageQuery = z.object({ from: Day.optional(), to: Day.optional() });
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** GET /api/usage?from=&to=: tokens per day and per model, and what is left of today's budget. */
export function createUsageRouter(db: Database, dailyTokenLimit: number): Router {
  const usage = createUsageRepo(db);
  const router = Router();
  router.get('/', requireUser, withInput({ query: UsageQuery }, async ({ query }, req, res) => {
    const userId = currentUser(req).id;
    const to = query.to ?? isoDay(new Date());
    const from = query.from ?? isoDay(new Date(Date.parse(to) - 29 * DAY_MS));
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (days < 0) throw new ValidationError('Invalid request: from must not be after to.');
    if (days >= MAX_RANGE_DAYS) throw new ValidationError(`Invalid request: ask for at most ${MAX_RANGE_DAYS} days at a time.`);

    const [perDay, usedToday] = await Promise.all([usage.perDay(userId, from, to), usage.tokensToday(userId)]);
    const totals = perDay.reduce(
      (sum, d) => ({ promptTokens: sum.promptTokens + d.promptTokens, completionTokens: sum.completionTokens + d.completionTokens }),
      { promptTokens: 0, completionTokens: 0 },
    );
    res.json({
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
    });
  }));
  return router;
}
