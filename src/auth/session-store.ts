import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type pg from 'pg';

const PgStore = connectPgSimple(session);
const HOUR_MS = 60 * 60 * 1000;

type StampedSession = session.SessionData & { writtenAt?: number };
type Callback = (err?: unknown) => void;

/**
 * connect-pg-simple on our migrated `sessions` table, with one change: a rolling session is not
 * written back on every request. `touch` only writes once the stored expiry would move by more than
 * `touchAfterMs`, so an authenticated request normally costs exactly one session read.
 */
export class SessionStore extends PgStore {
  private readonly touchAfterMs: number;

  constructor(pool: pg.Pool, idleMs: number) {
    super({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
    this.touchAfterMs = Math.min(HOUR_MS, Math.floor(idleMs / 10));
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    (sess as StampedSession).writtenAt = Date.now();
    super.set(sid, sess, callback);
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    const writtenAt = (sess as StampedSession).writtenAt ?? 0;
    if (Date.now() - writtenAt < this.touchAfterMs) {
      callback?.();
      return;
    }
    this.set(sid, sess, callback);
  }
}
