import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { seedHeavyUser } from '../helpers/seed.js';
import { createTestDatabaseTarget, type TestDatabaseTarget } from '../helpers/test-db.js';

/**
 * With 10,000 chats and a 5,000-message chat for one user, every list the API serves is read through
 * an index (see BENCHMARKS.md for the timings). These are the API's own queries.
 */
let target: TestDatabaseTarget;
let db: Database;
let userId: string;
let longChatId: string;

beforeAll(async () => {
  target = await createTestDatabaseTarget();
  db = await openDatabase(target.target);
  await migrate(db);
  ({ userId, longChatId } = await seedHeavyUser(db, { chats: 10_000, longChatMessages: 5_000, email: 'heavy@example.com', passwordHash: 'x' }));
}, 120_000);
afterAll(async () => {
  await db?.close();
  await target?.dispose();
});

async function plan(sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('query plans for a heavy user', () => {
  it('lists chats (first page and a deep cursor page) through chats_user_list_idx', async () => {
    const list = `SELECT id FROM chats WHERE user_id = $1 AND archived = false
      AND ($2::boolean IS NULL OR (pinned, updated_at, id) < ($2::boolean, $3::timestamptz, $4::uuid))
      ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT 51`;
    const first = await plan(list, [userId, null, null, null]);
    expect(first).toContain('chats_user_list_idx');
    expect(first).not.toMatch(/Seq Scan/);
    const deep = await plan(list, [userId, false, new Date(Date.now() - 9000 * 60_000).toISOString(), '00000000-0000-4000-8000-000000000000']);
    expect(deep).toContain('chats_user_list_idx');
    expect(deep).not.toMatch(/Seq Scan|Sort/);
  });

  it('pages messages (of the long chat and of an old short one) through an index, never a scan or a sort', async () => {
    const page = `SELECT id FROM messages WHERE chat_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT 51`;
    const { rows } = await db.query<{ id: string }>('SELECT id FROM chats WHERE user_id = $1 ORDER BY created_at LIMIT 1', [userId]);
    for (const [chatId, before] of [[longChatId, null], [longChatId, '21000'], [rows[0]!.id, null]] as const) {
      const p = await plan(page, [chatId, before]);
      expect(p).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
      expect(p).not.toMatch(/Seq Scan/);
    }
  });

  it('searches through the full-text GIN indexes', async () => {
    const p = await plan(
      `SELECT m.id FROM messages m JOIN chats c ON c.id = m.chat_id
       WHERE c.user_id = $1 AND m.content_search @@ websearch_to_tsquery('simple', $2)`,
      [userId, '777'],
    );
    expect(p).toContain('messages_content_search_idx');
    // 10,000 titles fit in a few pages, so the planner may rightly prefer a plain scan; the index must
    // still serve the query once scanning stops being the cheaper way (as it soon does with more users).
    await db.query('SET enable_seqscan = off');
    try {
      const t = await plan(`SELECT id FROM chats WHERE user_id = $1 AND title_search @@ websearch_to_tsquery('simple', $2)`, [userId, '4321']);
      expect(t).toContain('chats_title_search_idx');
    } finally {
      await db.query('RESET enable_seqscan');
    }
  });
});
