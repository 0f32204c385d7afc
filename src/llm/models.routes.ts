import type { TurnsService } from '../chats/turns.service.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';

const route = routeFor<{ turns: Pick<TurnsService, 'models'> }>();

export const modelRoutes = [
  route({
    method: 'get',
    path: '/api/models',
    summary: 'Models a chat may use',
    tag: 'Chats',
    auth: true,
    responses: { 200: R.Models },
    async handle({ deps, user, res }) {
      // The allow-list (OPENAI_MODELS) and its default (OPENAI_MODEL); for a user an admin gave a list of
      // models, that list (within the allow-list) and the default if it is in it, else its first.
      const { models, default: defaultModel } = await deps.turns.models.listFor(user.id);
      res.json({ models: models.map((id) => ({ id })), default: defaultModel });
    },
  }),
];
