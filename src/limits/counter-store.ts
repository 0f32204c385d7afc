import { createClient } from 'redis';
import type { Queryable } from '../db/database.js';

export interface Counter {
  count: number;
  resetAt: Date;
}

/**
 * Fixed-window counters shared by every app instance: in PostgreSQL by default, in Redis when
 * REDIS_URL is set. `hit` counts one more event in the key's current window.
 */
export interface CounterStore {
  hit(key: string, windowMs: number): Promise<Counter>;
  peek(key: string): Promise<Counter | undefined>;
  reset(key: string): Promise<void>;
  /** Deletes counters whose window has ended. */
  prune(): Promise<void>;
  close(): Promise<void>;
}

export function createPgCounterStore(db: Queryable): CounterStore {
  return {
    async hit(key, windowMs) {
      const { rows } = await db.query<{ count: number; reset_at: Date }>(
        `INSERT INTO rate_limits (key, count, reset_at) VALUES ($1, 1, now() + make_interval(secs => $2))
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.count + 1 END,
           reset_at = CASE WHEN rate_limits.reset_at <= now() THEN now() + make_interval(secs => $2) ELSE rate_limits.reset_at END
         RETURNING count, reset_at`,
        [key, windowMs / 1000],
      );
      return { count: rows[0]!.count, resetAt: rows[0]!.reset_at };
    },
    async peek(key) {
      const { rows } = await db.query<{ count: number; reset_at: Date }>(
        'SELECT count, reset_at FROM rate_limits WHERE key = $1 AND reset_at > now()',
        [key],
      );
      return rows[0] && { count: rows[0].count, resetAt: rows[0].reset_at };
    },
    async reset(key) {
      await db.query('DELETE FROM rate_limits WHERE key = $1', [key]);
    },
    async prune() {
      await db.query('DELETE FROM rate_limits WHERE reset_at < now()');
    },
    async close() {},
  };
}

const PREFIX = 'gpt-backend:limits:';

export async function createRedisCounterStore(url: string): Promise<CounterStore> {
  const client = createClient({ url });
  client.on('error', () => undefined); // reconnects by itself; a failed command still rejects
  await client.connect();
  const toCounter = (count: number, ttlMs: number): Counter => ({ count, resetAt: new Date(Date.now() + Math.max(ttlMs, 0)) });
  return {
    async hit(key, windowMs) {
      const [count, , ttl] = (await client
        .multi()
        .incr(PREFIX + key)
        .pExpire(PREFIX + key, windowMs, 'NX')
        .pTTL(PREFIX + key)
        .exec()) as unknown as [number, number, number];
      return toCounter(count, ttl);
    },
    async peek(key) {
      const [count, ttl] = (await client.multi().get(PREFIX + key).pTTL(PREFIX + key).exec()) as unknown as [string | null, number];
      return count === null ? undefined : toCounter(Number(count), ttl);
    },
    async reset(key) {
      await client.del(PREFIX + key);
    },
    async prune() {}, // keys expire by themselves (PEXPIRE)
    async close() {
      await client.quit();
    },
  };
}
