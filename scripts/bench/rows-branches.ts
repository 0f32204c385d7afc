/** Row 14: a chat with many branches against a linear chat of the same path length (issue 31). */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { insertChats, insertHistory, progress, register, startApp, stop } from './app-process.js';
import { timedGet } from './load.js';
import { percentile } from './stream-client.js';

const PATH = 100;
const BRANCHES = 50;
const ROUNDS = 330; // the first 30 of each measurement are a warm-up
const SENDS = 200;
const f = (n: number) => n.toFixed(2);
const agent = new http.Agent({ keepAlive: true });

/** 50 side branches of 100 messages, branching off the chat's path every other message (none on the path). */
async function addBranches(client: pg.Client, chatId: string): Promise<void> {
  const { rows: path } = await client.query<{ id: string }>('SELECT id FROM messages WHERE chat_id = $1 AND on_path ORDER BY id', [chatId]);
  for (let k = 0; k < BRANCHES; k++) {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO messages (chat_id, role, content, on_path)
       SELECT $1, CASE WHEN g % 2 = 1 THEN 'assistant' ELSE 'user' END, repeat('another version ' || g || ' ', 40), false
       FROM generate_series(1, $2::int) AS g RETURNING id`,
      [chatId, PATH],
    );
    const ids = rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const parents = [path[2 * k]!.id, ...ids.slice(0, -1)];
    await client.query(
      'UPDATE messages m SET parent_id = x.parent FROM unnest($1::bigint[], $2::bigint[]) AS x (id, parent) WHERE m.id = x.id',
      [ids, parents],
    );
  }
  await client.query('ANALYZE messages');
}

/** One JSON send (the fake answers at once), timed to the last byte. */
function timedSend(url: string, cookie: string, content: string): Promise<number> {
  const body = JSON.stringify({ content });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { Cookie: cookie, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 201 ? resolve(performance.now() - started) : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Both chats measured in turns, so a noisy moment costs them alike. */
async function inTurns(rounds: number, warmUp: number, one: (chat: 'linear' | 'branched', i: number) => Promise<number>) {
  const times = { linear: [] as number[], branched: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const chat of ['linear', 'branched'] as const) {
      const ms = await one(chat, i);
      if (i >= warmUp) times[chat].push(ms);
    }
  }
  return times;
}

export async function branchRows(fake: FakeOpenAI, dbUrl: string): Promise<string[]> {
  const app = await startApp({ DATABASE_URL: dbUrl, OPENAI_BASE_URL: fake.url });
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { cookie, userId } = await register(app.url);
    const [linear, branched] = await insertChats(dbUrl, userId, 2);
    await insertHistory(dbUrl, [linear!, branched!], PATH);
    await addBranches(client, branched!);
    const ids = { linear: linear!, branched: branched! };
    progress('branched chat built');
    const open = await inTurns(ROUNDS, 30, (chat) => timedGet(`${app.url}/api/chats/${ids[chat]}`, cookie));
    const send = await inTurns(SENDS, 20, (chat, i) => timedSend(`${app.url}/api/chats/${ids[chat]}/message`, cookie, `question ${i}`));
    progress('branch rows measured');
    const row = (what: string, times: typeof open) => {
      const [l50, b50, l95, b95] = [
        percentile(times.linear, 50),
        percentile(times.branched, 50),
        percentile(times.linear, 95),
        percentile(times.branched, 95),
      ];
      return `| 14 | ${what}: median / p95 | ${f(b50)} / ${f(b95)} ms | linear, same path: ${f(l50)} / ${f(l95)} ms | ${f(b50 / l50)}× / ${f(b95 / l95)}× | ≤ 1.2× |`;
    };
    return [
      row(`open a chat whose ${PATH}-message path has ${BRANCHES} branches of ${PATH} messages (\`GET /api/chats/:id\`)`, open),
      row(`… send a message in it (JSON, the fake answers at once; ${SENDS - 20} sends each)`, send),
    ];
  } finally {
    await client.end();
    await stop(app.child);
  }
}
