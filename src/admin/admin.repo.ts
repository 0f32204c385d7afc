import type { Queryable } from '../db/database.js';
import type { Role, UserStatus } from '../auth/user.js';

/** A user as an admin sees it: never the chats' contents. */
export interface AdminUser {
  id: string;
  email: string;
  role: Role;
  status: UserStatus;
  createdAt: string;
  lastSeenAt: string | null;
  tokensToday: number;
  dailyTokenLimit: number | null;
  allowedModels: string[] | null;
  chats: number;
}

export interface UserFilter {
  q?: string;
  status?: UserStatus;
  role?: Role;
  limit: number;
  /** The last user of the previous page: its creation time (microseconds, UTC) and id. */
  after?: { createdAt: string; id: string };
}

export interface UserChanges {
  role?: Role;
  status?: UserStatus;
  dailyTokenLimit?: number | null;
  allowedModels?: string[] | null;
}

interface AdminUserRow {
  id: string;
  email: string;
  role: Role;
  status: UserStatus;
  created_at: Date;
  created_key: string;
  last_seen_at: Date | null;
  tokens_today: string;
  daily_token_limit: number | null;
  allowed_models: string[] | null;
  chats: string;
}

const SELECT_USERS = `
  SELECT u.id, u.email, u.role, u.status, u.created_at, u.daily_token_limit, u.allowed_models,
         to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key,
         greatest(u.last_seen_at, (SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id)) AS last_seen_at,
         (SELECT coalesce(sum(d.prompt_tokens + d.completion_tokens), 0) FROM usage_daily d
           WHERE d.user_id = u.id AND d.day = (now() AT TIME ZONE 'UTC')::date) AS tokens_today,
         (SELECT count(*) FROM chats c WHERE c.user_id = u.id) AS chats
  FROM users u`;

const toAdminUser = (r: AdminUserRow): AdminUser & { key: { createdAt: string; id: string } } => ({
  id: r.id,
  email: r.email,
  role: r.role,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  lastSeenAt: r.last_seen_at?.toISOString() ?? null,
  tokensToday: Number(r.tokens_today),
  dailyTokenLimit: r.daily_token_limit,
  allowedModels: r.allowed_models,
  chats: Number(r.chats),
  key: { createdAt: r.created_key, id: r.id },
});

export function createAdminRepo(db: Queryable) {
  return {
    /** Newest first; `q` a substring of the email (any case; no wildcards). One more row than asked says whether there is more. */
    async listUsers({ q, status, role, limit, after }: UserFilter) {
      const { rows } = await db.query<AdminUserRow>(
        `${SELECT_USERS}
         WHERE ($1::text IS NULL OR strpos(lower(u.email), lower($1)) > 0)
           AND ($2::text IS NULL OR u.status = $2) AND ($3::text IS NULL OR u.role = $3)
           AND ($4::timestamptz IS NULL OR (u.created_at, u.id) < ($4::timestamptz, $5::uuid))
         ORDER BY u.created_at DESC, u.id DESC LIMIT $6`,
        [q ?? null, status ?? null, role ?? null, after?.createdAt ?? null, after?.id ?? null, limit + 1],
      );
      return rows.map(toAdminUser);
    },

    async findUser(id: string, tx: Queryable = db) {
      const { rows } = await tx.query<AdminUserRow>(`${SELECT_USERS} WHERE u.id = $1`, [id]);
      return rows[0] && toAdminUser(rows[0]);
    },

    /** Locks the user's row for a change (inside a transaction). */
    async lockUser(tx: Queryable, id: string): Promise<boolean> {
      const { rowCount } = await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
      return rowCount === 1;
    },

    async updateUser(tx: Queryable, id: string, c: UserChanges): Promise<void> {
      await tx.query(
        `UPDATE users SET role = coalesce($2, role), status = coalesce($3, status),
           daily_token_limit = CASE WHEN $4 THEN $5 ELSE daily_token_limit END,
           allowed_models = CASE WHEN $6 THEN $7::text[] ELSE allowed_models END
         WHERE id = $1`,
        [
          id,
          c.role ?? null,
          c.status ?? null,
          'dailyTokenLimit' in c,
          c.dailyTokenLimit ?? null,
          'allowedModels' in c,
          c.allowedModels ?? null,
        ],
      );
    },

    /** The chats of the user with a reply being written (to stop them when the account is disabled or deleted). */
    async chatsReplying(userId: string): Promise<string[]> {
      const { rows } = await db.query<{ chat_id: string }>(
        `SELECT m.chat_id FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.user_id = $1 AND m.status = 'streaming'`,
        [userId],
      );
      return rows.map((r) => r.chat_id);
    },

    /** Tokens per day, user and model over [from, to], for every user. */
    async usage(from: string, to: string) {
      const { rows } = await db.query<{
        day: string;
        user_id: string;
        email: string;
        model: string;
        prompt_tokens: string;
        completion_tokens: string;
        replies: number;
      }>(
        `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.user_id, u.email, d.model, d.prompt_tokens, d.completion_tokens, d.replies
         FROM usage_daily d JOIN users u ON u.id = d.user_id
         WHERE d.day BETWEEN $1::date AND $2::date ORDER BY d.day, u.email, d.model`,
        [from, to],
      );
      return rows.map((r) => ({
        day: r.day,
        userId: r.user_id,
        email: r.email,
        model: r.model,
        promptTokens: Number(r.prompt_tokens),
        completionTokens: Number(r.completion_tokens),
        replies: r.replies,
      }));
    },
  };
}

export type AdminRepo = ReturnType<typeof createAdminRepo>;
