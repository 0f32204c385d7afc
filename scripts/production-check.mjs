// CI's check of a production install (scripts/production-install.sh): starts the pruned app as
// `npm start` and the Docker image do, `node --liftoff-only --expose-gc dist/server/main.js` (no loader, no build:
// its prestart check is run first and must do nothing),
// on the given DATABASE_URL, then health, register,
// a chat with a message (the offline demo model answers), and a clean SIGTERM.
// Usage: DATABASE_URL=postgres://… node scripts/production-check.mjs <app-dir>
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? '.');
const fail = (why) => {
  console.error(`production check failed: ${why}`);
  process.exit(1);
};
// `npm start`'s build check (prestart) never builds in a production install: it has no build tools.
const prestart = execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: dir, encoding: 'utf8' });
if (prestart.trim()) fail(`npm start's build check did something in a production install: ${prestart}`);
const child = spawn(process.execPath, ['--liftoff-only', '--expose-gc', 'dist/server/main.js'], {
  cwd: dir,
  env: { PATH: process.env.PATH, PORT: '0', DATABASE_URL: process.env.DATABASE_URL ?? '', LOG_LEVEL: 'info', NODE_ENV: 'development' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (d) => (out += d));
const deadline = Date.now() + 30_000;
while (!/"port":(\d+)/.test(out)) {
  if (Date.now() > deadline || child.exitCode !== null) fail(`the app did not start:\n${out}`);
  await new Promise((r) => setTimeout(r, 100));
}
const url = `http://127.0.0.1:${/"port":(\d+)/.exec(out)[1]}`;
try {
  if ((await fetch(`${url}/api/health`)).status !== 200) fail('GET /api/health is not 200');
  const email = `prod-check-${Date.now()}@example.com`;
  const reg = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'a-long-passphrase-42' }),
  });
  if (reg.status !== 201) fail(`register answered ${reg.status}`);
  const cookie = reg.headers.getSetCookie()[0].split(';')[0];
  const sent = await fetch(`${url}/api/chats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify({ message: 'Hello from the production check' }),
  });
  const body = await sent.json();
  if (sent.status !== 201 || body.messages?.[1]?.status !== 'complete') fail(`the send answered ${sent.status}: ${JSON.stringify(body)}`);
  console.log(`production check passed: ${url} (health, register, send)`);
} finally {
  child.kill('SIGTERM');
}
const code = await new Promise((resolve) => child.on('exit', resolve));
if (code !== 0) fail(`the app exited with ${code} on SIGTERM`);
