import type { Queryable } from '../db/database.js';
import { createSearchRepo, type SearchHit } from './search.repo.js';

export interface SearchRequest {
  q: string;
  sort: 'newest' | 'relevance';
  limit: number;
  /** Where the previous page ended (an offset: results have no stable key to page by). */
  cursor?: number;
}

/** Full-text search over the user's own titles and messages, a page at a time. */
export function createSearchService(db: Queryable) {
  const repo = createSearchRepo(db);
  return {
    async search(userId: string, request: SearchRequest): Promise<{ results: SearchHit[]; nextCursor: string | null }> {
      const offset = request.cursor ?? 0;
      const hits = await repo.search(userId, { q: request.q, sort: request.sort, limit: request.limit + 1, offset });
      const hasMore = hits.length > request.limit;
      return { results: hits.slice(0, request.limit), nextCursor: hasMore ? String(offset + request.limit) : null };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
