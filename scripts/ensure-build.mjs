// Runs before `npm start`: on a fresh clone (`npm install && npm start`) builds the server and the web
// client once, with the dev dependencies `npm install` brought. A production install builds beforehand
// (`npm run build`), so this does nothing there.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const built = ['../dist/server/main.js', '../dist/server/db/migrations', '../dist/client/index.html'].every((file) =>
  existsSync(new URL(file, import.meta.url)),
);
if (!built) {
  if (!existsSync(new URL('../node_modules/typescript', import.meta.url))) {
    console.error('dist/ is missing and the build tools are not installed: run `npm install && npm run build` first.');
    process.exit(1);
  }
  console.log('Building the server and the web client (first start)…');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });
}
