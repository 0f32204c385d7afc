import { AppError } from '../http/errors.js';
import type { GenerationEvent } from './generation.js';
import type { Message, MessagesRepo } from './messages.repo.js';

/** Anything a client can follow: a generation running here, one running elsewhere, or a stored reply. */
export interface ReplySource {
  subscribe(listener: (event: GenerationEvent) => void, fromOffset?: number): () => void;
}

/** A reply that already ended (an idempotent repeat): its text after `fromOffset`, then `done`. */
export function settledReply(message: Message): ReplySource {
  return {
    subscribe(listener, fromOffset = 0) {
      if (fromOffset < message.content.length) {
        listener({ type: 'delta', content: message.content.slice(fromOffset), offset: message.content.length });
      }
      listener(endOf(message));
      return () => undefined;
    },
  };
}

const REMOTE_POLL_MS = 300;

/**
 * A generation running in another app instance, followed through the rows it saves (at least every
 * second): new text becomes deltas, and the row's final status becomes `done` or `error`.
 */
export function remoteReply(assistantMessageId: string, messages: MessagesRepo): ReplySource {
  return {
    subscribe(listener, fromOffset = 0) {
      let delivered = fromOffset;
      let timer: NodeJS.Timeout | undefined;
      let active = true;
      const poll = async () => {
        const row = await messages.findById(assistantMessageId).catch(() => undefined);
        if (!active) return;
        const content = row?.content ?? '';
        if (content.length > delivered) {
          listener({ type: 'delta', content: content.slice(delivered), offset: content.length });
          delivered = content.length;
        }
        if (!row) listener({ type: 'done', assistantMessage: null, usage: null });
        else if (row.status !== 'streaming') listener(endOf(row));
        else timer = setTimeout(poll, REMOTE_POLL_MS);
      };
      void poll();
      return () => {
        active = false;
        clearTimeout(timer);
      };
    },
  };
}

function endOf(message: Message): GenerationEvent {
  if (message.status === 'error') {
    return {
      type: 'error',
      error: new AppError(502, 'generation_failed', 'The reply could not be completed.'),
      assistantMessage: message,
    };
  }
  const usage =
    message.promptTokens === null || message.completionTokens === null
      ? null
      : { promptTokens: message.promptTokens, completionTokens: message.completionTokens };
  return { type: 'done', assistantMessage: message, usage };
}

/**
 * A reply generated elsewhere, asked to stop through its row: waits (up to `waitMs`) for the owning
 * instance to see the request at its next save and store how the reply ended.
 */
export async function waitUntilEnded(messages: MessagesRepo, assistantMessageId: string, waitMs: number): Promise<Message | null> {
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
    const row = await messages.findById(assistantMessageId);
    if (!row || row.status !== 'streaming') return row ?? null;
    await new Promise((resolve) => setTimeout(resolve, REMOTE_POLL_MS));
  }
  return (await messages.findById(assistantMessageId)) ?? null;
}
