/**
 * `npm run bench`: the app against baselines measured in the same run (see BENCHMARKS.md).
 * The app runs as its own process (compiled, as `npm start` runs it, on BENCH_NODE or this Node.js) on a fresh
 * PostgreSQL database (PGlite for row 9); the model is the zero-latency fake OpenAI server; load comes
 * from this process (autocannon and a lean streaming client). BENCH_ROWS picks rows (default: all).
 * Prints a Markdown table for BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { startFakeOpenAI } from '../../test/helpers/fake-openai.js';
import { NODE, compileForBench, createDatabase, progress } from './app-process.js';
import { DURATION } from './load.js';
import { streamRows } from './rows-streams.js';
import { throughputRows } from './rows-throughput.js';
import { instanceRows } from './rows-instances.js';
import { embeddedRows } from './rows-embedded.js';
import { contextRows, heavyUserRows, loginRows } from './rows-users.js';
import { fileRows } from './rows-files.js';
import { branchRows } from './rows-branches.js';

const rows = new Set((process.env.BENCH_ROWS ?? '1,2,3,4,5,6,7,8,9,10,11,12,13,14').split(',').map(Number));
const nodeVersion = execFileSync(NODE, ['--version']).toString().trim();
const lines: string[] = [];
compileForBench();
const fake = await startFakeOpenAI();
const db = await createDatabase();
try {
  if (rows.has(1) || rows.has(2) || rows.has(9)) lines.push(...(await throughputRows(fake, db.url)));
  progress('throughput rows done');
  if ([3, 4, 5, 10].some((row) => rows.has(row))) lines.push(...(await streamRows(fake, db.url, rows)));
  progress('stream rows done');
  if (rows.has(6)) lines.push(...(await heavyUserRows(fake, db.url)));
  if (rows.has(7)) lines.push(...(await loginRows(fake, db.url)));
  if (rows.has(8)) lines.push(...(await contextRows()));
  if (rows.has(11)) lines.push(...(await instanceRows(fake, db.url)));
  if (rows.has(12)) lines.push(...(await embeddedRows()));
  if (rows.has(13)) lines.push(...(await fileRows(fake, db.url)));
  if (rows.has(14)) lines.push(...(await branchRows(fake, db.url)));
} finally {
  await db.drop();
  await fake.close();
}
const byRow = (line: string) => Number(/^\| (\d+) /.exec(line)?.[1] ?? 0);
console.log(
  [
    `App on Node ${nodeVersion} (benchmark driver on ${process.version}); ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB; PostgreSQL at BENCH_DATABASE_URL's server; autocannon ${DURATION} s × 10 connections.`,
    '',
    '| # | What | Measured | Baseline (same run) | Ratio / result | Target |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...lines.sort((a, b) => byRow(a) - byRow(b)),
  ].join('\n'),
);
process.exit(0);
