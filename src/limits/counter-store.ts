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
  /** Adds `amount` (default 1) to the key's count in its current window. */
  hit(key: string, windowMs: number, amount?: number): Promise<Counter>;
  reset(key: string): Promise<void>;
  /** Gives one back (a reservation that turned out fine). */
  refund(key: string): Promise<void>;
  /** Deletes counters whose window has ended. */
  prune(): Promise<void>;
  close(): Promise<void>;
}

export function createPgCounterStore(db: Queryable): CounterStore {
  return {
    async hit(key, windowMs, amount = 1) {
      const { rows } = await db.query<{ count: number; reset_at: Date }>(
        `INSERT INTO rate_limits (key, count, reset_at) VALUES ($1, $3, now() + make_interval(secs => $2))
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.reset_at <= now() THEN $3 ELSE rate_limits.count + $3 END,
           reset_at = CASE WHEN rate_limits.reset_at <= now() THEN now() + make_interval(secs => $2) ELSE rate_limits.reset_at END
         RETURNING count, reset_at`,
        [key, windowMs / 1000, amount],
      );
      return { count: rows[0]!.count, resetAt: rows[0]!.reset_at };
    },
    async reset(key) {
      await db.query('DELETE FROM rate_limits WHERE key = $1', [key]);
    },
    async refund(key) {
      await db.query('UPDATE rate_limits SET count = greatest(count - 1, 0) WHERE key = $1 AND reset_at > now()', [key]);
    },
    async prune() {
      await db.query('DELETE FROM rate_limits WHERE reset_at < now()');
    },
    async close() {},
  };
}

const PREFIX = 'gpt-backend:limits:';

export async function createRedisCounterStore(url: string): Promise<CounterStore> {
  const { createClient } = await import('redis'); // loaded only when used (~5 MB of heap)
  const client = createClient({ url });
  client.on('error', () => undefined); // reconnects by itself; a failed command still rejects
  await client.connect();
  const toCounter = (count: number, ttlMs: number): Counter => ({ count, resetAt: new Date(Date.now() + Math.max(ttlMs, 0)) });
  return {
    async hit(key, windowMs, amount = 1) {
      const [count, , ttl] = (await client
        .multi()
        .incrBy(PREFIX + key, amount)
        .pExpire(PREFIX + key, windowMs, 'NX')
        .pTTL(PREFIX + key)
        .exec()) as unknown as [number, number, number];
      return toCounter(count, ttl);
    },
    async reset(key) {
      await client.del(PREFIX + key);
    },
    async refund(key) {
      // Only while the window lasts (DECR on an expired key would start a count with no expiry).
      await client.eval("if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0", {
        keys: [PREFIX + key],
      });
    },
    async prune() {}, // keys expire by themselves (PEXPIRE)
    async close() {
      await client.quit();
    },
  };
}
