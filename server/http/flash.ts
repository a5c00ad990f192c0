import type { Request, RequestHandler, Response } from 'express';

export interface FlashMessage {
  type: 'success' | 'error' | 'info';
  key: string;
  params?: Record<string, string | number>;
}

// Flash messages travel in a short-lived signed cookie, not in the session: keeping them in the
// session cost two session writes for every POST that redirects (one to set the message, one to
// clear it on the next page), on the hottest form of all, the piece-work log. The cookie also
// arrives with the redirect itself, so a message can never land one page late (express-session
// stores a session only after the 302 is on the wire).
const FLASH_COOKIE = 'doorstep.flash';
const pending = new WeakMap<Request, FlashMessage[]>();

function cookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.app.get('env') === 'production', path: '/', signed: true };
}

/** Flash messages are i18n keys with params, never HTML; rendered escaped on the page shown next. */
export function flash(req: Request, type: FlashMessage['type'], key: string, params?: Record<string, string | number>): void {
  const list = pending.get(req) ?? [];
  list.push({ type, key, params });
  pending.set(req, list);
  req.res?.cookie(FLASH_COOKIE, list, { ...cookieOptions(req), maxAge: 5 * 60_000 });
}

/** The messages left by the request before, plus those set in this one; they are shown once. */
function takeFlash(req: Request, res: Response): FlashMessage[] {
  const incoming = (req.signedCookies as Record<string, unknown> | undefined)?.[FLASH_COOKIE];
  const own = pending.get(req) ?? [];
  if (incoming === undefined && !own.length) return [];
  pending.delete(req);
  res.clearCookie(FLASH_COOKIE, cookieOptions(req));
  const earlier = Array.isArray(incoming) ? incoming : [];
  return [...earlier, ...own].filter((f): f is FlashMessage => !!f && typeof f.key === 'string' && ['success', 'error', 'info'].includes(f.type));
}

/**
 * Messages are taken when a page with the layout is rendered, not when any request starts: a
 * form that re-renders itself shows a message set in the same request, and a request that
 * redirects or answers without the layout (a file, a JSON count) does not swallow one.
 * A redirect that leaves something in the session for the next page (a refused form from
 * stashForm, the number just registered for the login form) waits until it is stored:
 * express-session sends the 302's headers before its save finishes, and a quick browser then
 * asks for the next page before the value is there (CI saw the login form come back empty).
 */
export const flashDelivery: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res) as (view: string, options?: object, callback?: unknown) => void;
  res.render = ((view: string, options?: unknown, callback?: unknown) => {
    const opts = typeof options === 'object' && options !== null ? (options as { layout?: unknown }) : undefined;
    if (opts?.layout !== false) {
      const list = takeFlash(req, res);
      if (list.length)
        res.locals.flash = [...((res.locals.flash as unknown[] | undefined) ?? []), ...list.map((f) => ({ type: f.type, text: req.t(f.key, f.params ?? {}) }))];
    }
    return typeof options === 'function' ? render(view, undefined, options) : render(view, options as object | undefined, callback);
  }) as typeof res.render;
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session?.formStash && !req.session?.loginPhone) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as typeof res.redirect;
  next();
};

/**
 * Post/Redirect/Get for a refused form whose action carries the CSRF token in its address
 * (multipart upload forms, see csrf.ts): the form as typed and its errors wait in the session,
 * the browser is sent to the form's own GET page, and the token never shows in the address
 * bar, the history or a shared link. `takeForm` on that page gives the form back once.
 */
export function stashForm(req: Request, path: string, form: { values: Record<string, unknown>; errors: Record<string, string> }): void {
  if (!req.session) return;
  req.session.formStash = { path, values: form.values, errors: form.errors };
}

export function takeForm(req: Request, path: string): { values: Record<string, unknown>; errors: Record<string, string> } | null {
  const s = req.session?.formStash;
  if (!s || s.path !== path) return null;
  delete req.session.formStash;
  return { values: s.values, errors: s.errors };
}
