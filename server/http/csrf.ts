import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { HttpError } from './errors.ts';

export interface Csrf {
  /** Checks the token on every state-changing request, before any route runs. */
  protect: RequestHandler;
  token(req: Request, res: Response): string;
}

const cookieName = (production: boolean) => (production ? '__Host-doorstep.csrf' : 'doorstep.csrf');
const cookieOptions = (production: boolean) => ({ sameSite: 'lax' as const, secure: production, httpOnly: true, path: '/' });

/**
 * Drops the CSRF cookie so the next page starts a fresh one: called at login and logout, so no
 * token from before either can be replayed (issue 14, finding 6).
 */
export function rotateCsrf(res: Response, production: boolean): void {
  res.clearCookie(cookieName(production), cookieOptions(production));
}

export function csrf(secret: string, production: boolean): Csrf {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    // Once logged in, a token belongs to this login session (its id changes at login and the
    // session is destroyed at logout, so tokens end with it); anonymous forms (login, register)
    // rely on the signed double-submit cookie alone.
    getSessionIdentifier: (req) => (req.user ? req.sessionID : ''),
    cookieName: cookieName(production),
    cookieOptions: cookieOptions(production),
    getCsrfTokenFromRequest: (req) => {
      // Multipart bodies are read later by Multer, so upload forms carry the token in their
      // action URL (`?_csrf=`); Referrer-Policy no-referrer and log redaction keep it private.
      const source = req.is('multipart/form-data') ? req.query : req.body;
      const token = (source as Record<string, unknown> | undefined)?._csrf;
      return typeof token === 'string' ? token : req.headers['x-csrf-token'];
    },
    skipCsrfProtection: undefined,
  });
  return {
    protect: (req, res, next) => doubleCsrfProtection(req, res, (err?: unknown) => next(err ? new HttpError(403, 'errors.csrf') : undefined)),
    token: (req, res) => generateCsrfToken(req, res, { overwrite: false, validateOnReuse: false }),
  };
}
