/**
 * Typed errors thrown anywhere in the app and rendered by the one error middleware as
 * `{ error: { code, message, details? } }` (plus `extra` fields at the top level, e.g. the stored
 * `userMessage` when the model failed).
 */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown[],
    public readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown[]) {
    super(400, 'validation_failed', message, details);
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

/** The model server failed; `extra` carries what was stored anyway so the client loses nothing. */
export class UpstreamError extends AppError {
  constructor(code: string, message: string, details?: unknown[], extra?: Record<string, unknown>) {
    super(502, code, message, details, extra);
  }

  withExtra(extra: Record<string, unknown>): UpstreamError {
    return new UpstreamError(this.code, this.message, this.details, { ...this.extra, ...extra });
  }
}
