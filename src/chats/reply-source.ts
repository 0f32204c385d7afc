import type { Bus, BusMessage } from '../bus/bus.js';
import { AppError, databaseUnavailable } from '../http/errors.js';
import type { Message } from './messages.repo.js';
import type { GenerationEvent } from './reply-events.js';

/**
 * Anything a client can follow, with one interface: a generation running here (`Generation` itself),
 * one running on another instance (`remoteReply`), or a stored reply (`settledReply`).
 */
export interface ReplySource {
  subscribe(listener: (event: GenerationEvent) => void, fromOffset?: number): () => void;
}

/** What travels on the bus about a reply (`id`: the assistant message id). */
export type ReplyMessage =
  | { t: 'delta'; id: string; o: number; x: string }
  | { t: 'title'; id: string; title: string }
  | { t: 'end'; id: string }
  | { t: 'follow'; id: string; from: number }
  | { t: 'stop'; id: string };

export const asReplyMessage = (m: BusMessage) => (typeof m.t === 'string' && typeof m.id === 'string' ? (m as ReplyMessage) : undefined);

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

/** How often a follower re-reads the row: a backstop for a lost bus message or a dead owner. */
const RECHECK_MS = 1000;

export interface RemoteReplyDeps {
  bus: Bus;
  read(id: string): Promise<Message | undefined>;
  /** Ends the chat's reply if its owner is gone; how many it ended. */
  takeOver(): Promise<number>;
}

/**
 * A generation running on another instance: the stored row first (what the follower missed), then, live,
 * the pieces its owner publishes on the bus once asked to (`follow`, with the offset reached), each
 * carrying its offset so nothing is repeated or skipped. The row is re-read every second (a lost message,
 * an owner that died); a database that cannot be read ends the follow with an error event.
 */
export function remoteReply(assistantMessageId: string, deps: RemoteReplyDeps): ReplySource {
  return {
    subscribe(listener, fromOffset = 0) {
      let delivered = fromOffset;
      let live = false;
      let ended = false;
      let timer: NodeJS.Timeout | undefined;
      const early: ReplyMessage[] = [];

      const deliverUpTo = (text: string, end: number) => {
        if (end <= delivered) return;
        listener({ type: 'delta', content: text.slice(text.length - (end - delivered)), offset: end });
        delivered = end;
      };
      const finish = (event: GenerationEvent) => {
        if (ended) return;
        ended = true;
        unsubscribe();
        listener(event);
      };
      const check = async (): Promise<void> => {
        try {
          let row = await deps.read(assistantMessageId);
          if (row?.status === 'streaming' && (await deps.takeOver()) > 0) row = await deps.read(assistantMessageId);
          if (ended) return;
          if (row) deliverUpTo(row.content, row.content.length);
          if (!row) finish({ type: 'done', assistantMessage: null, usage: null });
          else if (row.status !== 'streaming') finish(endOf(row));
        } catch {
          finish({ type: 'error', error: databaseUnavailable(), assistantMessage: null });
        }
      };
      const handle = (m: ReplyMessage) => {
        if (ended) return;
        if (m.t === 'title') listener({ type: 'title', title: m.title });
        else if (m.t === 'end') void check();
        else if (m.t === 'delta') {
          if (m.o - m.x.length > delivered)
            void check(); // a gap: the row has what came between
          else deliverUpTo(m.x, m.o);
        }
      };
      const stopListening = deps.bus.subscribe((raw) => {
        const m = asReplyMessage(raw);
        if (m?.id !== assistantMessageId) return;
        if (live) handle(m);
        else early.push(m);
      });
      const recheck = () => {
        timer = setTimeout(() => void check().then(() => !ended && recheck()), RECHECK_MS);
      };
      function unsubscribe() {
        ended = true;
        stopListening();
        clearTimeout(timer);
      }

      void check().then(() => {
        if (ended) return;
        live = true;
        for (const m of early.splice(0)) handle(m);
        deps.bus.publish({ t: 'follow', id: assistantMessageId, from: delivered });
        recheck();
      });
      return unsubscribe;
    },
  };
}

export function endOf(message: Message): GenerationEvent {
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
