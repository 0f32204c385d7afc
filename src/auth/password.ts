import bcrypt from 'bcrypt';

/** bcrypt only reads the first 72 bytes of its input; longer passwords are refused at the edge. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARS = 8;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as a real verify, so a login for an unknown email is not faster. */
  verifyAgainstNothing(password: string): Promise<false>;
}

export async function createPasswordHasher(rounds: number): Promise<PasswordHasher> {
  const dummyHash = await bcrypt.hash('timing-equaliser-not-a-real-password', rounds);
  return {
    hash: (password) => bcrypt.hash(password, rounds),
    verify: (password, hash) => bcrypt.compare(password, hash),
    async verifyAgainstNothing(password) {
      await bcrypt.compare(password, dummyHash);
      return false;
    },
  };
}
