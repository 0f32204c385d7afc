import { Router } from 'express';
import type { Database } from '../db/database.js';
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
  return router;
}
