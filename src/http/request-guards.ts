import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError } from './errors.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

const MULTIPART_TYPE = /^multipart\/form-data\s*;/i;

/**
 * State-changing requests that carry a body (or a Content-Type) must be JSON. A cross-site HTML form
 * can only send form or text bodies, and a cross-site fetch sending JSON needs a CORS preflight, which
 * only CORS_ORIGINS pass: so no other site can drive this API with the user's cookie. Upload routes
 * (`uploadPaths`) take multipart/form-data instead, which a form can send: there, a browser's
 * Sec-Fetch-Site must say the request came from this very origin (the Origin check covers the rest).
 */
export function requireJson(uploadPaths: ReadonlySet<string> = new Set()): RequestHandler {
  return (req, _res, next) => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const type = req.headers['content-type'];
    if (req.method === 'POST' && uploadPaths.has(req.path) && MULTIPART_TYPE.test(type ?? '')) {
      const site = req.get('sec-fetch-site');
      if (site && site !== 'same-origin' && site !== 'none') {
        return next(new AppError(403, 'origin_not_allowed', 'Uploads are only accepted from this app’s own pages.'));
      }
      return next();
    }
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if ((hasBody || type !== undefined) && !JSON_TYPE.test(type ?? '')) {
      const also = uploadPaths.has(req.path) ? ' (or multipart/form-data with a "file" part)' : '';
      return next(new AppError(415, 'unsupported_media_type', `Send JSON, with Content-Type: application/json${also}.`));
    }
    next();
  };
}

/**
 * A URL whose percent-encoding does not decode (a stray `%`, a cut sequence, bytes that are not UTF-8)
 * is a client fault: 400 `bad_request`, before any route sees it.
 */
export const requireWellFormedUrl: RequestHandler = (req, _res, next) => {
  try {
    for (const part of req.originalUrl.split(/[?&=]/)) decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return next(new AppError(400, 'bad_request', 'The URL is malformed (its percent-encoding does not decode to UTF-8).'));
  }
  next();
};

const originOf = (url: string): string | undefined => {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
};

/**
 * Where this app is served from: PUBLIC_URL when set, else the request's own scheme, host and port as
 * Express reads them (behind a proxy, only as far as TRUST_PROXY trusts it).
 */
export const ownOrigin = (req: Request, publicUrl: string | undefined): string =>
  (publicUrl && originOf(publicUrl)) ?? `${req.protocol}://${req.host}`;

/**
 * A request carrying an Origin that is neither this app's own (scheme, host and port) nor in CORS_ORIGINS
 * is refused. SameSite=Lax already keeps the cookie off cross-site POSTs, but "same-site" includes sibling
 * subdomains and other ports; this does not.
 */
export function checkOrigin(allowed: readonly string[], publicUrl?: string): RequestHandler {
  const allowedSet = new Set(allowed);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowedSet.has(origin) || originOf(origin) === ownOrigin(req, publicUrl)) return next();
    next(new AppError(403, 'origin_not_allowed', 'Requests from this origin are not allowed.'));
  };
}

/**
 * For state-changing GETs kept for old clients (logout): refused when the browser says the request came
 * from another site (Sec-Fetch-Site), or its Origin or Referer names another origin.
 */
export function isCrossSite(req: Request, allowed: readonly string[], publicUrl?: string): boolean {
  if (req.get('sec-fetch-site') === 'cross-site') return true;
  const own = ownOrigin(req, publicUrl);
  return [req.get('origin'), req.get('referer')].some((header) => {
    if (!header) return false;
    const origin = originOf(header);
    return origin !== own && !allowed.includes(origin ?? '');
  });
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
        // blob: the web client's previews of images about to be uploaded.
        imgSrc: ["'self'", 'data:', 'blob:'],
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
