import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError } from './errors.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * State-changing requests that carry a body (or a Content-Type) must be JSON. A cross-site HTML form
 * can only send form or text bodies, and a cross-site fetch sending JSON needs a CORS preflight, which
 * only CORS_ORIGINS pass: so no other site can drive this API with the user's cookie.
 */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (!STATE_CHANGING.has(req.method)) return next();
  const type = req.headers['content-type'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if ((hasBody || type !== undefined) && !JSON_TYPE.test(type ?? '')) {
    return next(new AppError(415, 'unsupported_media_type', 'Send JSON, with Content-Type: application/json.'));
  }
  next();
};

const isOwnOrigin = (origin: string, req: Request) => {
  try {
    return new URL(origin).host === req.host;
  } catch {
    return false;
  }
};

/**
 * A request carrying an Origin that is neither this app's own nor in CORS_ORIGINS is refused. SameSite=Lax
 * already keeps the cookie off cross-site POSTs, but "same-site" includes sibling subdomains; this does not.
 */
export function checkOrigin(allowed: readonly string[]): RequestHandler {
  const allowedSet = new Set(allowed);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowedSet.has(origin) || isOwnOrigin(origin, req)) return next();
    next(new AppError(403, 'origin_not_allowed', 'Requests from this origin are not allowed.'));
  };
}

/** CORS with credentials, for CORS_ORIGINS only (same-origin clients need none). */
export function corsFor(allowed: readonly string[]): RequestHandler {
  return cors({
    origin: [...allowed],
    credentials: true,
    allowedHeaders: ['Content-Type', 'Last-Event-ID', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}

/** helmet with a strict Content-Security-Policy: the API and the web client load only their own files. */
export function securityHeaders(production: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}
