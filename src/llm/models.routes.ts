import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { ChatModel } from './chat-model.js';

const route = routeFor<{ model: ChatModel }>();

export const modelRoutes = [
  route({
    method: 'get',
    path: '/api/models',
    summary: 'Models a chat may use',
    tag: 'Chats',
    auth: true,
    responses: { 200: R.Models },
    handle({ deps, res }) {
      // The models a chat may use (OPENAI_MODELS) and the default (OPENAI_MODEL).
      res.json({ models: deps.model.models.map((id) => ({ id })), default: deps.model.defaultModel });
    },
  }),
];
