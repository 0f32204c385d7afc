import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';
import { AppError } from '../http/errors.js';
import type { ChatModel } from '../llm/chat-model.js';

/** Is this instance able to serve: the database answers, every migration is applied. */
export function createHealthService(db: Database, model: ChatModel, logger?: Logger) {
  return {
    async health(): Promise<{ status: 'ok'; db: 'ok'; model: string }> {
      try {
        await db.query('SELECT 1');
      } catch (err) {
        logger?.warn({ err }, 'health check: database unreachable');
        throw new AppError(503, 'database_unreachable', 'The database is unreachable.', {
          extra: { status: 'error', db: 'unreachable', model: model.label },
        });
      }
      return { status: 'ok', db: 'ok', model: model.label };
    },

    async readiness(): Promise<{ status: 'ok'; db: 'ok'; migrations: 'applied' }> {
      let pending: string[];
      try {
        pending = await pendingMigrations(db);
      } catch {
        throw new AppError(503, 'database_unreachable', 'The database is unreachable.', {
          extra: { status: 'error', db: 'unreachable', migrations: 'unknown' },
        });
      }
      if (pending.length > 0) {
        throw new AppError(503, 'migrations_pending', `${pending.length} migration(s) are not applied yet.`, {
          extra: { status: 'error', db: 'ok', migrations: `${pending.length} pending` },
        });
      }
      return { status: 'ok', db: 'ok', migrations: 'applied' };
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
