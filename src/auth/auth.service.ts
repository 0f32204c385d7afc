import { AppError, ConflictError } from '../http/errors.js';
import type { PasswordHasher } from './password.js';
import type { PublicUser, UsersRepo } from './users.repo.js';

const wrongPassword = () => new AppError(403, 'wrong_password', 'The password is not correct.');

export function createAuthService(users: UsersRepo, hasher: PasswordHasher) {
  async function confirmPassword(userId: string, password: string) {
    const user = await users.findById(userId);
    if (!user || !(await hasher.verify(password, user.passwordHash))) throw wrongPassword();
    return user;
  }

  return {
    async register(email: string, password: string): Promise<PublicUser> {
      const user = await users.insert(email, await hasher.hash(password));
      if (!user) throw new ConflictError('email_taken', 'An account with this email already exists.');
      return user;
    },

    async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<void> {
      await confirmPassword(userId, currentPassword);
      await users.updatePasswordHash(userId, await hasher.hash(newPassword));
    },

    async deleteAccount(userId: string, password: string): Promise<void> {
      await confirmPassword(userId, password);
      await users.delete(userId);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
