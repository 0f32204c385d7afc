import type { Logger } from 'pino';
import type { Services } from './services.js';

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
export function createJobs(
  services: Pick<Services, 'config' | 'sessionStore' | 'limits' | 'usage' | 'turns' | 'modelStatus' | 'attachments' | 'memory' | 'oidc'>,
  logger?: Logger,
) {
  const { config, sessionStore, limits, usage, turns, modelStatus, attachments, memory, oidc } = services;
  const sweepOrphans = async () => {
    const ended = await turns.endAbandonedReplies();
    if (ended > 0) logger?.warn({ ended }, 'ended replies left streaming by a stopped process');
  };
  const jobs: Job[] = [
    // Replies left `streaming` by an instance that died, that nobody has needed since (a backstop: a
    // send, an edit or a follower ends such a reply at once).
    { name: 'orphan-sweep', everyMs: config.jobs.orphanSweepMs, run: sweepOrphans },
    // Sessions past their idle or absolute limit (each is also refused when next presented).
    { name: 'session-prune', everyMs: config.jobs.sessionPruneMs, run: () => sessionStore.prune() },
    // Rate-limit windows that have ended (Redis expires its own), and holds on the daily token budget
    // left by processes that died (already ignored).
    {
      name: 'rate-limit-prune',
      everyMs: config.jobs.rateLimitPruneMs,
      run: () => Promise.all([limits.pruneExpired(), usage.pruneHolds()]).then(() => undefined),
    },
    // Is the model server there (health), and which models does it offer (OPENAI_MODELS=auto)?
    { name: 'model-probe', everyMs: config.jobs.modelProbeMs, run: () => modelStatus.refresh() },
    // Uploads never sent with a message, after a day (sent ones go with their message).
    { name: 'attachment-sweep', everyMs: config.jobs.attachmentSweepMs, run: () => attachments.sweepUnsent() },
  ];
  // The heap grown under a load, given back once idle (checked every few seconds; see memory-release.ts).
  if (memory.unavailable) logger?.warn('Memory release after a load is off: start Node with --expose-gc (npm start does).');
  if (memory.enabled) {
    const idleMs = config.jobs.memoryReleaseIdleMs;
    jobs.push({ name: 'memory-release', everyMs: Math.max(1000, Math.min(idleMs / 2, 5000)), run: releaseMemory });
  }
  function releaseMemory(): Promise<void> {
    const released = memory.releaseIfIdle();
    if (released) logger?.debug(released, 'gave memory back after a load');
    return Promise.resolve();
  }
  const timers: NodeJS.Timeout[] = [];

  return {
    list: (): readonly Pick<Job, 'name' | 'everyMs'>[] => jobs.map(({ name, everyMs }) => ({ name, everyMs })),

    /**
     * Before serving: replies left `streaming` by a previous life of this process (or any dead instance)
     * are ended at once, so a restarted server accepts a new message in every chat; and the model server
     * is probed (a short timeout), so a dead OPENAI_BASE_URL is said at start.
     */
    prepare: async () => {
      await Promise.all([sweepOrphans(), modelStatus.refresh(), oidc?.discover()]);
    },

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
