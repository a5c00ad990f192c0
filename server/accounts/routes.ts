import { Router } from 'express';
import type { RouteDeps } from '../http/deps.ts';
import { lockOptionsOf } from './login-lock.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { profileRoutes } from './routes/profile.ts';
import { deskRoutes } from './routes/desk.ts';

/** Accounts: signing up and in, one's own profile and password, and the staff desk. */
export function accountRoutes(deps: RouteDeps): Router {
  const r = Router();
  r.use(signInRoutes(deps));
  r.use(profileRoutes());
  r.use(deskRoutes(lockOptionsOf(deps.config)));
  return r;
}
