import type { Config } from './config.js';

/** A start-up failure a person can fix, said in one line (no stack): the process then exits 1. */
export class StartupError extends Error {}

/** The one line for a failure we know how to explain; undefined for anything else (logged in full). */
export function explainStartupFailure(err: unknown, config: Config): string | undefined {
  if (err instanceof StartupError) return err.message;
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  if (code === 'EADDRINUSE') {
    return `Port ${config.port} is already in use: stop what is listening there, or set PORT to a free port.`;
  }
  if (code === 'EACCES' && message?.includes('listen')) {
    return `Not allowed to listen on port ${config.port}: choose a PORT above 1023, or run with the right to bind it.`;
  }
  if (message?.startsWith('DATA_DIR ') || message?.startsWith('Could not lock DATA_DIR')) return message;
  if (
    config.database.kind === 'postgres' &&
    (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '3D000', '28000'].includes(code ?? '') ||
      /connect|timeout/i.test(message ?? ''))
  ) {
    const where = safeHost(config.database.url);
    return `Cannot use the database at DATABASE_URL (${where}): ${message ?? code}. Check that PostgreSQL runs there and the URL is right.`;
  }
  return undefined;
}

/** host:port/database of a connection URL, never its password. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'an unreadable URL';
  }
}
