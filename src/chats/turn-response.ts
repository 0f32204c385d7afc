import type { Request, Response } from 'express';
import type { ChatConfig } from '../config.js';
import { wantsEventStream } from '../http/sse.js';
import { outcomeOf } from './turn-outcome.js';
import { streamTurn, type TurnStreamOptions } from './turn-stream.js';
import type { Turn } from './turns.service.js';

export type TurnResult = Awaited<ReturnType<typeof outcomeOf>>;

export interface TurnResponder {
  config: Pick<ChatConfig, 'heartbeatMs' | 'onDisconnect'>;
  /** Counts open streams (metrics). */
  tracker?: TurnStreamOptions['tracker'];
}

/**
 * A turn answers as SSE when asked to (Accept: text/event-stream), else as JSON (201) once the reply
 * ended, shaped by `body` (the default: the user message and the reply).
 */
export async function answerTurn(
  req: Request,
  res: Response,
  turn: Turn,
  { config, tracker }: TurnResponder,
  body: (result: TurnResult) => Promise<object> | object = (result) => result,
): Promise<void> {
  if (wantsEventStream(req)) {
    return streamTurn(req, res, turn, { heartbeatMs: config.heartbeatMs, stopOnDisconnect: config.onDisconnect === 'abort', tracker });
  }
  res.status(201).json(await body(await outcomeOf(turn)));
}
