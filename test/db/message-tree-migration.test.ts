import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createMessagesRepo } from '../../src/chats/messages.repo.js';
import { createTestDatabaseTarget, type TestDatabaseTarget } from '../helpers/test-db.js';

let target: TestDatabaseTarget;
let db: Database;

beforeAll(async () => {
  target = await createTestDatabaseTarget();
  db = await openDatabase(target.target);
});
afterAll(async () => {
  await db?.close();
  await target?.dispose();
});

describe('migration 011 (message branches) on a database filled by the previous version', () => {
  it('makes every chat a single path, each message under the one before, nothing lost or reordered', async () => {
    await migrate(db, undefined, { upTo: '010' });
    const { rows: users } = await db.query<{ id: string }>(
      `INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id`,
    );
    const { rows: chats } = await db.query<{ id: string }>(
      `INSERT INTO chats (user_id, title) VALUES ($1, 'a'), ($1, 'b'), ($1, 'empty') RETURNING id`,
      [users[0]!.id],
    );
    const [a, b, empty] = chats.map((c) => c.id);
    // Two chats written in turns (their ids interleave), as a busy server would.
    for (let i = 0; i < 6; i++) {
      for (const chat of [a, b]) {
        await db.query(`INSERT INTO messages (chat_id, role, content, status) VALUES ($1, $2, $3, 'complete')`, [
          chat,
          i % 2 ? 'assistant' : 'user',
          `${chat === a ? 'a' : 'b'}${i}`,
        ]);
      }
    }
    const before = await db.query<{ id: string; chat_id: string; content: string }>(
      'SELECT id, chat_id, content FROM messages ORDER BY id',
    );

    expect((await migrate(db))[0]).toBe('011_message_tree');
    const after = await db.query<{ id: string; chat_id: string; content: string; parent_id: string | null; on_path: boolean }>(
      'SELECT id, chat_id, content, parent_id, on_path FROM messages ORDER BY id',
    );
    expect(after.rows.map(({ id, chat_id, content }) => ({ id, chat_id, content }))).toEqual(before.rows);
    for (const chat of [a, b]) {
      const mine = after.rows.filter((m) => m.chat_id === chat);
      expect(mine.map((m) => m.parent_id)).toEqual([null, ...mine.slice(0, -1).map((m) => m.id)]);
      expect(mine.every((m) => m.on_path)).toBe(true);
      const leaf = await db.query<{ active_leaf_id: string }>('SELECT active_leaf_id FROM chats WHERE id = $1', [chat]);
      expect(leaf.rows[0]!.active_leaf_id).toBe(mine.at(-1)!.id);
      const page = await createMessagesRepo(db).listPage(chat!, { limit: 4 });
      expect(page.messages.map((m) => m.content)).toEqual(mine.slice(-4).map((m) => m.content));
      expect(page.messages.every((m) => m.siblingIds.length === 1 && m.siblingIds[0] === m.id)).toBe(true);
      expect(page.hasMore).toBe(true);
    }
    const none = await db.query<{ active_leaf_id: string | null }>('SELECT active_leaf_id FROM chats WHERE id = $1', [empty]);
    expect(none.rows[0]!.active_leaf_id).toBeNull();
  });
});
