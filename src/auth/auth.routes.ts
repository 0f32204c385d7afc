import { Router, type Request, type Response } from 'express';
import { UnauthorizedError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import type { Limits } from '../limits/limits.js';
import { LoginBody, RegisterBody } from './auth.schema.js';
import type { AuthService } from './auth.service.js';
import type { PassportInstance } from './passport.js';
import { clientIp, endSession, logIn } from './session-helpers.js';
import type { PublicUser } from './users.repo.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createAuthRouter(auth: AuthService, passport: PassportInstance, limits: Limits): Router {
  const router = Router();

  router.post('/register', withInput({ body: RegisterBody }, async ({ body }, req, res) => {
    await limits.register(clientIp(req));
    const user = await auth.register(body.email, body.password);
    await logIn(req, user);
    res.status(201).json({ user });
  }));

  router.post('/login', withInput({ body: LoginBody }, async ({ body }, req, res) => {
    const ip = clientIp(req);
    await limits.checkLogin(ip, body.email);
    req.body = body;
    const user = await authenticate(passport, req, res);
    if (!user) {
      await sleep(await limits.loginFailed(ip, body.email));
      throw new UnauthorizedError('invalid_credentials', 'Wrong email or password.');
    }
    await limits.loginSucceeded(body.email);
    await logIn(req, user);
    res.json({ user });
  }));

  const logOut = async (req: Request, res: Response) => {
    await endSession(req, res);
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
