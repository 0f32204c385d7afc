import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import type { Invite } from './user.js';

export type { Invite } from './user.js';

interface InviteRow {
  code: string;
  email: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

const toInvite = (r: InviteRow): Invite => ({
  code: r.code,
  email: r.email,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  usedAt: r.used_at?.toISOString() ?? null,
});

const COLUMNS = 'code, email, created_at, expires_at, used_at';
/** How many invites the admin page lists (the newest). */
const LIST_MAX = 500;

export function createInvitesRepo(db: Queryable) {
  return {
    async create(createdBy: string, email: string | null, expiresInDays: number): Promise<Invite> {
      // 128 random bits: unguessable, and short enough to type from a printed link.
      const code = randomBytes(16).toString('base64url');
      const { rows } = await db.query<InviteRow>(
        `INSERT INTO invites (code, email, created_by, expires_at) VALUES ($1, $2, $3, now() + make_interval(days => $4))
         RETURNING ${COLUMNS}`,
        [code, email, createdBy, expiresInDays],
      );
      return toInvite(rows[0]!);
    },

    async list(): Promise<Invite[]> {
      const { rows } = await db.query<InviteRow>(`SELECT ${COLUMNS} FROM invites ORDER BY created_at DESC, code LIMIT ${LIST_MAX}`);
      return rows.map(toInvite);
    },

    async delete(code: string): Promise<Invite | undefined> {
      const { rows } = await db.query<InviteRow>(`DELETE FROM invites WHERE code = $1 RETURNING ${COLUMNS}`, [code]);
      return rows[0] && toInvite(rows[0]);
    },

    /**
     * Uses the invite for `email`, inside the registration's transaction: false when it is unknown, used,
     * expired or bound to another email. The row lock makes a second registration with the same code
     * wait, then find it used.
     */
    async use(tx: Queryable, code: string, email: string): Promise<boolean> {
      const { rowCount } = await tx.query(
        `UPDATE invites SET used_at = now()
         WHERE code = $1 AND used_at IS NULL AND expires_at > now() AND (email IS NULL OR email = $2)`,
        [code, email],
      );
      return rowCount === 1;
    },

    async usedBy(tx: Queryable, code: string, userId: string): Promise<void> {
      await tx.query('UPDATE invites SET used_by = $2 WHERE code = $1', [code, userId]);
    },
  };
}

export type InvitesRepo = ReturnType<typeof createInvitesRepo>;
