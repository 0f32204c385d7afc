import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';
import { AppError } from '../http/errors.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { ModelReachability, ModelStatus } from '../llm/model-status.js';

/** Is this instance able to serve: the database answers, every migration is applied; and the model server? */
export function createHealthService(db: Database, model: ChatModel, modelStatus: Pick<ModelStatus, 'status'>, logger?: Logger) {
  const unreachable = (extra: Record<string, unknown>) =>
    new AppError(503, 'database_unreachable', 'The database is unreachable.', { extra: { status: 'error', db: 'unreachable', ...extra } });
  const modelReport = (): { label: string; status: ModelReachability } => ({ label: model.label, status: modelStatus.status() });
  return {
    async health(): Promise<{ status: 'ok'; db: 'ok'; model: { label: string; status: ModelReachability } }> {
      try {
        await db.query('SELECT 1');
      } catch (err) {
        logger?.warn({ err }, 'health check: database unreachable');
        throw unreachable({ model: modelReport() });
      }
      return { status: 'ok', db: 'ok', model: modelReport() };
    },

    async readiness(): Promise<{ status: 'ok'; db: 'ok'; migrations: 'applied' }> {
      let pending: string[];
      try {
        pending = await pendingMigrations(db);
      } catch {
        throw unreachable({ migrations: 'unknown' });
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
