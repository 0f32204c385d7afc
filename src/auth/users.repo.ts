import type { Queryable } from '../db/database.js';
import type { RequestUser } from '../http/request-user.js';

/** What the API (and the session) may know of a user: never the password hash. */
export type PublicUser = RequestUser;

export interface UserWithHash extends PublicUser {
  passwordHash: string;
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date;
}

const toPublicUser = (row: Omit<UserRow, 'password_hash'>): PublicUser => ({
  id: row.id,
  email: row.email,
  createdAt: row.created_at.toISOString(),
});

const UNIQUE_VIOLATION = '23505';

export function createUsersRepo(db: Queryable) {
  return {
    /** Returns undefined when the email is already taken (case-insensitively). */
    async insert(email: string, passwordHash: string, tx: Queryable = db): Promise<PublicUser | undefined> {
      try {
        const { rows } = await tx.query<UserRow>(
          'INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id, email, created_at',
          [email, passwordHash],
        );
        return toPublicUser(rows[0]!);
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
        throw err;
      }
    },

    async findById(id: string, tx: Queryable = db): Promise<UserWithHash | undefined> {
      const { rows } = await tx.query<UserRow>('SELECT id, email, password_hash, created_at FROM users WHERE id = $1', [id]);
      const row = rows[0];
      return row && { ...toPublicUser(row), passwordHash: row.password_hash };
    },

    async updatePasswordHash(id: string, passwordHash: string, tx: Queryable = db): Promise<void> {
      await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
    },

    /** Deletes the user; their chats, messages, sessions and usage go with them (ON DELETE CASCADE). */
    async delete(id: string, tx: Queryable = db): Promise<void> {
      await tx.query('DELETE FROM users WHERE id = $1', [id]);
    },

    async findByEmail(email: string, tx: Queryable = db): Promise<UserWithHash | undefined> {
      const { rows } = await tx.query<UserRow>('SELECT id, email, password_hash, created_at FROM users WHERE lower(email) = lower($1)', [
        email,
      ]);
      const row = rows[0];
      return row && { ...toPublicUser(row), passwordHash: row.password_hash };
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
