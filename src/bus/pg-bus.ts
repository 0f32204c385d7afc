import pg from 'pg';
import type { Logger } from 'pino';
import { BUS_CHANNEL, listenerSet, type Bus, type BusMessage, type InstanceIdentity } from './bus.js';

const RECONNECT_MS = [100, 250, 500, 1000, 2000, 5000];

export interface PgBusOptions {
  /** A session connection (DATABASE_SESSION_URL, past any transaction pooler): LISTEN and liveness need one. */
  sessionUrl: string;
  /** With REDIS_URL, messages go through Redis pub/sub; the session connection still vouches for liveness. */
  redisUrl?: string;
  logger?: Logger;
}

/**
 * One dedicated PostgreSQL session per instance: its pid and start time are the instance's identity
 * (recorded on the replies it generates, checked in pg_stat_activity by the others), and it carries
 * LISTEN/NOTIFY (publishing on the same connection, one statement at a time, keeps one instance's
 * messages in order; identical messages published together arrive once, as NOTIFY folds them within a
 * transaction, which is harmless for the bus's idempotent messages). Lost, it is
 * made again with a new identity, which the listeners of onIdentityChange re-claim their replies with.
 */
export async function openPgBus({ sessionUrl, redisUrl, logger }: PgBusOptions): Promise<Bus> {
  const listeners = listenerSet<BusMessage>((err) => logger?.warn({ err }, 'bus listener failed'));
  const identityListeners = listenerSet<InstanceIdentity>((err) => logger?.warn({ err }, 'identity listener failed'));
  const deliver = (payload: string) => {
    try {
      listeners.emit(JSON.parse(payload) as BusMessage);
    } catch (err) {
      logger?.warn({ err }, 'unreadable bus message');
    }
  };
  let client: pg.Client | undefined;
  let identity: InstanceIdentity | null = null;
  let closing = false;

  async function connect(attempt = 0): Promise<void> {
    const next = new pg.Client({ connectionString: sessionUrl });
    next.on('error', (err) => logger?.warn({ err }, 'bus connection failed'));
    next.on('end', () => {
      if (closing || client !== next) return;
      client = undefined;
      logger?.warn('bus connection lost: reconnecting');
      void reconnect(0);
    });
    if (!redisUrl) next.on('notification', (n) => n.channel === BUS_CHANNEL && n.payload && deliver(n.payload));
    await next.connect();
    if (!redisUrl) await next.query(`LISTEN ${BUS_CHANNEL}`);
    // As text: microseconds and all, so the stored start compares equal in pg_stat_activity.
    const { rows } = await next.query<{ pid: number; started: string }>(
      'SELECT pid, backend_start::text AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()',
    );
    client = next;
    const changed = identity !== null;
    identity = { pid: rows[0]!.pid, started: rows[0]!.started };
    if (changed) identityListeners.emit(identity);
    if (attempt > 0) logger?.info('bus connection made again');
  }

  async function reconnect(attempt: number): Promise<void> {
    if (closing) return;
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)]));
    await connect(attempt + 1).catch(() => reconnect(attempt + 1));
  }

  // A database that is down at start-up must not keep the app from starting (health says so); until the
  // session is made, replies are created without an owner and only a stale save marks them abandoned.
  await connect().catch((err: unknown) => {
    logger?.warn({ err }, 'bus connection failed: retrying in the background');
    void reconnect(0);
  });

  // Redis pub/sub: a publisher and a subscriber connection (a subscribed Redis connection can do nothing else).
  // Loaded only when used: the client costs ~5 MB of heap.
  const redis = redisUrl ? (await import('redis')).createClient({ url: redisUrl }) : undefined;
  const redisSubscriber = redis?.duplicate();
  for (const c of [redis, redisSubscriber]) c?.on('error', (err: unknown) => logger?.warn({ err }, 'redis bus connection failed'));
  if (redis && redisSubscriber) {
    await Promise.all([redis.connect(), redisSubscriber.connect()]);
    await redisSubscriber.subscribe(BUS_CHANNEL, deliver);
  }

  // Published messages go out in order, a batch per statement: those published in one turn of the event
  // loop, or while a statement is in flight, go together (no round trip each, and no queueing inside pg,
  // which pg 9 drops). Sent after the turn's other writes: a send's reply stream goes out first.
  let outbox: string[] = [];
  let sending = false;
  let scheduled = false;
  const sendSoon = () => {
    if (scheduled || sending) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      sendOutbox();
    });
  };
  const sendOutbox = () => {
    if (sending || outbox.length === 0) return;
    const payloads = outbox;
    outbox = [];
    if (!client) return; // lost with the connection: followers catch up from the database
    sending = true;
    client
      .query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [BUS_CHANNEL, payloads])
      // Never an unhandled rejection: a lost message is caught up from the database by followers.
      .catch((err: unknown) => logger?.warn({ err }, 'could not publish on the bus'))
      .finally(() => {
        sending = false;
        sendOutbox();
      });
  };

  return {
    identity: () => identity,
    onIdentityChange: (listener) => void identityListeners.add(listener),
    publish(message) {
      const payload = JSON.stringify(message);
      if (!redis) {
        outbox.push(payload);
        return sendSoon();
      }
      // A lost message is caught up from the database by followers; never an unhandled rejection.
      void redis.publish(BUS_CHANNEL, payload).catch((err: unknown) => logger?.warn({ err }, 'could not publish on the bus'));
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {
      closing = true;
      sendOutbox(); // what was published this very turn goes out as it did before close
      await redisSubscriber?.quit().catch(() => undefined);
      await redis?.quit().catch(() => undefined);
      await client?.end().catch(() => undefined);
    },
  };
}
