import type { Queryable } from '../db/database.js';
import type { PublicUser, Role, UserPlan, UserStatus } from './user.js';

export type { PublicUser, Role, UserPlan, UserStatus } from './user.js';

export interface UserWithHash extends PublicUser {
  /** null: an account made by single sign-on that never set a password. */
  passwordHash: string | null;
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string | null;
  created_at: Date;
  role: Role;
  status: UserStatus;
}

const COLUMNS = 'id, email, created_at, role, status';

export const toPublicUser = (row: Omit<UserRow, 'password_hash'>): PublicUser => ({
  id: row.id,
  email: row.email,
  createdAt: row.created_at.toISOString(),
  role: row.role,
  status: row.status,
});

/** The user without its hash. */
export const publicOf = (u: PublicUser): PublicUser => ({
  id: u.id,
  email: u.email,
  createdAt: u.createdAt,
  role: u.role,
  status: u.status,
});

const withHash = (row: UserRow | undefined): UserWithHash | undefined => row && { ...toPublicUser(row), passwordHash: row.password_hash };

const UNIQUE_VIOLATION = '23505';

export function createUsersRepo(db: Queryable) {
  return {
    /** Returns undefined when the email is already taken (case-insensitively). */
    async insert(
      email: string,
      passwordHash: string | null,
      { role = 'user', status = 'active' }: { role?: Role; status?: UserStatus } = {},
      tx: Queryable = db,
    ): Promise<PublicUser | undefined> {
      try {
        const { rows } = await tx.query<UserRow>(
          `INSERT INTO users (email, password_hash, role, status) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
          [email, passwordHash, role, status],
        );
        return toPublicUser(rows[0]!);
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
        throw err;
      }
    },

    async findById(id: string, tx: Queryable = db): Promise<UserWithHash | undefined> {
      const { rows } = await tx.query<UserRow>(`SELECT ${COLUMNS}, password_hash FROM users WHERE id = $1`, [id]);
      return withHash(rows[0]);
    },

    async findByEmail(email: string, tx: Queryable = db): Promise<UserWithHash | undefined> {
      const { rows } = await tx.query<UserRow>(`SELECT ${COLUMNS}, password_hash FROM users WHERE lower(email) = lower($1)`, [email]);
      return withHash(rows[0]);
    },

    async updatePasswordHash(id: string, passwordHash: string, tx: Queryable = db): Promise<void> {
      await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
    },

    /** Deletes the user; their chats, messages, sessions and usage go with them (ON DELETE CASCADE). */
    async delete(id: string, tx: Queryable = db): Promise<void> {
      await tx.query('DELETE FROM users WHERE id = $1', [id]);
    },

    /** The account an identity provider knows as (issuer, subject). */
    async findByIdentity(issuer: string, subject: string): Promise<UserWithHash | undefined> {
      const { rows } = await db.query<UserRow>(
        `SELECT ${COLUMNS.replace(/(\w+)/g, 'u.$1')}, u.password_hash FROM users u
         JOIN user_identities i ON i.user_id = u.id WHERE i.issuer = $1 AND i.subject = $2`,
        [issuer, subject],
      );
      return withHash(rows[0]);
    },

    async linkIdentity(userId: string, issuer: string, subject: string, tx: Queryable = db): Promise<void> {
      await tx.query('INSERT INTO user_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        issuer,
        subject,
        userId,
      ]);
    },

    async hasIdentity(userId: string): Promise<boolean> {
      const { rowCount } = await db.query('SELECT 1 FROM user_identities WHERE user_id = $1 LIMIT 1', [userId]);
      return rowCount === 1;
    },

    async seen(id: string): Promise<void> {
      await db.query('UPDATE users SET last_seen_at = now() WHERE id = $1', [id]);
    },

    /** The user's own token limit and models (read by every send). */
    async plan(id: string): Promise<UserPlan> {
      const { rows } = await db.query<{ daily_token_limit: number | null; allowed_models: string[] | null }>(
        'SELECT daily_token_limit, allowed_models FROM users WHERE id = $1',
        [id],
      );
      return { dailyTokenLimit: rows[0]?.daily_token_limit ?? null, allowedModels: rows[0]?.allowed_models ?? null };
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
