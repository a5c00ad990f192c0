import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticate, sessionUser } from './service.ts';
import { normalizePhone } from './schemas.ts';

export function configurePassport(): typeof passport {
  passport.use(
    new LocalStrategy({ usernameField: 'phone', passwordField: 'password' }, (phone, password, done) => {
      authenticate(normalizePhone(phone), String(password)).then((u) => done(null, u ?? false), done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: string, done) => {
    sessionUser(id).then((u) => done(null, u ?? false), done);
  });
  return passport;
}
