import type { Database } from '../db/database.js';
import { AppError } from '../http/errors.js';
import { createGate } from '../http/gate.js';
import type { Limits } from '../limits/limits.js';
import { createSearchRepo, type SearchHit } from './search.repo.js';

export interface SearchRequest {
  q: string;
  sort: 'newest' | 'relevance';
  limit: number;
  /** Where the previous page ended (an offset: results have no stable key to page by). */
  cursor?: number;
}

/**
 * How many searches one process runs at once: a fixed share of its database connections, so searches
 * can never hold every connection and starve other requests: 2 of PostgreSQL's 10; 1 on PGlite, whose
 * one connection every request shares (between two searches, the others' queries get their turn).
 */
const searchesAtOnce = (db: Database) => (db.kind === 'pglite' ? 1 : 2);
/** PostgreSQL's "canceling statement due to statement timeout". */
const QUERY_CANCELED = '57014';

const searchTimeout = () =>
  new AppError(503, 'search_timeout', 'This search took too long. Try more specific words.', { headers: { 'Retry-After': '5' } });

/**
 * Full-text search over the user's own titles and messages, a page at a time: rate-limited per user
 * (SEARCHES_PER_MINUTE), at most searchesAtOnce() at a time in the process, each within SEARCH_TIMEOUT_MS
 * (waiting for its turn included): past it, 503 search_timeout.
 */
export function createSearchService(db: Database, limits: Pick<Limits, 'beforeSearch'>, timeoutMs: number) {
  const repo = createSearchRepo(db);
  const gate = createGate(searchesAtOnce(db));

  return {
    async search(userId: string, request: SearchRequest): Promise<{ results: SearchHit[]; nextCursor: string | null }> {
      await limits.beforeSearch(userId);
      const deadline = Date.now() + timeoutMs;
      if (!(await gate.enter({ waitMs: timeoutMs }))) throw searchTimeout();
      const offset = request.cursor ?? 0;
      let hits: SearchHit[];
      try {
        const query = { q: request.q, sort: request.sort, limit: request.limit + 1, offset };
        hits = await repo.search(userId, query, Math.max(1, deadline - Date.now()));
      } catch (err) {
        throw (err as { code?: unknown }).code === QUERY_CANCELED ? searchTimeout() : err;
      } finally {
        gate.leave();
      }
      const hasMore = hits.length > request.limit;
      return { results: hits.slice(0, request.limit), nextCursor: hasMore ? String(offset + request.limit) : null };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
