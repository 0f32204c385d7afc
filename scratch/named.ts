import { openDatabase } from '../src/db/database.js';
const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
try {
  for (let i = 0; i < 3; i++) console.log((await db.pool.query({ name: 'x', text: 'select $1::int as a', values: [i] })).rows);
  await db.pool.query({ name: 'y', text: 'select 1/$1::int', values: [0] }).catch((e) => console.log('err1', e.message));
  console.log((await db.pool.query({ name: 'x', text: 'select $1::int as a', values: [7] })).rows);
  await Promise.all([1,2,3].map(i => db.pool.query({ name: 'x', text: 'select $1::int as a', values: [i] }).then(r=>console.log(r.rows), e=>console.log('err', e.message))));
} catch (e) { console.log('fail', (e as Error).message); }
await db.close();
