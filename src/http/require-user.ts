import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from './errors.js';
import type { PublicUser } from '../auth/users.repo.js';

export const requireUser: RequestHandler = (req, _res, next) => {
  next(req.user ? undefined : new UnauthorizedError());
};

/** The logged-in user of a request that passed `requireUser`. */
export function currentUser(req: Request): PublicUser {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
}
