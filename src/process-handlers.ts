import type { Logger } from 'pino';

/** How long the last log lines get to reach stdout before the process exits. */
const FLUSH_MS = 200;

/**
 * A rejection nobody handled or an exception nobody caught leaves the process in an unknown state: log
 * it as fatal and exit non-zero after a short flush. An orchestrator (or the cluster primary) starts a
 * new process; replies that were streaming are ended by the turn engine's recovery (src/jobs.ts).
 */
export function exitOnFatalErrors(logger: Logger): void {
  let dying = false;
  const die = (what: string) => (err: unknown) => {
    if (dying) return;
    dying = true;
    logger.fatal({ err }, `${what}: exiting`);
    logger.flush();
    setTimeout(() => process.exit(1), FLUSH_MS);
  };
  process.on('unhandledRejection', die('unhandled promise rejection'));
  process.on('uncaughtException', die('uncaught exception'));
}
