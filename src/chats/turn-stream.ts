import type { Request, Response } from 'express';
import { openEventStream } from '../http/sse.js';
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

/** Streams a turn as SSE: start, deltas as they arrive, then done or error (see README, "Streaming"). */
export function streamTurn(req: Request, res: Response, turn: Turn, options: TurnStreamOptions): void {
  const stream = openEventStream(req, res, options.heartbeatMs);
  options.tracker?.streamOpened();
  res.on('close', () => options.tracker?.streamClosed());
  let offset = options.fromOffset ?? 0;
  const id = () => eventId(turn.assistantMessageId, offset);

  stream.send('start', { userMessage: turn.userMessage, assistantMessageId: turn.assistantMessageId, chat: turn.chat }, id());
  const unsubscribe = turn.source.subscribe((event) => {
    switch (event.type) {
      case 'delta':
        offset = event.offset;
        stream.send('delta', { content: event.content }, id());
        return;
      case 'title':
        stream.send('title', { title: event.title }, id());
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
  }, offset);

  stream.onDisconnect(() => {
    unsubscribe();
    if (options.stopOnDisconnect) turn.generation?.stop();
  });
}
