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
  await db.query('ANALYZE users; ANALYZE chats; ANALYZE messages;');
  return { userId, longChatId };
}
