// Runs before `npm start`: builds the web client when dist/client is missing (it is not committed).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

if (!existsSync(new URL('../dist/client/index.html', import.meta.url))) {
  console.log('Building the web client (first start)…');
  execFileSync(process.execPath, [new URL('../node_modules/vite/bin/vite.js', import.meta.url).pathname, 'build', '--logLevel', 'warn'], {
    stdio: 'inherit',
    cwd: new URL('..', import.meta.url).pathname,
  });
}
