import cluster from 'node:cluster';
import type { Logger } from 'pino';

/**
 * WEB_CONCURRENCY=N: the primary forks N workers that share the port (node:cluster) and keeps them
 * running; on SIGTERM/SIGINT it passes the signal on, waits for every worker to drain, and exits 0.
 * Workers keep nothing that matters in memory (sessions, limits and generation locks are in the
 * database or Redis), so which worker answers a request does not matter.
 */
export function runPrimary(workers: number, logger: Logger): void {
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ workers }, 'started worker processes');
}
