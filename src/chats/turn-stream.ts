import type { Request, Response } from 'express';
import { openEventStream } from '../http/sse.js';
import type { GenerationEvent } from './reply-events.js';
import { firstPiece } from './reply-publisher.js';
import type { Turn } from './turns.service.js';

export interface TurnStreamOptions {
  heartbeatMs: number;
  /** The client already has the text up to here (from Last-Event-ID). */
  fromOffset?: number;
  /** ON_DISCONNECT=abort: the sender going away stops the generation. */
  stopOnDisconnect?: boolean;
  /** Counts open streams (metrics). */
  tracker?: { streamOpened(): void; streamClosed(): void };
}

/** The id of every event: which reply, and how much of its text the client has once it got the event. */
const eventId = (assistantMessageId: string, offset: number) => `${assistantMessageId}:${offset}`;

/** Reads `Last-Event-ID`: the offset to resume from, if it names this reply. */
export function resumeOffset(lastEventId: string | undefined, assistantMessageId: string): number {
  const [id, offset] = (lastEventId ?? '').split(':');
  const parsed = Number(offset);
  return id === assistantMessageId && Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : 0;
}

/** The most text one delta carries: a client catching up gets the missed text in pieces of this size. */
const MAX_DELTA_CHARS = 16 * 1024;

/**
 * Streams a turn as SSE: start, deltas as they arrive, then done or error (docs/turn-engine.md).
 *
 * Backpressure: when the client's socket buffer is full, the stream stops listening to the reply, and
 * once the client has read it, subscribes again from the offset the client has; the source then sends
 * what was missed as one catch-up delta (cut into pieces). A slow reader so costs a socket buffer and
 * one piece, never a queue that grows with the reply. (A title announced meanwhile is not repeated:
 * the chat has it.)
 */
export function streamTurn(req: Request, res: Response, turn: Turn, options: TurnStreamOptions): void {
  // The headers, the `start` event and the text already generated leave in one write, not three.
  res.cork();
  const stream = openEventStream(req, res, options.heartbeatMs);
  options.tracker?.streamOpened();
  res.on('close', () => options.tracker?.streamClosed());
  let offset = options.fromOffset ?? 0;
  const id = () => eventId(turn.assistantMessageId, offset);

  let unsubscribe: (() => void) | undefined;
  let paused = false;
  const follow = () => {
    paused = false;
    unsubscribe = undefined;
    const stopListening = turn.source.subscribe(onEvent, offset);
    // The catch-up delivered inside subscribe() may already have paused us.
    if (paused || stream.ended) stopListening();
    else unsubscribe = stopListening;
  };
  const pause = (untilDrained: boolean) => {
    paused = true;
    unsubscribe?.();
    unsubscribe = undefined;
    if (untilDrained) stream.onDrain(follow);
    else setImmediate(follow);
  };

  function onEvent(event: GenerationEvent): void {
    if (paused || stream.ended) return;
    switch (event.type) {
      case 'delta': {
        const piece = firstPiece(event.content, MAX_DELTA_CHARS);
        offset = event.offset - event.content.length + piece.length;
        const flowing = stream.send('delta', { content: piece }, id());
        if (!flowing) pause(true);
        else if (piece.length < event.content.length) pause(false);
        return;
      }
      case 'title':
        if (!stream.send('title', { title: event.title }, id())) pause(true);
        return;
      case 'done':
        stream.send('done', { assistantMessage: event.assistantMessage, usage: event.usage }, id());
        stream.end();
        return;
      case 'error': {
        const { code, message } = event.error;
        stream.send('error', { error: { code, message }, assistantMessage: event.assistantMessage }, id());
        stream.end();
      }
    }
  }

  stream.send('start', { userMessage: turn.userMessage, assistantMessageId: turn.assistantMessageId, chat: turn.chat }, id());
  follow();
  res.uncork();
  stream.onDisconnect(() => {
    unsubscribe?.();
    if (options.stopOnDisconnect) turn.generation?.stop();
  });
}
