import { randomUUID } from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import { pino, type Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the client's X-Request-Id when well formed, else a new UUID. */
    id: string;
    /** A logger bound to the request's id (made when first used). */
    log: Logger;
  }
}

const REQUEST_ID = /^[\w.-]{1,64}$/;
const { req: serializeReq, res: serializeRes, err: serializeErr } = pino.stdSerializers;

/**
 * One JSON line per request, when it ends (pino-http's line: `reqId`, `req`, `res`, `responseTime`,
 * `userId`; "request completed", or "request errored" with `err` for a 5xx). Written here rather than
 * with pino-http, which builds two child loggers per request (one bound to the request itself, its
 * headers serialised at once and thrown away), turns the request's logger into a prototype with a map
 * of its own, and keeps both lists of them and its listeners on the request and the response: held for
 * as long as the response, an open stream's whole life, ~1.5 KB each. Here a request holds its id, a
 * start time and one listener; `req.log`, bound to the id, is made only when something logs through it.
 */
export function requestLog(app: Express, logger: Logger, userIdOf: (req: Request) => string | undefined): RequestHandler {
  const log = logger.child({}, { serializers: { req: serializeReq, res: serializeRes, err: serializeErr } });
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      const bound = log.child({ reqId: this.id });
      Object.defineProperty(this, 'log', { value: bound, configurable: true });
      return bound;
    },
  });

  const ended = (req: Request, res: Response, startedAt: number) => {
    const userId = userIdOf(req);
    const line = { reqId: req.id, req, res, responseTime: Date.now() - startedAt, ...(userId ? { userId } : {}) };
    if (res.statusCode >= 500) log.info({ ...line, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
    else log.info(line, 'request completed');
  };

  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const startedAt = Date.now();
    res.once('close', () => ended(req, res, startedAt));
    next();
  };
}
