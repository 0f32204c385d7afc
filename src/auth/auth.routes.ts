import { Router, type Request, type Response } from 'express';
import { UnauthorizedError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import { LoginBody, RegisterBody } from './auth.schema.js';
import type { AuthService } from './auth.service.js';
import type { PassportInstance } from './passport.js';
import type { PublicUser } from './users.repo.js';

export const SESSION_COOKIE = 'sid';

export function createAuthRouter(auth: AuthService, passport: PassportInstance): Router {
  const router = Router();

  router.post('/register', withInput({ body: RegisterBody }, async ({ body }, req, res) => {
    const user = await auth.register(body.email, body.password);
    await logIn(req, user);
    res.status(201).json({ user });
  }));

  router.post('/login', withInput({ body: LoginBody }, async ({ body }, req, res) => {
    req.body = body;
    const user = await authenticate(passport, req, res);
    if (!user) throw new UnauthorizedError('invalid_credentials', 'Wrong email or password.');
    await logIn(req, user);
    res.json({ user });
  }));

  const logOut = async (req: Request, res: Response) => {
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  };
  router.post('/logout', logOut);
  router.get('/logout', logOut);

  router.get('/me', requireUser, (req, res) => {
    res.json({ user: currentUser(req) });
  });

  return router;
}

function authenticate(passport: PassportInstance, req: Request, res: Response): Promise<PublicUser | undefined> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', { session: false }, (err: unknown, user: PublicUser | false) =>
      err ? reject(err) : resolve(user || undefined),
    )(req, res, reject);
  });
}

/** passport 0.7 regenerates the session id here, so a session fixed before login is worthless. */
function logIn(req: Request, user: PublicUser): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}
