import session from 'express-session';
import type { Queryable } from '../db/database.js';
import type { SessionCache } from './session-cache.js';

const HOUR_MS = 60 * 60 * 1000;

/** What we keep in a session besides passport's user. */
declare module 'express-session' {
  interface SessionData {
    /** When the store last wrote this session (for throttled touches). */
    writtenAt?: number;
    userAgent?: string;
  }
}

interface PassportSession {
  passport?: { user?: { id?: string } };
}

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  current: boolean;
}

type Callback = (err?: unknown) => void;

/**
 * express-session's store on our `sessions` table. Sessions end after `idleMs` without a request and
 * `absoluteMs` after login, whichever comes first; an ended session is deleted when it is next presented.
 * A rolling session is not rewritten on every request: `touch` writes only once the stored expiry
 * would move by more than `touchAfterMs`; and a session read a moment ago comes from the cache
 * (session-cache.ts), so an authenticated request normally costs no database round trip for it.
 */
export class SessionStore extends session.Store {
  private readonly touchAfterMs: number;

  constructor(
    private readonly db: Queryable,
    private readonly limits: { idleMs: number; absoluteMs: number },
    private readonly cache?: SessionCache,
  ) {
    super();
    this.touchAfterMs = Math.min(HOUR_MS, Math.floor(limits.idleMs / 10));
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const cached = this.cache?.get(sid);
    if (cached) return callback(null, JSON.parse(cached) as session.SessionData);
    const startedAt = this.cache?.readStarted() ?? 0;
    this.run(callback, async () => {
      const { rows } = await this.db.query<{ sess: session.SessionData; user_id: string | null; ends_at: Date }>(
        `SELECT sess, user_id, least(expire, created_at + make_interval(secs => $2)) AS ends_at FROM sessions
         WHERE sid = $1 AND expire > now() AND created_at > now() - make_interval(secs => $2)`,
        [sid, this.limits.absoluteMs / 1000],
      );
      const row = rows[0];
      if (row) {
        this.cache?.put(sid, JSON.stringify(row.sess), row.user_id, row.ends_at.getTime(), startedAt);
        return row.sess;
      }
      await this.db.query('DELETE FROM sessions WHERE sid = $1', [sid]); // past its idle or absolute limit
      return null;
    });
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    sess.writtenAt = Date.now();
    const userId = (sess as PassportSession).passport?.user?.id ?? null;
    this.cache?.forget(sid); // read back from the database next time
    this.run(callback, () =>
      this.db.query(
        `INSERT INTO sessions (sid, sess, expire, user_id, user_agent) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sid) DO UPDATE SET sess = $2, expire = $3, user_id = $4, user_agent = $5, last_seen_at = now()`,
        [sid, JSON.stringify(sess), this.expiryOf(sess), userId, sess.userAgent?.slice(0, 500) ?? null],
      ),
    );
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    if (Date.now() - (sess.writtenAt ?? 0) < this.touchAfterMs) return void callback?.();
    sess.writtenAt = Date.now();
    this.cache?.forget(sid);
    this.run(callback, () =>
      this.db.query('UPDATE sessions SET sess = $2, expire = $3, last_seen_at = now() WHERE sid = $1', [
        sid,
        JSON.stringify(sess),
        this.expiryOf(sess),
      ]),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.run(callback, async () => {
      const { rows } = await this.db.query<{ user_id: string | null }>('DELETE FROM sessions WHERE sid = $1 RETURNING user_id', [sid]);
      this.cache?.forget(sid);
      const userId = rows[0]?.user_id;
      if (userId) this.cache?.endedFor(userId);
    });
  }

  async listForUser(userId: string, currentSid: string): Promise<SessionSummary[]> {
    const { rows } = await this.db.query<{ id: string; created_at: Date; last_seen_at: Date; user_agent: string | null; sid: string }>(
      `SELECT id, created_at, last_seen_at, user_agent, sid FROM sessions
       WHERE user_id = $1 AND expire > now() AND created_at > now() - make_interval(secs => $2)
       ORDER BY last_seen_at DESC`,
      [userId, this.limits.absoluteMs / 1000],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
      userAgent: r.user_agent,
      current: r.sid === currentSid,
    }));
  }

  /** Ends one of the user's sessions by its public id; false when the user has no such session. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM sessions WHERE user_id = $1 AND id = $2', [userId, id]);
    this.cache?.endedFor(userId);
    return rowCount === 1;
  }

  /** Ends every session of the user, except `keepSid` if given. */
  async revokeAll(userId: string, keepSid?: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE user_id = $1 AND sid <> $2', [userId, keepSid ?? '']);
    this.cache?.endedFor(userId);
  }

  /** The user's sessions were deleted with the account (ON DELETE CASCADE): forgotten everywhere. */
  forgetUser(userId: string): void {
    this.cache?.endedFor(userId);
  }

  /** Deletes ended sessions (a background job: see src/jobs.ts). */
  async prune(): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE expire <= now() OR created_at <= now() - make_interval(secs => $1)', [
      this.limits.absoluteMs / 1000,
    ]);
  }

  private expiryOf(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + this.limits.idleMs);
  }

  private run<T>(callback: ((err: unknown, value?: T) => void) | undefined, work: () => Promise<T>): void {
    work().then(
      (value) => callback?.(null, value),
      (err: unknown) => callback?.(err),
    );
  }
}
