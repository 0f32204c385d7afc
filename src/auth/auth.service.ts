import type { Queryable } from '../db/database.js';
import { AppError, ConflictError, NotFoundError, UnauthorizedError } from '../http/errors.js';
import type { Limits } from '../limits/limits.js';
import type { PasswordHasher } from './password.js';
import type { SessionStore, SessionSummary } from './session-store.js';
import { createUsersRepo, type PublicUser } from './users.repo.js';

/** A login that did not match an account and its password (which of the two is never said). */
export const invalidCredentials = () => new UnauthorizedError('invalid_credentials', 'Wrong email or password.');
const wrongPassword = () => new AppError(403, 'wrong_password', 'The password is not correct.');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface AuthServiceDeps {
  db: Queryable;
  hasher: PasswordHasher;
  limits: Limits;
  sessions: SessionStore;
}

/** Accounts, credentials and sessions: every rule of auth, with its limits, lives here. */
export function createAuthService({ db, hasher, limits, sessions }: AuthServiceDeps) {
  const users = createUsersRepo(db);
  /** Confirms the logged-in user's password, under the same failure limits as a login (403 when wrong). */
  async function confirmPassword(ip: string, userId: string, password: string) {
    const user = await users.findById(userId);
    if (!user) throw wrongPassword();
    const attempt = await limits.beginPasswordCheck(ip, user.email);
    if (!(await hasher.verify(password, user.passwordHash))) {
      await sleep(await attempt.failed());
      throw wrongPassword();
    }
    await attempt.succeeded();
    return user;
  }

  /** The user these credentials belong to; an unknown email costs the same time as a wrong password. */
  async function verifyCredentials(email: string, password: string): Promise<PublicUser | undefined> {
    const user = await users.findByEmail(email.trim().toLowerCase());
    if (!user) {
      await hasher.verifyAgainstNothing(password);
      return undefined;
    }
    if (!(await hasher.verify(password, user.passwordHash))) return undefined;
    return { id: user.id, email: user.email, createdAt: user.createdAt };
  }

  return {
    async register(ip: string, email: string, password: string): Promise<PublicUser> {
      await limits.register(ip);
      const user = await users.insert(email, await hasher.hash(password));
      if (!user) throw new ConflictError('email_taken', 'An account with this email already exists.');
      return user;
    },

    /** A login: the attempt is counted before the password is checked (429 past the limits), refunded on success. */
    async logIn(ip: string, email: string, password: string): Promise<PublicUser> {
      const attempt = await limits.beginPasswordCheck(ip, email);
      const user = await verifyCredentials(email, password);
      if (!user) {
        await sleep(await attempt.failed());
        throw invalidCredentials();
      }
      await attempt.succeeded();
      return user;
    },

    async changePassword(ip: string, userId: string, currentPassword: string, newPassword: string): Promise<void> {
      await confirmPassword(ip, userId, currentPassword);
      await users.updatePasswordHash(userId, await hasher.hash(newPassword));
    },

    async deleteAccount(ip: string, userId: string, password: string): Promise<void> {
      await confirmPassword(ip, userId, password);
      await users.delete(userId);
      sessions.forgetUser(userId);
    },

    listSessions: (userId: string, currentSid: string): Promise<SessionSummary[]> => sessions.listForUser(userId, currentSid),

    async revokeSession(userId: string, sessionId: string): Promise<void> {
      if (!(await sessions.revoke(userId, sessionId))) throw new NotFoundError('Session not found.', 'session_not_found');
    },

    /** Ends every session of the user but `keepSid` (if given). */
    revokeOtherSessions: (userId: string, keepSid?: string): Promise<void> => sessions.revokeAll(userId, keepSid),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
