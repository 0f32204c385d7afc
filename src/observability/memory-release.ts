import type { RequestHandler } from 'express';

/** V8's collector, as `--expose-gc` exposes it; this form of call empties the pools of free pages. */
export type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface MemoryReleaseOptions {
  /** How long no request may have run or been open before memory is given back; 0: never. */
  idleMs: number;
  /** Tests pass their own readers; the defaults are V8's collector and the process's resident size. */
  collect?: Collect;
  rss?: () => number;
}

export interface MemoryReleased {
  rssBefore: number;
  rssAfter: number;
  ms: number;
}

/** Growth below this since the last release (or 10 % of it, if more) is left alone. */
const MIN_GROWTH_BYTES = 16 * 2 ** 20;

/**
 * Gives back to the system the heap V8 grew under a load, once the process is idle (issue 17, row 10 of
 * BENCHMARKS.md). V8 keeps freed heap pages for reuse: Node 20 returns them after a full collection,
 * Node 24 only after a memory-reducing one, which its own reducer may never run after a peak (RSS stayed
 * +47 % after 10,000 streams, with the live heap flat). So when no request has run or been open
 * (streams included) for `idleMs`, and the resident size grew since the last release, this runs that
 * collection once: 30–80 ms of a thread that has nothing else to do.
 */
export function createMemoryRelease({
  idleMs,
  collect = exposedCollector(idleMs),
  rss = () => process.memoryUsage.rss(),
}: MemoryReleaseOptions) {
  let inFlight = 0;
  let lastActivityAt = performance.now();
  let rssAfterRelease = rss();
  // One function for every response (not a closure per request: an open stream holds its listeners).
  const ended = () => {
    inFlight -= 1;
    lastActivityAt = performance.now();
  };

  const enabled = idleMs > 0 && collect !== undefined;
  /** Asked for (MEMORY_RELEASE_IDLE_SECONDS) but impossible: Node was started without --expose-gc. */
  const unavailable = idleMs > 0 && collect === undefined;
  /** Counts a request as running until its response closes (an event stream: until it ends). */
  const track: RequestHandler = (_req, res, next) => {
    inFlight += 1;
    lastActivityAt = performance.now();
    res.on('close', ended);
    next();
  };

  return {
    enabled,
    unavailable,
    /** The request tracking (nothing per request when the release is off). */
    activity: enabled ? track : (((_req, _res, next) => next()) as RequestHandler),

    /** The collection, if the process is idle and grew since the last one; what it gave back, if it ran. */
    releaseIfIdle(): MemoryReleased | undefined {
      if (!collect || !enabled || inFlight > 0 || performance.now() - lastActivityAt < idleMs) return undefined;
      const rssBefore = rss();
      if (rssBefore - rssAfterRelease < Math.max(MIN_GROWTH_BYTES, rssAfterRelease / 10)) return undefined;
      const started = performance.now();
      collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      rssAfterRelease = rss();
      return { rssBefore, rssAfter: rssAfterRelease, ms: Math.round(performance.now() - started) };
    },
  };
}

export type MemoryRelease = ReturnType<typeof createMemoryRelease>;

/**
 * V8's `gc`, when Node was started with `--expose-gc` (`npm start` and the Docker image are). Never
 * forced on at run time: a runtime that refuses the flag would fail the start-up; without it, the
 * release is off and the start-up log says so.
 */
function exposedCollector(idleMs: number): Collect | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  return idleMs > 0 && typeof exposed === 'function' ? (exposed as Collect) : undefined;
}
