// What each part of the build is made from, and whether dist/ still matches it. Used by
// ensure-build.mjs (before `npm start` and `npm run migrate`) and by the build scripts, which record the
// hash of the sources they built from (dist/<part>/.source-hash).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The files and folders each part is built from (the client bundles its dependencies, hence the lock file). */
export const PARTS = {
  server: { sources: ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/copy-migrations.mjs'], built: 'dist/server/main.js' },
  client: { sources: ['client', 'vite.config.ts', 'package-lock.json'], built: 'dist/client/index.html' },
};

const stampOf = (part) => path.join(ROOT, 'dist', part, '.source-hash');

function filesUnder(relative) {
  const full = path.join(ROOT, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(path.join(relative, entry.name)));
}

/** A hash of the part's sources: their paths and contents (not their times, which a checkout resets). */
export function sourceHash(part) {
  const hash = createHash('sha256');
  for (const file of PARTS[part].sources.flatMap(filesUnder))
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0');
  return hash.digest('hex');
}

/** Why `part` must be built again, or null when dist/ was built from the sources checked out now. */
export function staleReason(part) {
  if (!existsSync(path.join(ROOT, PARTS[part].built))) return 'not built yet';
  if (!existsSync(stampOf(part))) return 'built without a record of its sources';
  return readFileSync(stampOf(part), 'utf8').trim() === sourceHash(part) ? null : 'sources changed since the last build';
}

export function recordBuild(part) {
  writeFileSync(stampOf(part), `${sourceHash(part)}\n`);
}

// `node scripts/build-state.mjs record <part>`: the last step of `npm run build:<part>`.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'record') recordBuild(process.argv[3]);
