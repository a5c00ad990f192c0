import type { RequestHandler } from 'express';
import { centerName, getCenter } from '../centers/tree.ts';
import { unreadCount } from '../notifications/service.ts';
import type { Csrf } from './csrf.ts';
import { NAV } from './menus.ts';
import { safeReturnTo } from '../lib/safe-redirect.ts';

/** What every page needs: who is logged in, navigation, the CSRF field. */
export function pageLocals(csrf: Csrf): RequestHandler {
  return async (req, res, next) => {
    const user = req.user;
    const l = res.locals;
    l.user = user ? { id: user.id, name: user.name, role: user.role } : null;
    l.nav = NAV[user ? user.role : 'anonymous'].map((item) => ({
      ...item,
      active: req.path === item.href || req.path.startsWith(`${item.href}/`),
    }));
    l.path = req.path;
    // Links back to this page use only a same-site path: a request for `//evil.example/x` (a 404)
    // must not render a link that leaves the site (issue 14, finding 8). Language links keep the
    // current page and query, replacing only `lang`; a CSRF token never travels on into a link
    // (the address of a re-rendered upload form may carry one).
    const here = safeReturnTo(req.path, '/');
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    query.delete('_csrf');
    const kept = query.toString();
    l.originalUrl = encodeURIComponent(here === '/' && req.path !== '/' ? '/' : safeReturnTo(kept ? `${req.path}?${kept}` : req.path, '/'));
    query.delete('lang');
    const base = query.toString();
    l.langLinks = {
      zh: `${here}?${base ? `${base}&` : ''}lang=zh-CN`,
      en: `${here}?${base ? `${base}&` : ''}lang=en`,
    };
    let token: string | undefined;
    l.csrfToken = () => (token ??= csrf.token(req, res));
    // Flash messages are taken at render time (flashDelivery in flash.ts).
    const centerId = user ? (user.staffCenter ?? user.homeCenter) : undefined;
    l.centerName = centerId ? centerName(await getCenter(centerId), req.lang) : '';
    if (user) l.unread = await unreadCount(user.id);
    next();
  };
}
