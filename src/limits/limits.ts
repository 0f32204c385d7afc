import { createHash } from 'node:crypto';
import type { LimitsConfig } from '../config.js';
import { AppError } from '../http/errors.js';
import type { Queryable } from '../db/database.js';
import type { BudgetHold, UsageService } from '../usage/usage.service.js';
import { createPgCounterStore, createRedisCounterStore, type Counter, type CounterStore } from './counter-store.js';

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MAX_SLOWDOWN_MS = 5000;
/** Password reset mails per email, and requests per address, per hour. */
const RESETS_PER_EMAIL = 3;
const RESETS_PER_IP = 20;

export function tooManyRequests(code: string, message: string, until: Date, details?: unknown[]): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError(429, code, message, { headers: { 'Retry-After': String(seconds) }, details });
}

// Emails are counted under a hash: the limits table needs no personal data.
const accountKey = (email: string) => `login:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
const ipKey = (ip: string) => `login:ip:${ip}`;

/**
 * Abuse and cost limits. Counts live in a shared store, so they hold across app instances and restarts.
 * With RATE_LIMITS=off every check passes.
 */
export function createLimits(config: LimitsConfig, store: CounterStore, usage: Pick<UsageService, 'admit'>) {
  const { login } = config;
  return {
    /**
     * Reserves one password check for this account and address BEFORE it runs (one atomic count each),
     * so a burst can never run more checks than the limits: over either limit, 429 and no check at all.
     * Answers the attempt, to settle once the password was checked.
     */
    async beginPasswordCheck(ip: string, email: string): Promise<PasswordAttempt> {
      if (!config.enabled) return { failed: async () => 0, succeeded: async () => undefined };
      const [byIp, byAccount] = await Promise.all([store.hit(ipKey(ip), login.windowMs), store.hit(accountKey(email), login.windowMs)]);
      const locked = [byIp.count > login.maxFailuresPerIp && byIp, byAccount.count > login.maxFailuresPerAccount && byAccount]
        .filter((c): c is Counter => Boolean(c))
        .sort((a, b) => b.resetAt.getTime() - a.resetAt.getTime())[0];
      if (locked) throw tooManyRequests('too_many_attempts', 'Too many failed attempts. Try again later.', locked.resetAt);
      return {
        /** The check failed: the reservation stands; answers how long to delay the reply (slowing down before the lockout). */
        async failed() {
          const excess = Math.max(
            byIp.count - Math.floor(login.maxFailuresPerIp / 2),
            byAccount.count - Math.floor(login.maxFailuresPerAccount / 2),
            0,
          );
          return Math.min(MAX_SLOWDOWN_MS, excess * login.slowdownMs);
        },
        /** The right password: the account's count is cleared and the address's reservation refunded. */
        async succeeded() {
          await Promise.all([store.reset(accountKey(email)), store.refund(ipKey(ip))]);
        },
      };
    },

    async register(ip: string): Promise<void> {
      if (!config.enabled) return;
      const counter = await store.hit(`register:ip:${ip}`, HOUR_MS);
      if (counter.count > config.registerPerIpPerHour) {
        throw tooManyRequests('too_many_registrations', 'Too many accounts created from this address. Try again later.', counter.resetAt);
      }
    },

    /** A password reset asked for (per email and per address, an hour): a script cannot mail-bomb an inbox. */
    async passwordResetRequested(ip: string, email: string): Promise<void> {
      if (!config.enabled) return;
      const [byEmail, byIp] = await Promise.all([store.hit(`reset:${accountKey(email)}`, HOUR_MS), store.hit(`reset:ip:${ip}`, HOUR_MS)]);
      const over = [byEmail.count > RESETS_PER_EMAIL && byEmail, byIp.count > RESETS_PER_IP && byIp].find(Boolean);
      if (over) throw tooManyRequests('too_many_resets', 'Too many password resets asked for. Try again later.', over.resetAt);
    },

    /** A new chat (per user and hour: a script cannot fill the database with empty chats). */
    async chatCreated(userId: string): Promise<void> {
      if (!config.enabled) return;
      const counter = await store.hit(`chats:user:${userId}`, HOUR_MS);
      if (counter.count > config.storage.chatsPerHour) {
        throw tooManyRequests(
          'too_many_chats',
          `You can create at most ${config.storage.chatsPerHour} chats an hour. Try again later.`,
          counter.resetAt,
        );
      }
    },

    /** An import of `bytes` of text in `chats` chats: at most so many imports, megabytes and chats, per user and day. */
    async beforeImport(userId: string, bytes: number, chats: number): Promise<void> {
      if (!config.enabled) return;
      const [count, kib, chatCount] = await Promise.all([
        store.hit(`imports:user:${userId}`, DAY_MS),
        store.hit(`import-kib:user:${userId}`, DAY_MS, Math.ceil(bytes / 1024)),
        store.hit(`import-chats:user:${userId}`, DAY_MS, chats),
      ]);
      if (chatCount.count > config.storage.importChatsPerDay) {
        throw tooManyRequests(
          'import_quota_exceeded',
          `You can import at most ${config.storage.importChatsPerDay} chats a day.`,
          chatCount.resetAt,
        );
      }
      if (count.count > config.storage.importsPerDay) {
        throw tooManyRequests('too_many_imports', `You can import at most ${config.storage.importsPerDay} times a day.`, count.resetAt);
      }
      if (kib.count > config.storage.importMbPerDay * 1024) {
        throw tooManyRequests('import_quota_exceeded', `You can import at most ${config.storage.importMbPerDay} MB a day.`, kib.resetAt);
      }
    },

    /** The most message text (bytes) one user may keep; 0 when limits are off. */
    storageCapBytes: (): number => (config.enabled ? config.storage.userMessagesMb * 1024 * 1024 : 0),

    /**
     * Before a message costs money: the per-minute rate, and admission under the daily token budget,
     * whose hold the send keeps (see BudgetHold) or settles.
     */
    async beforeSend(userId: string, ownLimit: () => Promise<number | null>): Promise<BudgetHold | undefined> {
      if (!config.enabled) return undefined;
      // Both at once: one wait before the model call instead of two.
      const [counter, hold] = await Promise.allSettled([
        store.hit(`messages:user:${userId}`, MINUTE_MS),
        ownLimit().then((limit) => usage.admit(userId, limit)),
      ]);
      const admitted = hold.status === 'fulfilled' ? hold.value : undefined;
      if (counter.status === 'rejected') throw (admitted?.settle(), counter.reason);
      if (counter.value.count > config.messagesPerMinute) {
        admitted?.settle();
        throw tooManyRequests('rate_limited', 'You are sending messages too fast. Wait a moment.', counter.value.resetAt);
      }
      if (hold.status === 'rejected') throw hold.reason;
      return admitted;
    },

    /** An upload (per user and hour: each may cost a worker's second of CPU). */
    async beforeUpload(userId: string): Promise<void> {
      if (!config.enabled) return;
      const counter = await store.hit(`uploads:user:${userId}`, HOUR_MS);
      if (counter.count > config.uploadsPerHour) {
        throw tooManyRequests('too_many_uploads', `You can upload at most ${config.uploadsPerHour} files an hour.`, counter.resetAt);
      }
    },

    /** A search (per user and minute: each reads the user's whole text index). */
    async beforeSearch(userId: string): Promise<void> {
      if (!config.enabled) return;
      const counter = await store.hit(`searches:user:${userId}`, MINUTE_MS);
      if (counter.count > config.searchesPerMinute) {
        throw tooManyRequests('rate_limited', 'You are searching too fast. Wait a moment.', counter.resetAt);
      }
    },

    /** Drops counters whose window has passed (a background job; Redis expires its own). */
    pruneExpired: (): Promise<void> => store.prune(),

    close: (): Promise<void> => store.close(),
  };
}

export type Limits = ReturnType<typeof createLimits>;

/** One reserved password check (login, password change, account deletion), to settle once it ran. */
export interface PasswordAttempt {
  failed(): Promise<number>;
  succeeded(): Promise<void>;
}

/** The limits on their counter store: Redis when REDIS_URL is set, else the database. */
export async function openLimits(config: LimitsConfig, db: Queryable, usage: Pick<UsageService, 'admit'>): Promise<Limits> {
  const store = config.redisUrl ? await createRedisCounterStore(config.redisUrl) : createPgCounterStore(db);
  return createLimits(config, store, usage);
}
