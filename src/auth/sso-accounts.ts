import type { AccessConfig } from '../config.parsers.js';
import type { Database } from '../db/database.js';
import { AppError } from '../http/errors.js';
import type { AdminRules } from './admin-rules.js';
import { refusedStatus } from './auth.service.js';
import type { OidcIdentity } from './oidc-client.js';
import { createUsersRepo, publicOf, type PublicUser, type UserWithHash } from './users.repo.js';

/** A refusal of a single sign-on, by the code the login screen is sent (`/login?error=<code>`). */
export const ssoRefused = (code: string, message: string) => new AppError(403, code, message);

/**
 * Who signed in by single sign-on: an identity (issuer, subject) already known is its account; else an
 * account with the same verified email is linked to it (a password account starts using SSO); else a
 * new account is made as REGISTRATION says (invite and closed: only ADMIN_EMAILS), without a password.
 */
export function createSsoAccounts({ db, access, admins }: { db: Database; access: AccessConfig; admins: AdminRules }) {
  const users = createUsersRepo(db);

  async function create(email: string, identity: OidcIdentity): Promise<UserWithHash> {
    const rule = admins.signUp(email, false); // no invites by single sign-on
    const made = await db.withTransaction(async (tx) => {
      const user = await users.insert(email, null, { role: rule.role, status: rule.status }, tx);
      if (user) await users.linkIdentity(user.id, identity.issuer, identity.subject, tx);
      return user;
    });
    if (!made) return (await linkByEmail(email, identity))!; // the same person signing in twice at once
    await admins.ensureFirstAdmin();
    return (await users.findById(made.id))!;
  }

  async function linkByEmail(email: string, identity: OidcIdentity): Promise<UserWithHash | undefined> {
    const user = await users.findByEmail(email);
    if (user) await users.linkIdentity(user.id, identity.issuer, identity.subject);
    return user;
  }

  return async function signIn(identity: OidcIdentity): Promise<PublicUser> {
    if (!identity.emailVerified || !identity.email) {
      throw ssoRefused('email_not_verified', 'The identity provider has not verified this email address.');
    }
    const email = identity.email.trim().toLowerCase();
    const domains = access.oidc?.allowedDomains ?? [];
    if (domains.length > 0 && !domains.includes(email.split('@').pop()!)) {
      throw ssoRefused('domain_not_allowed', 'Accounts of this email domain may not sign in here.');
    }
    const user =
      (await users.findByIdentity(identity.issuer, identity.subject)) ??
      (await linkByEmail(email, identity)) ??
      (await create(email, identity));
    const refused = refusedStatus(user.status);
    if (refused) throw refused;
    await users.seen(user.id);
    return publicOf(user);
  };
}

export type SsoSignIn = ReturnType<typeof createSsoAccounts>;
