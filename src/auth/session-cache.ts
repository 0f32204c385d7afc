import type { Bus } from '../bus/bus.js';

interface Entry {
  /** The session as stored (JSON): each read gets its own copy, since express-session changes what it gets. */
  json: string;
  userId: string | null;
  /** When the session itself ends (idle or absolute limit, whichever is first). */
  endsAt: number;
  /** When this copy stops being trusted without asking the database. */
  freshUntil: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Sessions read lately, kept a few seconds in this process so a logged-in request costs no database
 * round trip for its session. Revocation stays exact across instances: whatever ends sessions (logout,
 * log out everywhere, a password change, a revoked session, a deleted account) evicts them here and
 * tells every other instance on the bus, which evict theirs; the short lifetime bounds a lost message.
 * A read that was in flight meanwhile (it may have found the session before it ended) is not cached:
 * every eviction moves `epoch` on, and a read's answer is kept only if none happened since it began.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly bus?: Bus,
  ) {
    bus?.subscribe((m) => {
      if (m.t === 'sessions-ended' && typeof m.user === 'string') this.dropUser(m.user);
    });
  }

  get(sid: string): string | undefined {
    const entry = this.entries.get(sid);
    if (!entry) return undefined;
    const now = Date.now();
    if (entry.freshUntil <= now || entry.endsAt <= now) {
      this.entries.delete(sid);
      return undefined;
    }
    return entry.json;
  }

  /** Taken before a read of the database; given back to put(). */
  readStarted(): number {
    return this.epoch;
  }

  /** Caches what a read that began at `startedAt` (readStarted()) found, unless sessions were evicted since. */
  put(sid: string, json: string, userId: string | null, endsAt: number, startedAt: number): void {
    if (this.ttlMs <= 0 || startedAt !== this.epoch) return;
    this.entries.delete(sid);
    this.entries.set(sid, { json, userId, endsAt, freshUntil: Date.now() + this.ttlMs });
    // Bounded: the oldest entry goes first (a Map keeps insertion order).
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(sid: string): void {
    this.epoch += 1;
    this.entries.delete(sid);
  }

  /** Some or all of the user's sessions ended: dropped here, and on every instance through the bus. */
  endedFor(userId: string): void {
    this.dropUser(userId);
    this.bus?.publish({ t: 'sessions-ended', user: userId });
  }

  private dropUser(userId: string): void {
    this.epoch += 1;
    for (const [sid, entry] of this.entries) if (entry.userId === userId) this.entries.delete(sid);
  }
}
