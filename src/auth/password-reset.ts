import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { AppError } from '../http/errors.js';
import type { Limits } from '../limits/limits.js';
import type { Mailer } from '../mail/mailer.js';
import type { PasswordHasher } from './password.js';
import type { SessionStore } from './session-store.js';
import { createUsersRepo } from './users.repo.js';

const LINK_LIFE_MINUTES = 30;
const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidToken = () =>
  new AppError(400, 'invalid_token', 'This link is not valid any more (used, expired or replaced): ask for a new one.');

export interface PasswordResetDeps {
  db: Database;
  hasher: PasswordHasher;
  limits: Pick<Limits, 'passwordResetRequested'>;
  sessions: Pick<SessionStore, 'revokeAll'>;
  mailer: Mailer;
  logger: Logger;
  /** A mail that could not be sent (counted in metrics). */
  onMailFailed: () => void;
}

/**
 * "Forgot password": a link by email with a random token (256 bits, stored only as its SHA-256), valid
 * 30 minutes, once; a newer request replaces it. Asking answers the same, at once, whatever the email:
 * the account is looked up and the mail sent after the answer.
 */
export function createPasswordReset({ db, hasher, limits, sessions, mailer, logger, onMailFailed }: PasswordResetDeps) {
  const users = createUsersRepo(db);

  async function sendLink(email: string, origin: string): Promise<void> {
    const user = await users.findByEmail(email);
    if (!user) return;
    const token = randomBytes(32).toString('base64url');
    await db.withTransaction(async (tx) => {
      await tx.query('DELETE FROM password_resets WHERE user_id = $1', [user.id]);
      await tx.query(`INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(mins => $3))`, [
        digest(token),
        user.id,
        LINK_LIFE_MINUTES,
      ]);
    });
    const link = `${origin.replace(/\/$/, '')}/reset-password?token=${token}`;
    await mailer.send({
      to: user.email,
      subject: 'Reset your password',
      text: `Someone (we hope you) asked to reset the password of ${user.email}.\n\nSet a new one here within ${LINK_LIFE_MINUTES} minutes:\n${link}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
    });
  }

  return {
    /** Counted per email and address (429 past the limits); then the mail goes out in the background. */
    async request(ip: string, email: string, origin: string): Promise<void> {
      await limits.passwordResetRequested(ip, email);
      sendLink(email, origin).catch((err: unknown) => {
        onMailFailed();
        logger.error({ err }, 'password reset: the mail could not be sent');
      });
    },

    /** Sets the new password and ends every session of the user, on every instance. 400 invalid_token otherwise. */
    async confirm(token: string, newPassword: string): Promise<void> {
      const passwordHash = await hasher.hash(newPassword);
      const userId = await db.withTransaction(async (tx) => {
        const { rows } = await tx.query<{ user_id: string }>(
          `UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
          [digest(token)],
        );
        const id = rows[0]?.user_id;
        if (id) await users.updatePasswordHash(id, passwordHash, tx);
        return id;
      });
      if (!userId) throw invalidToken();
      await sessions.revokeAll(userId);
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
