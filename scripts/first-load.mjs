// The web client's first load: index.html and every script and stylesheet it names (the chunks loaded
// later on demand, such as the Markdown renderer, KaTeX and the highlighter, are not counted), gzipped
// at level 9 as a server or CDN would send them. `node scripts/first-load.mjs` prints the figure.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The files of the first load, each with its gzipped size in bytes, and their total. */
export function firstLoad(clientDir) {
  const html = readFileSync(path.join(clientDir, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const files = ['index.html', ...new Set(named)].map((file) => ({
    file,
    gzipped: gzipSync(readFileSync(path.join(clientDir, file)), { level: 9 }).length,
  }));
  return { files, total: files.reduce((sum, f) => sum + f.gzipped, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'client');
  const { files, total } = firstLoad(dir);
  for (const f of files) console.log(`${f.file}  ${(f.gzipped / 1024).toFixed(1)} KB`);
  console.log(`first load: ${(total / 1024).toFixed(1)} KB gzipped`);
}
