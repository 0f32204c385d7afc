import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from './errors.js';

/** Who is logged in, as every route sees it: never the password hash. The session holds exactly this. */
export interface RequestUser {
  id: string;
  email: string;
  createdAt: string;
}

declare global {
  namespace Express {
    // What passport puts on `req.user` (from the session, so no query per request).
    interface User extends RequestUser {}
  }
}

export const requireUser: RequestHandler = (req, _res, next) => {
  next(req.user ? undefined : new UnauthorizedError());
};

/** The logged-in user of a request that passed `requireUser`. */
export function currentUser(req: Request): RequestUser {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}
