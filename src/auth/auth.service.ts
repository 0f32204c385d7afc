import { ConflictError } from '../http/errors.js';
import type { PasswordHasher } from './password.js';
import type { PublicUser, UsersRepo } from './users.repo.js';

export function createAuthService(users: UsersRepo, hasher: PasswordHasher) {
  return {
    async register(email: string, password: string): Promise<PublicUser> {
      const user = await users.insert(email, await hasher.hash(password));
      if (!user) throw new ConflictError('email_taken', 'An account with this email already exists.');
      return user;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
