import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';

/** A logger at `info` whose JSON lines are kept, for tests that read what the app logged. */
export function captureLogs() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger: Logger = createLogger('info', sink);
  return {
    logger,
    /** The raw lines, as written. */
    lines,
    /** The lines parsed (free-form JSON). */
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, any>),
  };
}
