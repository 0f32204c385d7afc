import type { Database } from '../db/database.js';

/**
 * How much of a message a snippet is cut from: its first 10,000 characters (ts_headline parses all it
 * is given; the index holds the first 100,000, migration 010). A match further in shows the message's start.
 */
const SNIPPET_SOURCE_CHARS = 10_000;

export interface SearchHit {
  chat: { id: string; title: string | null };
  /** null when the chat's title matched. */
  messageId: string | null;
  /** The message is on its chat's active path (a title: true); else, open it by switching to it. */
  onActivePath: boolean;
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
  on_path: boolean;
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
 * tsvector columns (PostgreSQL full-text search, which PGlite has too). A search runs under its own
 * statement timeout (`timeoutMs`): past it, PostgreSQL cancels it (SQLSTATE 57014).
 */
export function createSearchRepo(db: Database) {
  return {
    search(
      userId: string,
      query: { q: string; sort: 'newest' | 'relevance'; limit: number; offset: number },
      timeoutMs: number,
    ): Promise<SearchHit[]> {
      return db.withTransaction(async (tx) => {
        await tx.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
        return toHits(await tx.query<HitRow>(searchSql(query.sort), [userId, query.q, query.limit, query.offset]));
      });
    },
  };
}

function searchSql(sort: 'newest' | 'relevance'): string {
  const order = sort === 'relevance' ? 'rank DESC, at DESC' : 'at DESC, rank DESC';
  return `WITH q AS (SELECT websearch_to_tsquery('simple', $2) AS query)
    SELECT * FROM (
      SELECT c.id AS chat_id, c.title, NULL::bigint AS message_id, true AS on_path, 'title' AS kind,
             ts_headline('simple', ${escaped("coalesce(c.title, '')")}, q.query, ${HEADLINE}) AS snippet,
             ts_rank(c.title_search, q.query) * 2 AS rank, c.updated_at AS at
      FROM chats c, q WHERE c.user_id = $1 AND c.title_search @@ q.query
      UNION ALL
      SELECT c.id, c.title, m.id, m.on_path, 'message',
             ts_headline('simple', ${escaped(`left(m.content, ${SNIPPET_SOURCE_CHARS})`)}, q.query, ${HEADLINE}),
             ts_rank(m.content_search, q.query), m.created_at
      FROM messages m JOIN chats c ON c.id = m.chat_id, q
      WHERE c.user_id = $1 AND m.content_search @@ q.query
    ) hits
    ORDER BY ${order}, message_id DESC NULLS LAST, chat_id
    LIMIT $3 OFFSET $4`;
}

const toHits = ({ rows }: { rows: HitRow[] }): SearchHit[] =>
  rows.map((r) => ({
    chat: { id: r.chat_id, title: r.title },
    messageId: r.message_id,
    onActivePath: r.on_path,
    kind: r.kind,
    snippet: r.snippet,
    rank: Number(r.rank),
    at: r.at.toISOString(),
  }));
