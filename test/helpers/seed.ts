import type { Queryable } from '../../src/db/database.js';

/**
 * Seeds one user with `chats` chats (two messages each) and one long chat of `longChatMessages`
 * messages, in a few set-based statements. Used by the query-plan test and the benchmark.
 */
export async function seedHeavyUser(
  db: Queryable,
  options: { chats: number; longChatMessages: number; email: string; passwordHash: string },
) {
  const { rows } = await db.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', [
    options.email,
    options.passwordHash,
  ]);
  const userId = rows[0]!.id;
  await db.query(
    `INSERT INTO chats (user_id, title, created_at, updated_at, pinned)
     SELECT $1, 'Chat number ' || g || ' about ' || (ARRAY['rivers','mountains','budgets','recipes','travel'])[1 + g % 5],
            now() - make_interval(mins => g), now() - make_interval(mins => g), g % 500 = 0
     FROM generate_series(1, $2) AS g`,
    [userId, options.chats],
  );
  await db.query(
    `INSERT INTO messages (chat_id, role, content)
     SELECT c.id, r.role, r.role || ' text for ' || c.title
     FROM chats c CROSS JOIN (VALUES ('user'), ('assistant')) AS r(role) WHERE c.user_id = $1`,
    [userId],
  );
  const { rows: long } = await db.query<{ id: string }>(
    `INSERT INTO chats (user_id, title) VALUES ($1, 'The long conversation') RETURNING id`,
    [userId],
  );
  const longChatId = long[0]!.id;
  await db.query(
    `INSERT INTO messages (chat_id, role, content)
     SELECT $1, CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
            'Message ' || g || ' of the long conversation, discussing ' || (ARRAY['glaciers','markets','poetry','engines'])[1 + g % 4]
     FROM generate_series(1, $2) AS g`,
    [longChatId, options.longChatMessages],
  );
  const { rows: all } = await db.query<{ id: string }>('SELECT id FROM chats WHERE user_id = $1', [userId]);
  await linkAsPaths(
    db,
    all.map((c) => c.id),
  );
  await db.query('ANALYZE users; ANALYZE chats; ANALYZE messages;');
  return { userId, longChatId };
}

/** Makes the messages inserted in bulk into `chatIds` what the app writes: one path each, every message under the one before. */
export async function linkAsPaths(db: Pick<Queryable, 'query'>, chatIds: readonly string[]): Promise<void> {
  await db.query(
    `WITH p AS (
       SELECT id, chat_id, lag(id) OVER (PARTITION BY chat_id ORDER BY id) AS previous FROM messages WHERE chat_id = ANY($1::uuid[])
     ), linked AS (
       UPDATE messages m SET parent_id = p.previous FROM p WHERE m.id = p.id AND p.previous IS NOT NULL
     )
     UPDATE chats c SET active_leaf_id = l.leaf FROM (SELECT chat_id, max(id) AS leaf FROM p GROUP BY chat_id) l WHERE c.id = l.chat_id`,
    [chatIds],
  );
}
