import type { Config } from '../config.js';
import { AppError, NotFoundError } from '../http/errors.js';
import { publicOrigin } from '../http/public-origin.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { Logger } from 'pino';
import { OidcLoginQuery, PasswordResetBody, PasswordResetConfirmBody } from './auth.schema.js';
import { requireHttps } from './auth.routes.js';
import type { OidcClient, OidcFlow } from './oidc-client.js';
import type { PasswordReset } from './password-reset.js';
import { clientIp, endSession, logIn } from './session-helpers.js';
import type { SsoSignIn } from './sso-accounts.js';

declare module 'express-session' {
  interface SessionData {
    /** A single sign-on in progress in this browser: kept until its callback, used once. */
    oidc?: OidcFlow;
  }
}

const route = routeFor<{
  config: Pick<Config, 'access' | 'publicUrl' | 'isProduction'>;
  oidc?: OidcClient;
  ssoSignIn: SsoSignIn;
  passwordReset?: PasswordReset;
  logger: Logger;
}>();
const tag = 'Auth';
const CALLBACK = '/api/auth/oidc/callback';
/** The reasons the login screen is told (`/login?error=`); anything else is `sso_failed`. */
const SSO_CODES = new Set([
  'email_not_verified',
  'domain_not_allowed',
  'registration_closed',
  'invite_required',
  'account_pending',
  'account_disabled',
]);
const off = (what: string) => new NotFoundError(`${what} is not configured here.`, 'route_not_found');

/** Only a path of this site (one leading slash, no backslash): `//evil.example` or `/\evil.example` land on `/`. */
export const safeReturnTo = (to: string | undefined): string => (to && /^\/(?![/\\])[^\\\s]*$/.test(to) ? to : '/');

export const signInRoutes = [
  route({
    method: 'get',
    path: '/api/auth/providers',
    summary: 'How one may sign up and sign in here',
    tag,
    auth: false,
    sessionless: true,
    responses: { 200: R.Providers },
    handle({ deps, res }) {
      const { registration, passwordLogin, oidc, mail } = deps.config.access;
      res.json({
        registration,
        password: passwordLogin,
        oidc: oidc ? { name: oidc.name, loginUrl: '/api/auth/oidc/login' } : null,
        passwordReset: Boolean(mail) && passwordLogin,
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/auth/oidc/login',
    summary: 'Single sign-on: to the identity provider (302)',
    tag,
    auth: false,
    input: { query: OidcLoginQuery },
    responses: { 302: undefined, 404: R.ErrorBody },
    async handle({ input, deps, req, res }) {
      if (!deps.oidc) throw off('Single sign-on');
      const redirectUri = publicOrigin(req, deps.config.publicUrl) + CALLBACK;
      try {
        const { url, flow } = await deps.oidc.start(redirectUri, safeReturnTo(input.query.returnTo));
        req.session.oidc = flow;
        res.redirect(302, url);
      } catch (err) {
        deps.logger.warn({ err }, 'single sign-on: the identity provider cannot be reached');
        res.redirect(302, '/login?error=sso_failed');
      }
    },
  }),
  route({
    method: 'get',
    path: CALLBACK,
    summary: 'Single sign-on: back from the identity provider (302 into the app, or to /login?error=)',
    tag,
    auth: false,
    responses: { 302: undefined, 404: R.ErrorBody },
    async handle({ deps, req, res }) {
      if (!deps.oidc) throw off('Single sign-on');
      const flow = req.session.oidc;
      delete req.session.oidc; // once: a replayed callback finds nothing
      try {
        if (!flow) throw new AppError(400, 'sso_failed', 'no single sign-on in progress in this browser');
        const callbackUrl = new URL(publicOrigin(req, deps.config.publicUrl) + CALLBACK);
        for (const [key, value] of Object.entries(req.query)) if (typeof value === 'string') callbackUrl.searchParams.set(key, value);
        const user = await deps.ssoSignIn(await deps.oidc.finish(callbackUrl, flow));
        await logIn(req, user); // a new session id, as at password login
        res.redirect(302, flow.returnTo);
      } catch (err) {
        const code = err instanceof AppError && SSO_CODES.has(err.code) ? err.code : 'sso_failed';
        deps.logger.warn({ err, code }, 'single sign-on refused');
        if (!req.user) await endSession(req, res);
        res.redirect(302, `/login?error=${code}`);
      }
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/password-reset',
    summary: 'Mail a password reset link (202 whatever the email)',
    tag,
    auth: false,
    input: { body: PasswordResetBody },
    responses: { 202: undefined, 400: R.ErrorBody, 404: R.ErrorBody, 429: R.ErrorBody },
    async handle({ input, deps, req, res }) {
      if (!deps.passwordReset) throw off('Password reset');
      await deps.passwordReset.request(clientIp(req), input.body.email, publicOrigin(req, deps.config.publicUrl));
      res.status(202).end();
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    summary: 'Set a new password with a reset link’s token (every session ends)',
    tag,
    auth: false,
    input: { body: PasswordResetConfirmBody },
    responses: { 204: undefined, 400: R.ErrorBody, 404: R.ErrorBody },
    async handle({ input, deps, req, res }) {
      if (!deps.passwordReset) throw off('Password reset');
      requireHttps(req, deps.config.isProduction);
      await deps.passwordReset.confirm(input.body.token, input.body.newPassword);
      res.status(204).end();
    },
  }),
];
