// Part of `npm run build`: what the compiled server reads next to itself that tsc does not emit: the
// migrator's numbered .sql files, and the file worker (plain JavaScript, run as a worker thread).
import { cpSync } from 'node:fs';

cpSync(new URL('../src/db/migrations', import.meta.url), new URL('../dist/server/db/migrations', import.meta.url), { recursive: true });
cpSync(
  new URL('../src/attachments/file-worker.mjs', import.meta.url),
  new URL('../dist/server/attachments/file-worker.mjs', import.meta.url),
);
