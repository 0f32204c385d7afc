import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, internalError } from './errors.js';
import { MAX_JSON_DEPTH } from './json-body.js';

interface BodyParserError {
  type: string;
  status?: number;
  /** entity.too.large: the limit in bytes. */
  limit?: number;
}

/** Turns an error some other layer knows (e.g. a database outage) into an AppError; undefined: not mine. */
export type ErrorTranslator = (err: unknown) => AppError | undefined;

// body-parser reports its own failures with a `type`; translate them into our error shape.
const BODY_PARSER_ERRORS: Record<string, AppError> = {
  'entity.parse.failed': new AppError(400, 'invalid_json', 'The request body is not valid JSON.'),
  'entity.too.deep': new AppError(400, 'invalid_json', `The request body nests too deeply (at most ${MAX_JSON_DEPTH} levels).`),
  'encoding.unsupported': new AppError(415, 'unsupported_encoding', 'The request body encoding is not supported.'),
  'charset.unsupported': new AppError(415, 'unsupported_charset', 'The request body charset is not supported; use UTF-8.'),
  'request.aborted': new AppError(400, 'request_aborted', 'The request was aborted before its body arrived.'),
  'entity.verify.failed': new AppError(400, 'validation_failed', 'The request body is not valid UTF-8.'),
};

/** Express and its parsers mark client faults with a 4xx `status` (e.g. a path that cannot be decoded). */
const isClientFault = (err: unknown): boolean => {
  const { status, statusCode } = (err ?? {}) as { status?: unknown; statusCode?: unknown };
  const code = status ?? statusCode;
  return err instanceof URIError || (typeof code === 'number' && code >= 400 && code < 500);
};
/** 413 with the route's own limit (1 MB for most, more for imports). */
const tooLarge = (limit: number | undefined) => {
  const mb = limit ? `${Math.round((limit / 1024 / 1024) * 10) / 10} MB` : 'the limit';
  return new AppError(413, 'payload_too_large', `The request body is too large (the limit is ${mb}).`);
};
const badRequest = () => new AppError(400, 'bad_request', 'The request is malformed (for example its URL encoding).');

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as BodyParserError).type === 'string';
}

export const routeNotFound: RequestHandler = (req) => {
  throw new AppError(404, 'route_not_found', `There is no route for ${req.method} ${req.path}.`);
};

/**
 * The one place that decides what a client may see of a failure: 5xx internals never leave here.
 * `translators` are handed in by the app (http knows no feature and no database).
 */
export function errorHandler(translators: readonly ErrorTranslator[] = []): ErrorRequestHandler {
  const toAppError = (err: unknown): AppError | undefined => {
    if (err instanceof AppError) return err;
    if (isBodyParserError(err) && err.type === 'entity.too.large') return tooLarge(err.limit);
    if (isBodyParserError(err) && BODY_PARSER_ERRORS[err.type]) return BODY_PARSER_ERRORS[err.type];
    if (isClientFault(err)) return badRequest();
    for (const translate of translators) {
      const known = translate(err);
      if (known) return known;
    }
    return undefined;
  };

  return (err: unknown, req, res, _next) => {
    const appError = toAppError(err);
    // Unknown errors are logged whole (with the request id); known 5xx by code only, since their
    // `extra` may hold what the user wrote. A translated 5xx (a database outage) keeps its cause in the log.
    if (!appError) req.log.error({ err }, 'request failed');
    else if (appError.status >= 500 && appError !== err) req.log.error({ err, code: appError.code }, 'request failed');
    else if (appError.status >= 500) req.log.warn({ code: appError.code }, 'request failed');
    const rendered = appError ?? internalError();
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, code, message, options } = rendered;
    if (options.headers) res.set(options.headers);
    res.status(status).json({ ...options.extra, error: { code, message, ...(options.details ? { details: options.details } : {}) } });
  };
}
