import { AppError, ValidationError } from '../http/errors.js';
import { createUsageRepo, type UsageRepo } from './usage.repo.js';
import type { Database } from '../db/database.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A report's days: [from, to] as asked, by default the last 30 days; 400 when backwards or over a year. */
export function dayRange(range: { from?: string; to?: string }): { from: string; to: string } {
  const to = range.to ?? isoDay(new Date());
  const from = range.from ?? isoDay(new Date(Date.parse(to) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS));
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
  if (days < 0) throw new ValidationError('Invalid request: from must not be after to.');
  if (days >= MAX_RANGE_DAYS) throw new ValidationError(`Invalid request: ask for at most ${MAX_RANGE_DAYS} days at a time.`);
  return { from, to };
}

/** The start of the next UTC day, when the daily budget resets. */
export function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** 429 quota_exceeded: today's budget is spent (it resets at the next UTC midnight). */
export function quotaExceeded(limit: number, used: number): AppError {
  const resetsAt = nextUtcMidnight();
  const seconds = Math.max(1, Math.ceil((resetsAt.getTime() - Date.now()) / 1000));
  return new AppError(429, 'quota_exceeded', `You have used today's ${limit} tokens.`, {
    headers: { 'Retry-After': String(seconds) },
    details: [{ limit, used, resetsAt: resetsAt.toISOString() }],
  });
}

/**
 * An admitted send's share of the daily budget (see usage.repo.ts admit). A reply that takes it
 * releases it in the statement that ends the reply and charges its call; a send that stored no reply
 * releases it when it returns.
 */
export class BudgetHold {
  private taken = false;

  constructor(
    readonly id: string,
    private readonly repo: Pick<UsageRepo, 'resize' | 'release'>,
    /** REPLY_RESERVE_TOKENS: the room kept for the answer. */
    private readonly answerRoom: number,
  ) {}

  /** The send's prompt is built: the hold becomes it plus the room for the answer (not awaited). */
  resize(promptTokens: number): void {
    this.repo.resize(this.id, promptTokens + this.answerRoom).catch(() => undefined);
  }

  /** A reply owns the hold now; answers its id, for the reply's end to release. */
  take(): string {
    this.taken = true;
    return this.id;
  }

  /** After the send: released unless a reply took it (a refused send, a repeat). */
  settle(): void {
    if (!this.taken) this.repo.release(this.id).catch(() => undefined);
  }
}

/** Tokens spent per user and day (recorded by the database when a reply ends), and the daily budget. */
export function createUsageService(db: Database, budget: { enabled: boolean; dailyTokenLimit: number }, answerRoom: number) {
  const usage = createUsageRepo(db);
  /** The user's daily limit: an admin's choice for the user, else DAILY_TOKEN_LIMIT; 0 (none) with RATE_LIMITS=off. */
  const limitOf = (ownLimit: number | null) => (budget.enabled ? (ownLimit ?? budget.dailyTokenLimit) : 0);
  return {
    /**
     * Admits a send under today's budget (the user's own limit when an admin set one; 429 quota_exceeded
     * otherwise) and holds its share of it: the room for its answer now, its prompt too once built.
     * Undefined when there is no budget.
     */
    async admit(userId: string, ownLimit: number | null = null): Promise<BudgetHold | undefined> {
      const limit = limitOf(ownLimit);
      if (!limit) return undefined;
      const { used, holdId } = await usage.admit(userId, answerRoom, limit);
      if (holdId === null) throw quotaExceeded(limit, used);
      return new BudgetHold(holdId, usage, answerRoom);
    },

    pruneHolds: (): Promise<void> => usage.pruneHolds(),

    /** A call that is not a reply (a title), charged when it ends. */
    charge: (userId: string, model: string, tokens: { promptTokens: number; completionTokens: number }): Promise<void> =>
      usage.charge(userId, model, tokens.promptTokens, tokens.completionTokens),

    limitOf,

    /** Tokens per day and model over [from, to] (default: the last 30 days), and what is left of today's budget. */
    async report(userId: string, range: { from?: string; to?: string }, ownLimit: number | null) {
      const dailyTokenLimit = limitOf(ownLimit);
      const { from, to } = dayRange(range);

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
