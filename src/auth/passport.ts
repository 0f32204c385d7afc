import passportModule from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthService } from './auth.service.js';
import { clientIp } from './session-helpers.js';
import type { RequestUser } from '../http/request-user.js';

export type PassportInstance = InstanceType<typeof passportModule.Passport>;

/**
 * A passport instance of its own per app, so several apps (tests) never share strategies. Its local
 * strategy asks the auth service, which applies the lockout and counts failures.
 */
export function createPassport(auth: AuthService): PassportInstance {
  const passport = new passportModule.Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (req, email, password, done) => {
      auth.logIn(clientIp(req), email, password).then((user) => done(null, user), done);
    }),
  );
  // The session holds who the user is, not their role or status (read where they matter: they change).
  passport.serializeUser<RequestUser>((user, done) => done(null, { id: user.id, email: user.email, createdAt: user.createdAt }));
  passport.deserializeUser<RequestUser>((user, done) => done(null, user));
  return passport;
}
