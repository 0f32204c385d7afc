import type { Logger } from 'pino';
import type { Queryable } from '../db/database.js';
import type { AccessConfig } from '../config.parsers.js';
import { AppError, ConflictError } from '../http/errors.js';
import type { Role, UserStatus } from './user.js';

export const inviteRequired = () => new AppError(403, 'invite_required', 'Signing up needs a valid invite: ask an admin for one.');

/**
 * Who is an admin. ADMIN_EMAILS names them (admin and active from registration, or from the next start);
 * without it the first account ever registered is the admin (Open WebUI's rule). The last active admin
 * is never demoted, disabled or deleted.
 */
export function createAdminRules(db: Queryable, { adminEmails, registration }: Pick<AccessConfig, 'adminEmails' | 'registration'>) {
  const listed = new Set(adminEmails);

  /** With ADMIN_EMAILS unset and no admin yet: the oldest account becomes one (idempotent, so concurrent registrations agree). */
  async function ensureFirstAdmin(tx: Queryable = db): Promise<void> {
    if (listed.size > 0) return;
    await tx.query(
      `UPDATE users SET role = 'admin', status = 'active'
       WHERE id = (SELECT id FROM users ORDER BY created_at, id LIMIT 1) AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')`,
    );
  }

  return {
    /** An email of ADMIN_EMAILS (already normalised to lower case). */
    isListed: (email: string): boolean => listed.has(email.toLowerCase()),

    ensureFirstAdmin,

    /**
     * How a new account (by password or single sign-on) is made under REGISTRATION, or 403 when it may
     * not be: ADMIN_EMAILS' addresses always may, as active admins; `invited`: an invite code was given.
     */
    signUp(email: string, invited: boolean): { role: Role; status: UserStatus; usesInvite: boolean } {
      if (listed.has(email.toLowerCase())) return { role: 'admin', status: 'active', usesInvite: false };
      if (registration === 'closed') throw new AppError(403, 'registration_closed', 'Signing up is closed: ask an admin for an account.');
      if (registration === 'invite' && !invited) throw inviteRequired();
      return { role: 'user', status: registration === 'approval' ? 'pending' : 'active', usesInvite: registration === 'invite' };
    },

    /** At start-up: ADMIN_EMAILS' accounts made admins (or the first admin chosen), and a log line saying who is admin. */
    async atStart(logger: Logger): Promise<void> {
      if (listed.size > 0) {
        await db.query(`UPDATE users SET role = 'admin', status = 'active' WHERE lower(email) = ANY($1::text[])`, [[...listed]]);
      } else await ensureFirstAdmin();
      const { rows } = await db.query<{ email: string }>(
        `SELECT email FROM users WHERE role = 'admin' AND status = 'active' ORDER BY created_at LIMIT 5`,
      );
      if (rows.length > 0) logger.info({ admins: rows.map((r) => r.email) }, `admin: ${rows.map((r) => r.email).join(', ')}`);
      else if (listed.size > 0) logger.info('no admin yet: the first of ADMIN_EMAILS to register becomes one');
      else logger.info('no admin yet: the first account registered becomes the admin');
    },

    /**
     * Inside a transaction about to demote, disable or delete `userId`: 409 last_admin when it is the
     * only active admin. Such changes take a lock in turn, so two admins demoting each other can't both pass.
     */
    async guardLastAdmin(tx: Queryable, userId: string): Promise<void> {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('last-admin', 0))`);
      const { rows } = await tx.query<{ target: boolean; others: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'admin' AND status = 'active') AS target,
                EXISTS (SELECT 1 FROM users WHERE id <> $1 AND role = 'admin' AND status = 'active') AS others`,
        [userId],
      );
      if (rows[0]!.target && !rows[0]!.others) {
        throw new ConflictError('last_admin', 'This is the last active admin: make another admin first.');
      }
    },
  };
}

export type AdminRules = ReturnType<typeof createAdminRules>;
