import { createHash } from 'node:crypto';
import type { LimitsConfig } from '../config.js';
import { AppError } from '../http/errors.js';
import type { Queryable } from '../db/database.js';
import { nextUtcMidnight, type UsageService } from '../usage/usage.service.js';
import { createPgCounterStore, createRedisCounterStore, type Counter, type CounterStore } from './counter-store.js';

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
const MAX_SLOWDOWN_MS = 5000;

export function tooManyRequests(code: string, message: string, until: Date, details?: unknown[]): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError(429, code, message, { headers: { 'Retry-After': String(seconds) }, details });
}

// Emails are counted under a hash: the limits table needs no personal data.
const accountKey = (email: string) => `login:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
const ipKey = (ip: string) => `login:ip:${ip}`;
const over = (counter: Counter | undefined, max: number) => counter !== undefined && counter.count >= max;

/**
 * Abuse and cost limits. Counts live in a shared store, so they hold across app instances and restarts.
 * With RATE_LIMITS=off every check passes.
 */
export function createLimits(config: LimitsConfig, store: CounterStore, usage: Pick<UsageService, 'tokensToday'>) {
  const { login } = config;
  return {
    /** Refuses a login attempt while the account or the IP is locked out by failed attempts. */
    async checkLogin(ip: string, email: string): Promise<void> {
      if (!config.enabled) return;
      const [byIp, byAccount] = await Promise.all([store.peek(ipKey(ip)), store.peek(accountKey(email))]);
      const locked = [over(byIp, login.maxFailuresPerIp) && byIp, over(byAccount, login.maxFailuresPerAccount) && byAccount]
        .filter((c): c is Counter => Boolean(c))
        .sort((a, b) => b.resetAt.getTime() - a.resetAt.getTime())[0];
      if (locked) {
        throw tooManyRequests('too_many_attempts', 'Too many failed logins. Try again later.', locked.resetAt);
      }
    },

    /** Counts a failed login; answers how long to delay the reply (slowing down before the lockout). */
    async loginFailed(ip: string, email: string): Promise<number> {
      if (!config.enabled) return 0;
      const [byIp, byAccount] = await Promise.all([
        store.hit(ipKey(ip), login.windowMs),
        store.hit(accountKey(email), login.windowMs),
      ]);
      const excess = Math.max(
        byIp.count - Math.floor(login.maxFailuresPerIp / 2),
        byAccount.count - Math.floor(login.maxFailuresPerAccount / 2),
        0,
      );
      return Math.min(MAX_SLOWDOWN_MS, excess * login.slowdownMs);
    },

    async loginSucceeded(email: string): Promise<void> {
      if (config.enabled) await store.reset(accountKey(email));
    },

    async register(ip: string): Promise<void> {
      if (!config.enabled) return;
      const counter = await store.hit(`register:ip:${ip}`, HOUR_MS);
      if (counter.count > config.registerPerIpPerHour) {
        throw tooManyRequests('too_many_registrations', 'Too many accounts created from this address. Try again later.', counter.resetAt);
      }
    },

    /** Before a message costs money: the per-minute rate and the daily token budget. */
    async beforeSend(userId: string): Promise<void> {
      if (!config.enabled) return;
      // Both checks at once: one round trip's wait before the model call instead of two.
      const [counter, spent] = await Promise.all([
        store.hit(`messages:user:${userId}`, MINUTE_MS),
        config.dailyTokenLimit > 0 ? usage.tokensToday(userId) : undefined,
      ]);
      if (counter.count > config.messagesPerMinute) {
        throw tooManyRequests('rate_limited', 'You are sending messages too fast. Wait a moment.', counter.resetAt);
      }
      if (spent !== undefined && spent >= config.dailyTokenLimit) {
        const resetsAt = nextUtcMidnight();
        throw tooManyRequests('quota_exceeded', `You have used today's ${config.dailyTokenLimit} tokens.`, resetsAt, [
          { limit: config.dailyTokenLimit, used: spent, resetsAt: resetsAt.toISOString() },
        ]);
      }
    },

    /** Drops counters whose window has passed (a background job; Redis expires its own). */
    pruneExpired: (): Promise<void> => store.prune(),

    close: (): Promise<void> => store.close(),
  };
}

export type Limits = ReturnType<typeof createLimits>;

/** The limits on their counter store: Redis when REDIS_URL is set, else the database. */
export async function openLimits(config: LimitsConfig, db: Queryable, usage: Pick<UsageService, 'tokensToday'>): Promise<Limits> {
  const store = config.redisUrl ? await createRedisCounterStore(config.redisUrl) : createPgCounterStore(db);
  return createLimits(config, store, usage);
}
