import { Router } from 'express';
import { requireUser } from '../http/require-user.js';
import type { ChatModel } from './chat-model.js';

/** GET /api/models: the models a chat may use (OPENAI_MODELS) and the default (OPENAI_MODEL). */
export function createModelsRouter(model: ChatModel): Router {
  const router = Router();
  router.get('/', requireUser, (_req, res) => {
    res.json({ models: model.models.map((id) => ({ id })), default: model.defaultModel });
  });
  return router;
}
