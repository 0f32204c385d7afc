import type { Request, Response } from 'express';

export interface EventStream {
  /** False when the client is not keeping up (the socket's buffer is full): wait for `onDrain`. */
  send(event: string, data: unknown, id?: string): boolean;
  end(): void;
  readonly ended: boolean;
  /** Called once when the client goes away before `end()`. */
  onDisconnect(listener: () => void): void;
  /** Called once, the next time a full buffer has been read by the client. */
  onDrain(listener: () => void): void;
}

export const wantsEventStream = (req: Request) => req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream';

/**
 * Opens a Server-Sent Events response: headers flushed at once, nothing buffered or compressed on the
 * way (X-Accel-Buffering for nginx), and a comment line every `heartbeatMs` so proxies keep it open.
 */
export function openEventStream(req: Request, res: Response, heartbeatMs: number): EventStream {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  return new ResponseEventStream(res, heartbeatMs);
}

/** A class (its methods shared), not an object literal of closures: one is held per open stream. */
class ResponseEventStream implements EventStream {
  private closed = false;
  private readonly disconnectListeners: (() => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: Response,
    heartbeatMs: number,
  ) {
    // A client that is not reading gets no heartbeat either: its buffer is full, the connection is alive.
    this.heartbeat = setInterval(() => res.writableNeedDrain || res.write(': heartbeat\n\n'), heartbeatMs);
    res.on('close', () => {
      clearInterval(this.heartbeat);
      if (this.closed) return;
      this.closed = true;
      for (const listener of this.disconnectListeners) listener();
    });
  }

  get ended(): boolean {
    return this.closed;
  }

  send(event: string, data: unknown, id?: string): boolean {
    if (this.closed) return true;
    return this.res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.res.end();
  }

  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  onDrain(listener: () => void): void {
    this.res.once('drain', listener);
  }
}
