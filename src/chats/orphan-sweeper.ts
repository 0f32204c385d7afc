import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { FLUSH_INTERVAL_MS } from './generation.js';
import { createMessagesRepo } from './messages.repo.js';

// A live generation saves every FLUSH_INTERVAL_MS; ten missed saves means its process is gone.
export const ORPHAN_AFTER_MS = FLUSH_INTERVAL_MS * 10;

/**
 * Ends replies left `streaming` by a process that died (crash, kill, restart): those with text become
 * `error` with what they had, empty ones are removed. Runs at start-up (everything, on the embedded
 * database, which no other process can be using) and then periodically for other instances' leftovers.
 */
export async function startOrphanSweeper(db: Database, logger?: Logger): Promise<() => void> {
  const messages = createMessagesRepo(db);
  const sweep = async (staleMs: number) => {
    const ended = await messages.endOrphans(staleMs);
    if (ended > 0) logger?.warn({ ended }, 'ended replies left streaming by a stopped process');
  };
  await sweep(db.kind === 'pglite' ? 0 : ORPHAN_AFTER_MS);
  const timer = setInterval(() => {
    sweep(ORPHAN_AFTER_MS).catch((err: unknown) => logger?.warn({ err }, 'could not sweep orphaned replies'));
  }, ORPHAN_AFTER_MS);
  timer.unref();
  return () => clearInterval(timer);
}
