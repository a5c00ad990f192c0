import type { NextFunction, Request, Response } from 'express';
import { safeReturnTo } from '../lib/safe-redirect.ts';

/**
 * A permanent action asks once more before it happens, and without JavaScript: a POST that does
 * not carry `confirm=yes` renders a page saying what will happen, with a form that posts the same
 * fields again plus confirm=yes (and a fresh CSRF token), and a way back. Nothing changes until
 * the second post. Put it after the route's guards, so only people allowed to act are asked.
 * `check` loads what the action is on, as the handler will (throwing its 404/403/409), so the
 * question is only put to someone the action is open to.
 * Texts: confirm.<name>.question / .detail / .yes in the confirm catalog, or, when `name` has a
 * dot, <name>.question / .detail / .yes in a feature's own catalog (e.g. alerts.confirmDelete).
 */
export function confirmFirst(name: string, check?: (req: Request) => Promise<unknown>) {
  return async function confirmStep(req: Request, res: Response, next: NextFunction) {
    if (req.body?.confirm === 'yes') return next();
    if (check) await check(req);
    const fields = Object.entries((req.body ?? {}) as Record<string, unknown>).flatMap(([field, v]) =>
      field === '_csrf' || field === 'confirm'
        ? []
        : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((value) => ({ field, value })),
    );
    const texts = name.includes('.') ? name : `confirm.${name}`;
    res.render('shared/confirm', { title: req.t(`${texts}.question`), name, texts, action: req.originalUrl, fields, back: backLink(req) });
  };
}

/** The page the person came from when it is one of ours, else the home page. */
function backLink(req: Request): string {
  const ref = req.get('referer');
  if (!ref) return '/';
  try {
    const u = new URL(ref);
    return u.host === req.get('host') ? safeReturnTo(u.pathname + u.search, '/') : '/';
  } catch {
    return '/';
  }
}
