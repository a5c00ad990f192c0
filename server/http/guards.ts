import type { Request, RequestHandler } from 'express';
import type { Role } from '../../models/user.ts';
import { canActOnCenter, canActOnResident } from '../centers/scope.ts';
import { HttpError } from './errors.ts';

/** Logged in, or off to the login page (GET) / 401 (anything else). */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
    return res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  }
  next(new HttpError(401, 'errors.loginRequired'));
};

/** Logged in with one of these roles; the 403 page names the roles that would be allowed. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    requireLogin(req, res, (err?: unknown) => {
      if (err || !req.user) return next(err);
      if (roles.includes(req.user.role)) return next();
      next(new HttpError(403, 'errors.forbiddenRole', { roles: roles.map((r) => req.t(`roles.${r}`)).join(' / ') }));
    });
  };
}

/** A resident out of reach answers exactly like an unknown one, so lookups cannot enumerate (finding 9). */
export async function assertResidentScope(req: Request, resident: { homeCenter?: unknown } | null | undefined): Promise<void> {
  if (!(await canActOnResident(req.user, resident))) throw new HttpError(404, 'errors.notFound');
}

/** Throws the 403 that says which center is out of reach. Services call this on loaded records. */
export async function assertCenterScope(req: Request, centerId: string | null | undefined): Promise<void> {
  if (!(await canActOnCenter(req.user, centerId))) throw new HttpError(403, 'errors.forbiddenCenter');
}

/** Route-level center scope for routes that name the center in the URL (`:centerId`). */
export function requireCenterScope(param = 'centerId'): RequestHandler {
  return async (req, _res, next) => {
    await assertCenterScope(req, String(req.params[param] ?? ''));
    next();
  };
}
