import { z } from 'zod';
import { PAGE_DEFAULT, PAGE_MAX } from '../chats/chats.schema.js';
import { routeFor } from '../http/route.js';
import { storableText } from '../http/text.js';
import * as R from '../openapi/response.schemas.js';
import type { SearchService } from './search.service.js';

const route = routeFor<{ search: SearchService }>();

const OffsetCursor = z
  .string()
  .regex(/^\d{1,7}$/, 'cursor is not valid.')
  .transform(Number);

const SearchQuery = z.object({
  q: storableText().trim().min(1, 'q must not be empty.').max(200, 'q must be at most 200 characters.'),
  sort: z.enum(['newest', 'relevance']).default('newest'),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
  cursor: OffsetCursor.optional(),
});

export const searchRoutes = [
  route({
    method: 'get',
    path: '/api/search',
    summary: 'Full-text search over my titles and messages',
    tag: 'Chats',
    auth: true,
    input: { query: SearchQuery },
    responses: { 200: R.SearchResults, 400: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      res.json(await deps.search.search(user.id, input.query));
    },
  }),
];
