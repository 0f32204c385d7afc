import type { AccessConfig } from '../config.parsers.js';
import type { Database } from '../db/database.js';
import { AppError, ConflictError, NotFoundError, UnauthorizedError } from '../http/errors.js';
import type { Limits } from '../limits/limits.js';
import { inviteRequired, type AdminRules } from './admin-rules.js';
import { createInvitesRepo } from './invites.repo.js';
import type { PasswordHasher } from './password.js';
import type { SessionStore, SessionSummary } from './session-store.js';
import { createUsersRepo, publicOf, type PublicUser, type UserPlan, type UserStatus, type UserWithHash } from './users.repo.js';

/** A login that did not match an account and its password (which of the two is never said). */
export const invalidCredentials = () => new UnauthorizedError('invalid_credentials', 'Wrong email or password.');
const wrongPassword = () => new AppError(403, 'wrong_password', 'The password is not correct.');
export const passwordLoginDisabled = () =>
  new AppError(403, 'password_login_disabled', 'Passwords are not used here: sign in with single sign-on.');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 403 for an account that may not log in (yet), said only to someone who gave its password. */
export function refusedStatus(status: UserStatus): AppError | undefined {
  if (status === 'pending') return new AppError(403, 'account_pending', 'Your account is waiting for an admin to approve it.');
  if (status === 'disabled') return new AppError(403, 'account_disabled', 'This account has been disabled by an admin.');
  return undefined;
}

export interface AuthServiceDeps {
  db: Database;
  access: AccessConfig;
  admins: AdminRules;
  hasher: PasswordHasher;
  limits: Limits;
  sessions: SessionStore;
}

/** Accounts, credentials and sessions: every rule of auth, with its limits, lives here. */
export function createAuthService({ db, access, admins, hasher, limits, sessions }: AuthServiceDeps) {
  const users = createUsersRepo(db);
  const invites = createInvitesRepo(db);
  /**
   * Confirms it is the logged-in user: their password, under the same failure limits as a login (403
   * when wrong), or for an account without one (made by single sign-on) their email typed again.
   */
  async function confirmUser(ip: string, user: UserWithHash | undefined, proof: { password?: string; confirmEmail?: string }) {
    if (!user) throw wrongPassword();
    if (user.passwordHash === null) {
      if (proof.confirmEmail?.trim().toLowerCase() === user.email) return user;
      throw new AppError(403, 'confirmation_mismatch', 'Type the email of your account exactly to confirm.');
    }
    if (proof.password === undefined) throw wrongPassword();
    const attempt = await limits.beginPasswordCheck(ip, user.email);
    if (!(await hasher.verify(proof.password, user.passwordHash))) {
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
    if (user.passwordHash === null) return void (await hasher.verifyAgainstNothing(password)); // single sign-on only
    if (!(await hasher.verify(password, user.passwordHash))) return undefined;
    return publicOf(user);
  }

  return {
    /**
     * A new account under REGISTRATION: active (open, invite), or pending an admin's approval. An invite
     * is used in the same transaction as the account is made, so a taken email leaves it unused.
     */
    async register(ip: string, email: string, password: string, inviteCode?: string): Promise<PublicUser> {
      const made = admins.signUp(email, Boolean(inviteCode)); // before anything is counted or hashed
      await limits.register(ip);
      const passwordHash = await hasher.hash(password);
      const created = await db.withTransaction(async (tx) => {
        if (made.usesInvite && !(await invites.use(tx, inviteCode!, email))) throw inviteRequired();
        const user = await users.insert(email, passwordHash, made, tx);
        if (!user) throw new ConflictError('email_taken', 'An account with this email already exists.');
        if (made.usesInvite) await invites.usedBy(tx, inviteCode!, user.id);
        return user;
      });
      await admins.ensureFirstAdmin();
      if (created.status === 'active') await users.seen(created.id); // logged in by the registration
      return publicOf((await users.findById(created.id))!);
    },

    /** An account made by an admin: active, no invite needed. */
    async createByAdmin(email: string, password: string, role: 'user' | 'admin'): Promise<PublicUser> {
      const user = await users.insert(email, await hasher.hash(password), { role: admins.isListed(email) ? 'admin' : role });
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
      const refused = refusedStatus(user.status);
      if (refused) throw refused;
      await users.seen(user.id);
      return user;
    },

    /** The user's own token limit and models (an admin's choice; null: the defaults). */
    plan: (userId: string): Promise<UserPlan> => users.plan(userId),

    /** Invites to sign up under REGISTRATION=invite (made and revoked by admins). */
    invites: {
      create: (createdBy: string, email: string | null, expiresInDays: number) => invites.create(createdBy, email, expiresInDays),
      list: () => invites.list(),
      delete: (code: string) => invites.delete(code),
    },

    /** The logged-in user as stored now (role and status may have changed since login), and how they sign in. */
    async me(userId: string) {
      const [user, sso] = await Promise.all([users.findById(userId), users.hasIdentity(userId)]);
      if (!user) throw new UnauthorizedError();
      return {
        ...publicOf(user),
        hasPassword: user.passwordHash !== null,
        sso: sso ? { name: access.oidc?.name ?? 'Single sign-on' } : null,
      };
    },

    /** Changes the password (the current one confirmed), or sets a first one on an account made by single sign-on. */
    async changePassword(ip: string, userId: string, currentPassword: string | undefined, newPassword: string): Promise<void> {
      const user = await users.findById(userId);
      if (user?.passwordHash === null) {
        if (!access.passwordLogin) throw passwordLoginDisabled();
      } else await confirmUser(ip, user, { password: currentPassword });
      await users.updatePasswordHash(userId, await hasher.hash(newPassword));
    },

    async deleteAccount(ip: string, userId: string, proof: { password?: string; confirmEmail?: string }): Promise<void> {
      await confirmUser(ip, await users.findById(userId), proof);
      await db.withTransaction(async (tx) => {
        await admins.guardLastAdmin(tx, userId);
        await users.delete(userId, tx);
      });
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
