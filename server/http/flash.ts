import type { Request, Response } from 'express';

export interface FlashMessage {
  type: 'success' | 'error' | 'info';
  key: string;
  params?: Record<string, string>;
}

// Flash messages travel in a short-lived signed cookie, not in the session: keeping them in the
// session cost two session writes for every POST that redirects (one to set the message, one to
// clear it on the next page), on the hottest form of all, the piece-work log.
const FLASH_COOKIE = 'doorstep.flash';
const pending = new WeakMap<Request, FlashMessage[]>();

function cookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.app.get('env') === 'production', path: '/', signed: true };
}

/** Flash messages are i18n keys with params, never HTML; rendered escaped on the next page. */
export function flash(req: Request, type: FlashMessage['type'], key: string, params?: Record<string, string>): void {
  const list = pending.get(req) ?? [];
  list.push({ type, key, params });
  pending.set(req, list);
  req.res?.cookie(FLASH_COOKIE, list, { ...cookieOptions(req), maxAge: 5 * 60_000 });
}

/** The messages left for this page by the request before; they are shown once. */
export function takeFlash(req: Request, res: Response): FlashMessage[] {
  const list = (req.signedCookies as Record<string, unknown> | undefined)?.[FLASH_COOKIE];
  if (list === undefined) return [];
  res.clearCookie(FLASH_COOKIE, cookieOptions(req));
  if (!Array.isArray(list)) return [];
  return list.filter((f): f is FlashMessage => !!f && typeof f.key === 'string' && ['success', 'error', 'info'].includes(f.type));
}
