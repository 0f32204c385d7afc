import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/processes.js';

/** The house rules of STYLE.md that a machine can check, on the real source files. */
const SRC = path.join(ROOT, 'src');
const files = fs
  .readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f.split(path.sep).join('/'), text: fs.readFileSync(path.join(SRC, f), 'utf8') }));

/** The project files a file imports (paths relative to src/), and the packages it imports. */
function importsOf(file: string, text: string): { local: string[]; packages: string[] } {
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)].map((m) => m[1]!);
  const local = specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'));
  return { local, packages: specifiers.filter((s) => !s.startsWith('.')) };
}
const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : '.');

describe('the architecture', () => {
  it('keeps http, db and bus plumbing free of features: they import only themselves', () => {
    const wrong = files.flatMap(({ file, text }) =>
      ['http', 'db', 'bus'].includes(folderOf(file))
        ? importsOf(file, text)
            .local.filter((target) => folderOf(target) !== folderOf(file))
            .map((t) => `${file} -> ${t}`)
        : [],
    );
    expect(wrong).toEqual([]);
  });

  it('lets a feature reach another feature only through its service, never its repository', () => {
    const wrong = files.flatMap(({ file, text }) =>
      importsOf(file, text)
        .local.filter((target) => target.endsWith('.repo.ts') && folderOf(target) !== folderOf(file))
        .map((t) => `${file} -> ${t}`),
    );
    expect(wrong).toEqual([]);
  });

  it('lets only src/llm import the openai SDK', () => {
    const importers = files.filter(({ file, text }) => importsOf(file, text).packages.includes('openai')).map((f) => f.file);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((f) => folderOf(f) !== 'llm')).toEqual([]);
  });

  it('starts background timers only in src/jobs.ts (plus per-stream heartbeats and the saves of replies in progress)', () => {
    const withTimers = files.filter(({ text }) => /setInterval\(/.test(text)).map((f) => f.file);
    expect(withTimers.sort()).toEqual(['chats/progress-saver.ts', 'http/sse.ts', 'jobs.ts']);
  });

  it('keeps every source file within the house limit of 200 lines', () => {
    const long = files.map(({ file, text }) => ({ file, lines: text.split('\n').length - 1 })).filter((f) => f.lines > 200);
    expect(long).toEqual([]);
  });
});
