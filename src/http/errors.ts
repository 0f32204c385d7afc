/**
 * Typed errors thrown anywhere in the app and rendered by the one error middleware as
 * `{ error: { code, message, details? } }`, plus `extra` fields at the top level (e.g. the stored
 * `userMessage` when the model failed) and `headers` (e.g. Retry-After).
 */
export interface AppErrorOptions {
  details?: unknown[];
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The same error carrying more top-level fields for the client. */
  withExtra(extra: Record<string, unknown>): AppError {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as AppError;
    Object.assign(copy, this, { options: { ...this.options, extra: { ...this.options.extra, ...extra } } });
    copy.message = this.message;
    return copy;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown[]) {
    super(400, 'validation_failed', message, { details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(code = 'unauthenticated', message = 'You need to log in first.') {
    super(401, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** The model server failed (502, or 503/504/400 for rate limits, timeouts and oversized context). */
export class UpstreamError extends AppError {}

/** The database is down or dropped the connection: a temporary 503 the client may retry. */
export const databaseUnavailable = () =>
  new AppError(503, 'database_unavailable', 'The database is unavailable right now. Please try again shortly.', {
    headers: { 'Retry-After': '5' },
  });

export const internalError = () => new AppError(500, 'internal_error', 'Something went wrong on our side. Please try again.');
