import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
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

describe('migrations', () => {
  it('apply once, even when two instances start at the same time', async () => {
    const [a, b] = await Promise.all([migrate(db), migrate(db)]);
    expect([...a, ...b]).toEqual([
      '001_initial',
      '002_streaming',
      '003_security',
      '004_chat_management',
      '005_turn_engine',
      '006_attachments',
      '007_quiet_chat_touch',
      '008_search_final_text_only',
      '009_usage_accounting',
      '010_search_bounded',
      '011_message_tree',
      '012_administration',
      '013_sign_in',
      '014_feedback',
      '015_reply_error',
    ]);
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows).toEqual(
      ['001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '011', '012', '013', '014', '015'].map((version) => ({
        version,
      })),
    );
  });

  it('refuse to run when an applied migration was edited', async () => {
    await db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = '001'");
    await expect(migrate(db)).rejects.toThrow(/001_initial was edited/);
    const { rows } = await db.query<{ checksum: string }>("SELECT checksum FROM schema_migrations WHERE version = '001'");
    await db.query("UPDATE schema_migrations SET checksum = $1 WHERE version = '001'", [rows[0]!.checksum]);
  });

  it('make email unique case-insensitively in the database itself', async () => {
    await db.query("INSERT INTO users (email, password_hash) VALUES ('case@example.com', 'x')");
    await expect(db.query("INSERT INTO users (email, password_hash) VALUES ('CASE@example.com', 'x')")).rejects.toThrow();
  });

  it('use timestamptz and NOT NULL foreign keys', async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name IN ('users', 'chats', 'messages', 'sessions')
         AND (column_name LIKE '%\\_at' OR column_name = 'expire'
              OR (table_name, column_name) IN (('chats', 'user_id'), ('messages', 'chat_id')))`,
    );
    for (const column of rows) {
      if (column.column_name.endsWith('_at') || column.column_name === 'expire') {
        expect(column.data_type, `${column.table_name}.${column.column_name}`).toBe('timestamp with time zone');
      } else {
        expect(column.is_nullable, `${column.table_name}.${column.column_name}`).toBe('NO');
      }
    }
    expect(rows.length).toBeGreaterThanOrEqual(7);
  });

  it('give the two hot queries an index each', async () => {
    await db.query('SET enable_seqscan = off');
    try {
      const plan = async (sql: string) =>
        (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(
        await plan(
          `SELECT * FROM chats WHERE user_id = '00000000-0000-4000-8000-000000000000' AND archived = false
           ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT 50`,
        ),
      ).toContain('chats_user_list_idx');
      expect(await plan("SELECT * FROM messages WHERE chat_id = '00000000-0000-4000-8000-000000000000' ORDER BY id")).toContain(
        'messages_chat_order_idx',
      );
    } finally {
      await db.query('RESET enable_seqscan');
    }
  });
});
