import { Router } from 'express';
import { NotFoundError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import { ChangePasswordBody, DeleteAccountBody, SessionIdParams } from './auth.schema.js';
import type { AuthService } from './auth.service.js';
import { endSession, logIn } from './session-helpers.js';
import type { SessionStore } from './session-store.js';

/** What a logged-in person can do to their own account and sessions. */
export function createAccountRouter(auth: AuthService, sessions: SessionStore): Router {
  const router = Router();

  router.post('/password', requireUser, withInput({ body: ChangePasswordBody }, async ({ body }, req, res) => {
    const user = currentUser(req);
    await auth.changePassword(user.id, body.currentPassword, body.newPassword);
    await logIn(req, user); // a new session id for this device...
    await sessions.revokeAll(user.id, req.sessionID); // ...and every other device is logged out
    res.status(204).end();
  }));

  router.post('/logout-all', requireUser, async (req, res) => {
    await sessions.revokeAll(currentUser(req).id);
    await endSession(req, res);
    res.status(204).end();
  });

  router.get('/sessions', requireUser, async (req, res) => {
    res.json({ sessions: await sessions.listForUser(currentUser(req).id, req.sessionID) });
  });

  router.delete('/sessions/:id', requireUser, withInput({ params: SessionIdParams }, async ({ params }, req, res) => {
    if (!(await sessions.revoke(currentUser(req).id, params.id))) throw new NotFoundError('Session not found.', 'session_not_found');
    res.status(204).end();
  }));

  router.delete('/me', requireUser, withInput({ body: DeleteAccountBody }, async ({ body }, req, res) => {
    await auth.deleteAccount(currentUser(req).id, body.password);
    await endSession(req, res);
    res.status(204).end();
  }));

  return router;
}
