import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { HttpError } from './errors.ts';

export interface Csrf {
  /** Checks the token on every state-changing request, before any route runs. */
  protect: RequestHandler;
  token(req: Request, res: Response): string;
}

export function csrf(secret: string, production: boolean): Csrf {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    // Tokens are bound to the account once logged in; anonymous forms (login, register)
    // rely on the signed double-submit cookie alone.
    getSessionIdentifier: (req) => req.user?.id ?? '',
    cookieName: production ? '__Host-doorstep.csrf' : 'doorstep.csrf',
    cookieOptions: { sameSite: 'lax', secure: production, httpOnly: true, path: '/' },
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
    protect: (req, res, next) =>
      doubleCsrfProtection(req, res, (err?: unknown) => next(err ? new HttpError(403, 'errors.csrf') : undefined)),
    token: (req, res) => generateCsrfToken(req, res, { overwrite: false, validateOnReuse: false }),
  };
}
