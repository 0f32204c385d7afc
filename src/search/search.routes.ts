import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { storableText } from '../http/text.js';
import { withInput } from '../http/validate.js';
import { PAGE_DEFAULT, PAGE_MAX } from '../chats/chats.schema.js';
import { createSearchRepo } from './search.repo.js';

const OffsetCursor = z
  .string()
  .regex(/^\d{1,7}$/, 'cursor is not valid.')
  .transform(Number);

export const SearchQuery = z.object({
  q: storableText().trim().min(1, 'q must not be empty.').max(200, 'q must be at most 200 characters.'),
  sort: z.enum(['newest', 'relevance']).default('newest'),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
  cursor: OffsetCursor.optional(),
});

/** GET /api/search?q=: the user's own titles and messages matching q, newest first, in pages. */
export function createSearchRouter(db: Database): Router {
  const router = Router();
  const search = createSearchRepo(db);
  router.get('/', requireUser, withInput({ query: SearchQuery }, async ({ query }, req, res) => {
    const offset = query.cursor ?? 0;
    const hits = await search.search(currentUser(req).id, { q: query.q, sort: query.sort, limit: query.limit + 1, offset });
    const hasMore = hits.length > query.limit;
    res.json({ results: hits.slice(0, query.limit), nextCursor: hasMore ? String(offset + query.limit) : null });
  }));
  return router;
}
