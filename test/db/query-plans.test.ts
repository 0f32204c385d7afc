import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatsRepo } from '../../src/chats/chats.repo.js';
import { createTurnsRepo, type KnownHistory } from '../../src/chats/turns.repo.js';
import { createMessagesRepo } from '../../src/chats/messages.repo.js';
import { openDatabase, type Database, type Queryable } from '../../src/db/database.js';
import { createSearchRepo } from '../../src/search/search.repo.js';
import { migrate } from '../../src/db/migrate.js';
import { seedHeavyUser } from '../helpers/seed.js';
import { createTestDatabaseTarget, type TestDatabaseTarget } from '../helpers/test-db.js';

/**
 * With 10,000 chats and a 5,000-message chat for one user, every list the API serves is read through
 * an index (see BENCHMARKS.md for the timings). The statements are captured from the repositories.
 */
let target: TestDatabaseTarget;
let db: Database;
let userId: string;
let longChatId: string;

beforeAll(async () => {
  target = await createTestDatabaseTarget();
  db = await openDatabase(target.target);
  await migrate(db);
  ({ userId, longChatId } = await seedHeavyUser(db, {
    chats: 10_000,
    longChatMessages: 5_000,
    email: 'heavy@example.com',
    passwordHash: 'x',
  }));
}, 120_000);
afterAll(async () => {
  await db?.close();
  await target?.dispose();
});

/**
 * Runs a repository call against the real database while recording its statements, then EXPLAINs each
 * one with the very parameters it was given: the plans are those of the API's own SQL, not a copy.
 */
async function plansOf(call: (db: Queryable) => Promise<unknown>, on: Queryable = db): Promise<string> {
  const statements: { text: string; values?: unknown[] }[] = [];
  const recording: Queryable = {
    query(text, values) {
      statements.push({ text, values });
      return on.query(text, values);
    },
  };
  await call(recording);
  expect(statements.length).toBeGreaterThan(0);
  const plans = [];
  for (const { text, values } of statements) {
    if (/^SET /i.test(text)) continue; // a setting (a statement timeout), not a query
    const { rows } = await on.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
    plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
  return plans.join('\n');
}

describe('query plans for a heavy user', () => {
  it('lists chats (first page and a deep cursor page) through chats_user_list_idx', async () => {
    const first = await plansOf((q) => createChatsRepo(q).listPage(userId, { archived: false, limit: 51 }));
    expect(first).toContain('chats_user_list_idx');
    expect(first).not.toMatch(/Seq Scan/);
    const after = {
      pinned: false,
      updatedAt: new Date(Date.now() - 9000 * 60_000).toISOString(),
      id: '00000000-0000-4000-8000-000000000000',
    };
    const deep = await plansOf((q) => createChatsRepo(q).listPage(userId, { archived: false, limit: 51, after }));
    expect(deep).toContain('chats_user_list_idx');
    expect(deep).not.toMatch(/Seq Scan|Sort/);
  });

  it('pages messages (of the long chat and of an old short one) through an index, never a scan or a sort', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM chats WHERE user_id = $1 ORDER BY created_at LIMIT 1', [userId]);
    for (const [chatId, beforeId] of [
      [longChatId, undefined],
      [longChatId, '21000'],
      [rows[0]!.id, undefined],
    ] as const) {
      const p = await plansOf((q) => createMessagesRepo(q).listPage(chatId, { limit: 50, beforeId }));
      expect(p).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
      expect(p).not.toMatch(/Seq Scan/);
    }
  });

  it('searches through the full-text GIN indexes', async () => {
    const search = (q: Queryable) =>
      createSearchRepo({ ...db, withTransaction: (work) => work(q) }).search(
        userId,
        { q: '777', sort: 'newest', limit: 51, offset: 0 },
        3000,
      );
    expect(await plansOf(search)).toContain('messages_content_search_idx');
    // 10,000 titles fit in a few pages, so the planner may rightly prefer a plain scan; the index must
    // still serve the query once scanning stops being the cheaper way (as it soon does with more users).
    await db.withTransaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      expect(await plansOf(search, tx)).toContain('chats_title_search_idx');
    });
  });

  it('stores a send without reading back a 5,000-message conversation the caller holds, and reads it when the newest message differs', async () => {
    const { rows } = await db.query<{ id: string; content: string }>(
      `SELECT id::text, content FROM messages WHERE chat_id = $1 AND content <> '' ORDER BY messages.id DESC LIMIT 1`,
      [longChatId],
    );
    const newest = rows[0]!;
    const held = (digestOf: string): KnownHistory => ({
      turns: [{ role: 'user', content: 'the conversation as the caller holds it' }],
      newestId: newest.id,
      newestDigest: createHash('md5').update(digestOf).digest('hex'),
    });
    // Each call runs in a transaction that is rolled back, so the chat stays as seeded for the next.
    const rolledBack = async <T>(work: (tx: Queryable) => Promise<T>): Promise<T> => {
      let result: T | undefined;
      await db
        .withTransaction(async (tx) => {
          result = await work(tx);
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      return result!;
    };
    const send = (knownHistory: KnownHistory) =>
      rolledBack(async (tx) => {
        const statements: { text: string; values?: unknown[] }[] = [];
        const recording: Queryable = { query: (text, values) => (statements.push({ text, values }), tx.query(text, values)) };
        const result = await createTurnsRepo(recording).storeTurn({
          ...{ userId, chatId: longChatId, content: 'one more', clientMessageId: null, autoTitle: 'one more' },
          ...{ defaultModel: 'm', models: ['m'], owner: null, knownHistory },
        });
        if (!('stored' in result)) throw new Error(`refused: ${result.refused}`);
        return { history: result.stored.history, ...statements[0]! };
      });
    const trusted = await send(held(newest.content));
    expect(trusted.history).toEqual(held(newest.content).turns);
    const stale = await send(held(`${newest.content} (changed)`));
    expect(stale.history.length).toBeGreaterThan(4000);
    // EXPLAIN ANALYZE of the very statement: the conversation's aggregate never runs when it is trusted.
    const analyze = (values: unknown[] | undefined) =>
      rolledBack(async (tx) => {
        const { rows: plan } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${trusted.text}`, values);
        return plan.map((r) => r['QUERY PLAN']).join('\n');
      });
    expect(await analyze(trusted.values)).toMatch(/Aggregate \(never executed\)/);
    expect(await analyze(stale.values)).toMatch(/Aggregate \(actual time/);
  });
});
