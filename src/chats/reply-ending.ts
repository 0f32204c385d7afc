import type { Logger } from 'pino';
import { isDatabaseOutage, retryThroughOutage } from '../db/outage.js';
import { databaseUnavailable, internalError, type AppError } from '../http/errors.js';
import type { Message } from './messages.repo.js';
import type { RepliesRepo, ReplyEnding } from './replies.repo.js';
import type { Charge } from './reply-charge.js';

/** How long the end of a reply is retried through a database outage before the client is answered. */
const SETTLE_WAIT_MS = 1000;
/** …and for how long more after that, in the background. */
const SETTLE_BACKGROUND_MS = 60_000;

/**
 * Writes how a reply ended and charges its call, in one statement (charged once, however often it
 * runs). A reply that failed before its first word is removed (a retry of the send answers it
 * again); one stopped before it stays, empty, so the conversation shows it was stopped. Through a database outage it is
 * retried for a second before answering (with `database_unavailable`), then for a minute in the
 * background, so the reply is not left `streaming` (blocking the chat) until the orphan sweep comes by.
 */
export async function storeReplyEnding(
  replies: Pick<RepliesRepo, 'end' | 'remove'>,
  id: string,
  ending: ReplyEnding,
  charge: Charge,
  logger?: Logger,
): Promise<{ assistantMessage: Message | null; error?: AppError }> {
  const store = async (): Promise<Message | null> => {
    if (ending.content || ending.status === 'stopped') return (await replies.end(id, ending, charge)) ?? null;
    await replies.remove(id, charge);
    return null;
  };
  try {
    return { assistantMessage: await retryThroughOutage(store, SETTLE_WAIT_MS) };
  } catch (err) {
    logger?.error({ err }, 'could not store the end of a reply');
    if (!isDatabaseOutage(err)) return { assistantMessage: null, error: internalError() };
    retryThroughOutage(store, SETTLE_BACKGROUND_MS).then(
      () => logger?.info({ messageId: id }, 'stored the end of a reply after an outage'),
      (late: unknown) => logger?.error({ err: late }, 'gave up storing the end of a reply'),
    );
    return { assistantMessage: null, error: databaseUnavailable() };
  }
}
