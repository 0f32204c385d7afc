import type { Queryable } from '../db/database.js';

export interface SearchHit {
  chat: { id: string; title: string | null };
  /** null when the chat's title matched. */
  messageId: string | null;
  kind: 'title' | 'message';
  /** HTML-escaped text around the match, with the matched words in <mark>…</mark>. */
  snippet: string;
  rank: number;
  at: string;
}

interface HitRow {
  chat_id: string;
  title: string | null;
  message_id: string | null;
  kind: 'title' | 'message';
  snippet: string;
  rank: number;
  at: Date;
}

// Escaped before highlighting, so the only markup in a snippet is ours.
const escaped = (column: string) => `replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
const HEADLINE = `'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8, MaxFragments=1'`;

/**
 * Full-text search over the user's own chat titles and messages, through the GIN indexes on their
 * tsvector columns (PostgreSQL full-text search, which PGlite has too).
 */
export function createSearchRepo(db: Queryable) {
  return {
    async search(userId: string, query: { q: string; sort: 'newest' | 'relevance'; limit: number; offset: number }): Promise<SearchHit[]> {
      const order = query.sort === 'relevance' ? 'rank DESC, at DESC' : 'at DESC, rank DESC';
      const { rows } = await db.query<HitRow>(
        `WITH q AS (SELECT websearch_to_tsquery('simple', $2) AS query)
         SELECT * FROM (
           SELECT c.id AS chat_id, c.title, NULL::bigint AS message_id, 'title' AS kind,
                  ts_headline('simple', ${escaped("coalesce(c.title, '')")}, q.query, ${HEADLINE}) AS snippet,
                  ts_rank(c.title_search, q.query) * 2 AS rank, c.updated_at AS at
           FROM chats c, q WHERE c.user_id = $1 AND c.title_search @@ q.query
           UNION ALL
           SELECT c.id, c.title, m.id, 'message',
                  ts_headline('simple', ${escaped('m.content')}, q.query, ${HEADLINE}),
                  ts_rank(m.content_search, q.query), m.created_at
           FROM messages m JOIN chats c ON c.id = m.chat_id, q
           WHERE c.user_id = $1 AND m.content_search @@ q.query
         ) hits
         ORDER BY ${order}, message_id DESC NULLS LAST, chat_id
         LIMIT $3 OFFSET $4`,
        [userId, query.q, query.limit, query.offset],
      );
      return rows.map((r) => ({
        chat: { id: r.chat_id, title: r.title },
        messageId: r.message_id,
        kind: r.kind,
        snippet: r.snippet,
        rank: Number(r.rank),
        at: r.at.toISOString(),
      }));
    },
  };
}
