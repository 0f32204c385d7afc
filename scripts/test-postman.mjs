// `npm run test:postman`: starts a fresh server (a temporary embedded database, the offline demo model)
// and runs the shipped Postman collection against it with newman. Fails on any failed assertion, or if
// the collection tests less than it should.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import newman from 'newman';

const root = new URL('..', import.meta.url).pathname;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gptb-postman-'));
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: root,
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    SESSION_SECRET: 'postman-run-session-secret-0123456789-abcdef',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
server.stdout.on('data', (d) => (out += d));
const stop = () => {
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
};

const deadline = Date.now() + 60_000;
while (!/"port":(\d+)/.test(out)) {
  if (Date.now() > deadline || server.exitCode !== null) {
    stop();
    console.error(`the server did not start:\n${out}`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}
const baseUrl = `http://127.0.0.1:${/"port":(\d+)/.exec(out)[1]}`;

const summary = await new Promise((resolve, reject) =>
  newman.run(
    {
      collection: path.join(root, 'docs/gpt-backend.postman_collection.json'),
      envVar: [{ key: 'baseUrl', value: baseUrl }],
      workingDir: root, // the upload step's file
      insecureFileRead: false,
      reporters: ['cli'],
    },
    (err, result) => (err ? reject(err) : resolve(result)),
  ),
);
stop();
const { stats } = summary.run;
const problems = [];
if (summary.run.failures.length > 0) problems.push(`${summary.run.failures.length} failures`);
if (stats.requests.total < 30) problems.push(`only ${stats.requests.total} requests (30 or more expected)`);
if (stats.assertions.total < 60) problems.push(`only ${stats.assertions.total} assertions (60 or more expected)`);
if (problems.length) {
  console.error(`Postman collection: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`Postman collection: ${stats.requests.total} requests, ${stats.assertions.total} assertions, 0 failures`);
