/**
 * `npm run bench:latency`: latency of the API's hot paths for one heavy user (10,000 chats, one chat of 5,000
 * messages), over real HTTP against a real database (in-memory PGlite, or BENCH_DATABASE_URL, which
 * must point to an empty, disposable database). The model is the fake OpenAI server of the tests.
 * Prints a Markdown table for BENCHMARKS.md.
 */
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { fitToContext, loadTokenizer } from '../src/llm/context-window.js';
import { createLogger } from '../src/logger.js';
import { buildServices } from '../src/services.js';
import { startFakeOpenAI } from '../test/helpers/fake-openai.js';
import { seedHeavyUser } from '../test/helpers/seed.js';
import { listen, openSse } from '../test/helpers/sse.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PASSWORD = 'benchmark-passphrase-123';

const fake = await startFakeOpenAI();
const config = loadConfig(
  {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    RATE_LIMITS: 'off',
    SESSION_SECRET: 'benchmark-session-secret-0123456789abcdef',
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: 'bench-model',
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    DATA_DIR: 'memory://',
  },
  () => 'unused',
);
const db = await openDatabase(config.database);
await migrate(db);
const services = await buildServices(config, db, { logger: createLogger('silent') });
const app = createApp(services);
const server = await listen(app);

const seedStart = performance.now();
const email = `bench-${Date.now()}@example.com`;
const { longChatId } = await seedHeavyUser(db, {
  chats: 10_000,
  longChatMessages: 5_000,
  email,
  passwordHash: await bcrypt.hash(PASSWORD, 4),
});
const seedMs = performance.now() - seedStart;

const login = await fetch(`${server.url}/api/auth/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ email, password: PASSWORD }),
});
const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
const get = (path: string) => fetch(`${server.url}${path}`, { headers: { Cookie: cookie } });

// A cursor deep in the list: walk to page 180 (of 200) once.
let deepCursor = '';
for (let page = 0, cursor = ''; page < 180; page++) {
  const body = (await (await get(`/api/chats?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { nextCursor: string };
  cursor = body.nextCursor;
  deepCursor = cursor;
}
const { rows: middle } = await db.query<{ id: string }>('SELECT id FROM messages WHERE chat_id = $1 ORDER BY id OFFSET 2500 LIMIT 1', [
  longChatId,
]);
const middleMessageId = middle[0]!.id;
const sendChat = ((await (await get('/api/chats?limit=1')).json()) as { chats: { id: string }[] }).chats[0]!.id;

interface Result {
  name: string;
  samples: number[];
}

async function measure(name: string, run: () => Promise<unknown>, rounds = ROUNDS): Promise<Result> {
  for (let i = 0; i < 10; i++) await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return { name, samples };
}

const ok = async (res: Promise<Response>) => {
  const r = await res;
  if (!r.ok) throw new Error(`${r.url}: ${r.status}`);
  await r.arrayBuffer();
};

const results: Result[] = [];
results.push(await measure('GET /api/auth/me (one session read)', () => ok(get('/api/auth/me'))));
results.push(await measure('GET /api/chats (first page of 50, of 10,000)', () => ok(get('/api/chats?limit=50'))));
results.push(await measure('GET /api/chats (page 181 by cursor)', () => ok(get(`/api/chats?limit=50&cursor=${deepCursor}`))));
results.push(await measure('GET /api/chats/:id (newest 50 of 5,000 messages)', () => ok(get(`/api/chats/${longChatId}`))));
results.push(
  await measure('GET /api/chats/:id/messages?before= (middle of 5,000)', () =>
    ok(get(`/api/chats/${longChatId}/messages?limit=50&before=${middleMessageId}`)),
  ),
);
results.push(await measure('GET /api/search?q= (rare word)', () => ok(get('/api/search?q=4321'))));
results.push(await measure('GET /api/search?q= (common word, first page)', () => ok(get('/api/search?q=glaciers'))));
results.push(
  await measure(
    'POST /api/chats/:id/message (JSON, fake model, whole turn)',
    () =>
      ok(
        fetch(`${server.url}/api/chats/${sendChat}/message`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Cookie: cookie },
          body: JSON.stringify({ content: 'benchmark message' }),
        }),
      ),
    100,
  ),
);
results.push(
  await measure(
    'POST …/message (SSE): time to first delta',
    async () => {
      const sse = await openSse(`${server.url}/api/chats/${sendChat}/message`, { cookie, body: { content: 'stream it' } });
      await sse.waitFor((e) => e.event === 'delta');
      await sse.ended;
    },
    100,
  ),
);

// Context budgeting for a 100-message history (the work done before every model call).
const history = Array.from({ length: 100 }, (_, i) => ({
  role: (i % 2 ? 'assistant' : 'user') as 'user' | 'assistant',
  content: `Message ${i}: ${'a fairly ordinary sentence about rivers, budgets and recipes. '.repeat(6)}`,
}));
await loadTokenizer();
const coldStart = performance.now();
fitToContext('You are helpful.', history, 'gpt-4o-mini', config.chat.context);
const coldMs = performance.now() - coldStart;
results.push(
  await measure(
    'Context budgeting, 100-message history (token counts cached)',
    async () => {
      fitToContext(
        'You are helpful.',
        [...history, { role: 'user', content: `new question ${Math.random()}` }],
        'gpt-4o-mini',
        config.chat.context,
      );
    },
    1000,
  ),
);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const lines = [
  `Database: ${config.database.kind === 'pglite' ? 'embedded PGlite (in memory)' : 'PostgreSQL'}; Node ${process.version}; ` +
    `seeded 10,000 chats + 5,000 messages in ${(seedMs / 1000).toFixed(1)} s; ${ROUNDS} sequential requests per row ` +
    `(100 for sends), after 10 warm-up requests. RSS at the end: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB. ` +
    `Context budgeting of a 100-message history with a cold cache: ${coldMs.toFixed(1)} ms.`,
  '',
  '| Path | p50 (ms) | p95 (ms) | max (ms) |',
  '| --- | ---: | ---: | ---: |',
  ...results.map(({ name, samples }) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return `| ${name} | ${pct(sorted, 50).toFixed(1)} | ${pct(sorted, 95).toFixed(1)} | ${sorted.at(-1)!.toFixed(1)} |`;
  }),
];
console.log(lines.join('\n'));

await server.close();
await services.close();
await db.close();
await fake.close();
