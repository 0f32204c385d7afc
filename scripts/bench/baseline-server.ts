/**
 * The baseline for the chat list: a bare node:http server running the API's own chats SELECT through
 * `pg` (same pool size), with no framework, session or validation. Started as a child process by
 * scripts/bench/main.ts; prints its port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const userId = process.env.BENCH_USER_ID;

const server = http.createServer(async (_req, res) => {
  const { rows } = await pool.query(
    `SELECT id, title, system_prompt, model, pinned, archived, created_at, updated_at FROM chats
     WHERE user_id = $1 AND archived = false ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT 51`,
    [userId],
  );
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ chats: rows.slice(0, 50), nextCursor: null }));
});
server.listen(0, '127.0.0.1', () => console.log(`port=${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
