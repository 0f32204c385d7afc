import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { AppError } from '../http/errors.js';
import { isCrossSite } from '../http/request-guards.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import { ChangePasswordBody, DeleteAccountBody, LoginBody, RegisterBody, SessionIdParams } from './auth.schema.js';
import { invalidCredentials, passwordLoginDisabled, type AuthService } from './auth.service.js';
import type { PassportInstance } from './passport.js';
import { clientIp, endSession, logIn } from './session-helpers.js';
import type { PublicUser } from './users.repo.js';

const route = routeFor<{
  auth: AuthService;
  passport: PassportInstance;
  config: Pick<Config, 'corsOrigins' | 'publicUrl' | 'isProduction' | 'access'>;
}>();
const tag = 'Auth';
const account = 'Account';

/** In production a password and a session cookie never travel over plain HTTP (no TLS, no trusted proxy saying https). */
export const requireHttps = (req: Request, production: boolean) => {
  if (production && !req.secure)
    throw new AppError(400, 'https_required', 'Use HTTPS: passwords and session cookies are never sent over plain HTTP.');
};
/** PASSWORD_LOGIN=off: only single sign-on signs in. */
const requirePasswordLogin = (config: Pick<Config, 'access'>) => {
  if (!config.access.passwordLogin) throw passwordLoginDisabled();
};

const logOut = async ({ req, res }: { req: Request; res: Response }) => {
  await endSession(req, res);
  res.status(204).end();
};

export const authRoutes = [
  route({
    method: 'post',
    path: '/api/auth/register',
    summary: 'Create an account and log in (202, not logged in, when it awaits approval)',
    tag,
    auth: false,
    input: { body: RegisterBody },
    responses: { 201: R.UserBody, 202: R.UserBody, 400: R.ErrorBody, 403: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody },
    async handle({ input, deps, req, res }) {
      requireHttps(req, deps.config.isProduction);
      requirePasswordLogin(deps.config);
      const { email, password, inviteCode } = input.body;
      const user = await deps.auth.register(clientIp(req), email, password, inviteCode);
      if (user.status === 'pending') return void res.status(202).json({ user });
      await logIn(req, user);
      res.status(201).json({ user });
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Log in',
    tag,
    auth: false,
    input: { body: LoginBody },
    responses: { 200: R.UserBody, 400: R.ErrorBody, 401: R.ErrorBody, 403: R.ErrorBody, 429: R.ErrorBody },
    async handle({ input, deps, req, res }) {
      requireHttps(req, deps.config.isProduction);
      requirePasswordLogin(deps.config);
      req.body = input.body; // normalised (trimmed, lower-cased email) for the strategy
      const user = await authenticate(deps.passport, req, res);
      await logIn(req, user);
      res.json({ user });
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'Log out (ends the session)',
    tag,
    auth: false,
    responses: { 204: undefined },
    handle: logOut,
  }),
  route({
    method: 'get',
    path: '/api/auth/logout',
    summary: 'Log out (the original spec’s GET form; same site only)',
    tag,
    auth: false,
    responses: { 204: undefined, 403: R.ErrorBody },
    async handle({ deps, req, res }) {
      // A link or a redirect on another site must not end the user's session.
      if (isCrossSite(req, deps.config.corsOrigins, deps.config.publicUrl)) {
        throw new AppError(403, 'cross_site_request', 'Log out from this site (or with POST /api/auth/logout).');
      }
      await logOut({ req, res });
    },
  }),
  route({
    method: 'get',
    path: '/api/auth/me',
    summary: 'The logged-in user',
    tag,
    auth: true,
    responses: { 200: R.MeBody, 401: R.ErrorBody },
    async handle({ deps, user, res }) {
      res.json({ user: await deps.auth.me(user.id) });
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/logout-all',
    summary: 'End every session of the user',
    tag: account,
    auth: true,
    responses: { 204: undefined, 401: R.ErrorBody },
    async handle({ deps, user, req, res }) {
      await deps.auth.revokeOtherSessions(user.id);
      await endSession(req, res);
      res.status(204).end();
    },
  }),
  route({
    method: 'get',
    path: '/api/auth/sessions',
    summary: 'My active sessions',
    tag: account,
    auth: true,
    responses: { 200: R.Sessions, 401: R.ErrorBody },
    async handle({ deps, user, req, res }) {
      res.json({ sessions: await deps.auth.listSessions(user.id, req.sessionID) });
    },
  }),
  route({
    method: 'delete',
    path: '/api/auth/sessions/:id',
    summary: 'End one of my sessions',
    tag: account,
    auth: true,
    input: { params: SessionIdParams },
    responses: { 204: undefined, 404: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      await deps.auth.revokeSession(user.id, input.params.id);
      res.status(204).end();
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/password',
    summary: 'Change my password',
    tag: account,
    auth: true,
    input: { body: ChangePasswordBody },
    responses: { 204: undefined, 400: R.ErrorBody, 403: R.ErrorBody, 429: R.ErrorBody },
    async handle({ input, deps, user, req, res }) {
      await deps.auth.changePassword(clientIp(req), user.id, input.body.currentPassword, input.body.newPassword);
      await logIn(req, user); // a new session id for this device...
      await deps.auth.revokeOtherSessions(user.id, req.sessionID); // ...and every other device is logged out
      res.status(204).end();
    },
  }),
  route({
    method: 'delete',
    path: '/api/auth/me',
    summary: 'Delete my account and all its data',
    tag: account,
    auth: true,
    input: { body: DeleteAccountBody },
    responses: { 204: undefined, 403: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody },
    async handle({ input, deps, user, req, res }) {
      await deps.auth.deleteAccount(clientIp(req), user.id, input.body);
      await endSession(req, res);
      res.status(204).end();
    },
  }),
];

/** Runs passport's local strategy; its errors (lockout, wrong credentials) come from the auth service. */
function authenticate(passport: PassportInstance, req: Request, res: Response): Promise<PublicUser> {
  return new Promise((resolve, reject) => {
    const run = passport.authenticate('local', { session: false }, (err: unknown, user: PublicUser | false) => {
      if (err) reject(err instanceof Error ? err : new Error('authentication failed'));
      else if (!user) reject(invalidCredentials());
      else resolve(user);
    }) as RequestHandler;
    run(req, res, reject);
  });
}
