import type { Logger } from 'pino';
import { FLUSH_INTERVAL_MS } from './chats/progress-flusher.js';
import type { Services } from './services.js';

/** A live generation saves every FLUSH_INTERVAL_MS; ten missed saves means its process is gone. */
export const ORPHAN_AFTER_MS = FLUSH_INTERVAL_MS * 10;

interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/**
 * Everything that runs in the background, in one list. `prepare` runs once before the server listens;
 * `start` (after listening) runs each job on its interval (config: *_INTERVAL_SECONDS); `stop` on shutdown.
 * Nothing else in the app starts a timer of its own.
 */
export function createJobs(services: Pick<Services, 'config' | 'db' | 'sessionStore' | 'limits' | 'turns'>, logger?: Logger) {
  const { config, db, sessionStore, limits, turns } = services;
  const sweepOrphans = async (staleMs: number) => {
    const ended = await turns.endOrphanedReplies(staleMs);
    if (ended > 0) logger?.warn({ ended }, 'ended replies left streaming by a stopped process');
  };
  const jobs: Job[] = [
    // Replies left `streaming` by another instance that died.
    { name: 'orphan-sweep', everyMs: config.jobs.orphanSweepMs, run: () => sweepOrphans(ORPHAN_AFTER_MS) },
    // Sessions past their idle or absolute limit (each is also refused when next presented).
    { name: 'session-prune', everyMs: config.jobs.sessionPruneMs, run: () => sessionStore.prune() },
    // Rate-limit windows that have ended (Redis expires its own).
    { name: 'rate-limit-prune', everyMs: config.jobs.rateLimitPruneMs, run: () => limits.pruneExpired() },
  ];
  const timers: NodeJS.Timeout[] = [];

  return {
    list: (): readonly Pick<Job, 'name' | 'everyMs'>[] => jobs.map(({ name, everyMs }) => ({ name, everyMs })),

    /**
     * Before serving: on the embedded database (one process's alone) every reply still `streaming` was
     * left by this process's previous life, so it is ended at once; on PostgreSQL only stale ones.
     */
    prepare: () => sweepOrphans(db.kind === 'pglite' ? 0 : ORPHAN_AFTER_MS),

    start(): void {
      for (const job of jobs) {
        const timer = setInterval(() => {
          job.run().catch((err: unknown) => logger?.warn({ err, job: job.name }, 'background job failed'));
        }, job.everyMs);
        timer.unref();
        timers.push(timer);
      }
    },

    stop(): void {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;
