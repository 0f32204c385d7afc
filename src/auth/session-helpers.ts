import type { Request, Response } from 'express';
import type { RequestUser } from '../http/request-user.js';

export const SESSION_COOKIE = 'sid';

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/** passport 0.7 regenerates the session id here, so a session fixed before login is worthless. */
export async function logIn(req: Request, user: RequestUser): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err: unknown) => (err ? reject(asError(err)) : resolve())));
  req.session.userAgent = req.get('user-agent')?.slice(0, 500);
}

/** Deletes the session from the store and tells the browser to drop its cookie (set with the same attributes). */
export async function endSession(req: Request, res: Response): Promise<void> {
  const { path, httpOnly, secure, sameSite } = req.session.cookie;
  await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(asError(err)) : resolve())));
  res.clearCookie(SESSION_COOKIE, { path: path ?? '/', httpOnly, secure: Boolean(secure), sameSite });
}

/** The client address as Express sees it (behind a proxy, only as trusted by TRUST_PROXY). */
export const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
