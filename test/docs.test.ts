import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/processes.js';

/** The README gets a newcomer running first; the details live in docs/, and every link between them holds. */

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const lines = read('README.md').split('\n');
const lineOf = (predicate: (line: string) => boolean) => lines.findIndex(predicate) + 1;

describe('README.md', () => {
  it('is short, and opens with the quick start and the test command right after it', () => {
    expect(lines.length).toBeLessThanOrEqual(250);
    const quickStart = lineOf((l) => l === '## Quick start');
    const install = lineOf((l) => l.trim() === 'npm install');
    const start = lineOf((l) => l.trim().startsWith('npm start'));
    const tests = lineOf((l) => l === '## Tests');
    const testCommand = lineOf((l) => l.trim().startsWith('npm test'));
    expect(quickStart).toBeGreaterThan(0);
    expect([quickStart, install, start, tests, testCommand]).toEqual(
      [...[quickStart, install, start, tests, testCommand]].sort((a, b) => a - b),
    );
    expect(testCommand).toBeLessThanOrEqual(60);
    // No other section comes between the quick start and the tests.
    expect(lines.slice(quickStart, tests - 1).filter((l) => l.startsWith('## '))).toEqual([]);
  });

  it('is the test command CI runs', () => {
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm test$/m);
    expect(JSON.parse(read('package.json')).scripts.test).toMatch(/vitest run$/);
  });
});

describe('links', () => {
  const documents = [
    'README.md',
    'BENCHMARKS.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(documents)('%s links only to files that exist', (document) => {
    const targets = [...read(document).matchAll(/\]\(([^)\s]+)\)|src="([^"]+)"/g)]
      .map((m) => (m[1] ?? m[2])!)
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((target) => target.split('#')[0]!);
    const missing = targets.filter((target) => !fs.existsSync(path.join(ROOT, path.dirname(document), target)));
    expect(missing).toEqual([]);
  });
});
