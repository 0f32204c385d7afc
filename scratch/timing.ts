import { performance } from 'node:perf_hooks';
import { startFakeOpenAI } from '../test/helpers/fake-openai.js';
import { startTestApp } from '../test/helpers/test-app.js';
import { listen } from '../test/helpers/sse.js';
import { timeStream, percentile } from '../scripts/bench/stream-client.js';
import request from 'supertest';
import { PASSWORD, sessionCookie, uniqueEmail } from '../test/helpers/users.js';

const marks: Record<string, number[]> = {};
let t0 = 0;
(globalThis as any).__t = (label: string) => { (marks[label] ??= []).push(performance.now() - t0); };
const fake = await startFakeOpenAI();
const t = await startTestApp({ fake, env: { LOG_LEVEL: 'silent' } });
const server = await listen(t.app);
const reg = await request(t.app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
const cookie = sessionCookie(reg)!;
const chats: string[] = [];
for (let i = 0; i < 100; i++) chats.push((await request(t.app).post('/api/chats').set('Cookie', cookie).send({})).body.chat.id);
let n = 0;
await request(t.app).get('/api/chats').set('Cookie', cookie);
const send = () => timeStream({ url: `${server.url}/api/chats/${chats[n++ % 100]}/message`, headers: { Cookie: cookie }, body: { content: 'hi' }, marker: 'event: delta' });
for (let i = 0; i < 100; i++) await send();
for (const k of Object.keys(marks)) delete marks[k];
const firsts: number[] = [];
for (let i = 0; i < 200; i++) { t0 = performance.now(); const r = await send(); firsts.push(r.first); }
console.log('first p50', percentile(firsts, 50).toFixed(2));
for (const [k, v] of Object.entries(marks)) console.log(k.padEnd(20), percentile(v, 50).toFixed(2));
const d: number[] = [];
for (let i = 0; i < 100; i++) { const r = await timeStream({ url: `${fake.url}/chat/completions`, body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }, marker: '"content":"' }); d.push(r.first); }
console.log('direct p50', percentile(d, 50).toFixed(2));
const { STORE_TURN_SQL } = await import('../src/chats/turns.repo.js');
const me = (await t.db.query('select user_id from chats where id = $1', [chats[0]])).rows[0].user_id;
const client = t.db;
await client.query('BEGIN');
const plan = await client.query('EXPLAIN (ANALYZE, BUFFERS, TIMING) ' + STORE_TURN_SQL, [chats[0], me, 'hello', null, 'test-model', 'T', ['test-model'], null, null]);
console.log(plan.rows.map((r: any) => r['QUERY PLAN']).join('\n'));
await client.query('ROLLBACK');
const ts: number[] = [];
for (let i = 0; i < 100; i++) { const s0 = performance.now(); await t.db.query('select 1'); ts.push(performance.now() - s0); }
console.log('select 1 via pool p50', percentile(ts, 50).toFixed(3));
await server.close(); await t.close(); await fake.close(); process.exit(0);
