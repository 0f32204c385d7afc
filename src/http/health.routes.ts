import { Router } from 'express';
import type { Database } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';
import type { ChatModel } from '../llm/chat-model.js';

export function createHealthRouter(db: Database, model: ChatModel): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', db: 'ok', model: model.label });
    } catch (err) {
      req.log.warn({ err }, 'health check: database unreachable');
      res.status(503).json({
        status: 'error',
        db: 'unreachable',
        model: model.label,
        error: { code: 'database_unreachable', message: 'The database is unreachable.' },
      });
    }
  });

  /** Liveness: the process is up and its event loop turns (restart it if this fails). */
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Readiness: send traffic only once the database answers and every migration is applied. */
  router.get('/ready', async (_req, res) => {
    try {
      const pending = await pendingMigrations(db);
      const ready = pending.length === 0;
      res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'error', db: 'ok', migrations: ready ? 'applied' : `${pending.length} pending` });
    } catch {
      res.status(503).json({ status: 'error', db: 'unreachable', migrations: 'unknown' });
    }
  });

  return router;
}
