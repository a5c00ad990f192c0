import type { TFunction } from 'i18next';
import type { Lang } from './i18n/index.ts';
import type { Role } from '../models/user.ts';

declare global {
  namespace Express {
    // What passport puts on req.user: a plain object, never a mongoose document.
    interface User {
      id: string;
      name: string;
      phone: string;
      role: Role;
      homeCenter: string;
      staffCenter: string | null;
      /** After a desk reset: every page sends them to /profile/password until they choose one. */
      mustChangePassword?: boolean;
    }
    interface Request {
      lang: Lang;
      t: TFunction;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    returnTo?: string;
    /** The number just signed up with, to fill in on the login page that follows. */
    loginPhone?: string;
    /** A refused upload form, kept for the GET page it redirects to (no token in the address bar). */
    formStash?: { path: string; values: Record<string, unknown>; errors: Record<string, string> };
  }
}
