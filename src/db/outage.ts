/**
 * True when `err` means the database is down, restarting, or dropped our connection: a temporary
 * condition, not a bug (SQLSTATE classes 08 and 57P, socket errors, and pg's own connection messages).
 * The app's error middleware is handed this classifier; the database layer knows nothing of HTTP.
 */
export function isDatabaseOutage(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^(08|57P)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)))
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  );
}

/**
 * Runs `write` again while it fails for an outage, backing off from 50 ms to 2 s, until `forMs` have
 * passed: a pool whose connections were just cut hands out a fresh one on a later try, and ending a
 * reply is worth the wait. Idempotent writes only.
 */
export async function retryThroughOutage<T>(write: () => Promise<T>, forMs: number): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseOutage(err) || Date.now() + pause > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
