// Runs before `npm start` and `npm run migrate`: what runs is always what is checked out. The server
// (dist/server) and the web client (dist/client) are each rebuilt when their sources differ from those
// they were built from (a first start, a `git pull`, an edit), saying so in one line. A production
// install (`npm run build`, then no dev dependencies) never builds: it runs what it was built with.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PARTS, ROOT, staleReason } from './build-state.mjs';

if (!existsSync(path.join(ROOT, 'node_modules', 'typescript'))) {
  if (Object.values(PARTS).every(({ built }) => existsSync(path.join(ROOT, built)))) process.exit(0);
  console.error('dist/ is missing and the build tools are not installed: run `npm install && npm run build` first.');
  process.exit(1);
}

const stale = Object.keys(PARTS)
  .map((part) => ({ part, reason: staleReason(part) }))
  .filter((entry) => entry.reason);
if (stale.length > 0) {
  const names = { server: 'the server', client: 'the web client' };
  console.log(`Building ${stale.map(({ part, reason }) => `${names[part]} (${reason})`).join(' and ')}…`);
  // Always a production build: a NODE_ENV inherited from the caller (vitest sets `test`) would bundle
  // React's development build, three times slower and 60 KB bigger.
  const env = { ...process.env, NODE_ENV: 'production' };
  for (const { part } of stale) execFileSync('npm', ['run', '--silent', `build:${part}`], { stdio: 'inherit', cwd: ROOT, env });
}
