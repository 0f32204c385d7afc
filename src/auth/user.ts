import type { RequestUser } from '../http/request-user.js';

export type Role = 'user' | 'admin';
export type UserStatus = 'active' | 'pending' | 'disabled';

/** What the API may know of a user: never the password hash. (The session holds only the RequestUser part.) */
export interface PublicUser extends RequestUser {
  role: Role;
  status: UserStatus;
}

/** A user's own limits: `null` follows the defaults (DAILY_TOKEN_LIMIT, every model of the allow-list). */
export interface UserPlan {
  dailyTokenLimit: number | null;
  allowedModels: string[] | null;
}

/** An invite to sign up (REGISTRATION=invite), bound to one email or not. */
export interface Invite {
  code: string;
  email: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}
