import passportModule from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { PasswordHasher } from './password.js';
import type { PublicUser, UsersRepo } from './users.repo.js';

declare global {
  namespace Express {
    // What passport puts on `req.user`: the session holds exactly this, so no query per request.
    interface User extends PublicUser {}
  }
}

export type PassportInstance = InstanceType<typeof passportModule.Passport>;

/** A passport instance of its own per app, so several apps (tests) never share strategies. */
export function createPassport(users: UsersRepo, hasher: PasswordHasher): PassportInstance {
  const passport = new passportModule.Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      verifyCredentials(users, hasher, email, password).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser<PublicUser>((user, done) => done(null, { id: user.id, email: user.email, createdAt: user.createdAt }));
  passport.deserializeUser<PublicUser>((user, done) => done(null, user));
  return passport;
}

async function verifyCredentials(
  users: UsersRepo,
  hasher: PasswordHasher,
  email: string,
  password: string,
): Promise<PublicUser | undefined> {
  const user = await users.findByEmail(email.trim().toLowerCase());
  if (!user) {
    await hasher.verifyAgainstNothing(password);
    return undefined;
  }
  if (!(await hasher.verify(password, user.passwordHash))) return undefined;
  return { id: user.id, email: user.email, createdAt: user.createdAt };
}
