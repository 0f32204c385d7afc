import { describe, expect, it } from 'vitest';
import { runEntry } from './helpers/processes.js';

describe('a fatal error in the process', () => {
  it.each([
    ['rejection', 'unhandled promise rejection: exiting', 'boom: a promise nobody awaited'],
    ['exception', 'uncaught exception: exiting', 'boom: an exception nobody caught'],
  ])('(%s) is logged as fatal with its cause, and the process exits 1', async (kind, msg, cause) => {
    const child = runEntry('test/fixtures/fatal-error.ts', {}, process.cwd(), [kind]);
    const code = await child.exited;
    const lines = child
      .output()
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ level: 60, msg, err: expect.objectContaining({ message: cause }) }));
  });
});
