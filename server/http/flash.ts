import type { Request, RequestHandler } from 'express';

/** Flash messages are i18n keys with params, never HTML; rendered escaped on the next page. */
export function flash(req: Request, type: 'success' | 'error' | 'info', key: string, params?: Record<string, string>): void {
  if (!req.session) return;
  (req.session.flash ??= []).push({ type, key, params });
}

/**
 * Delivers flash messages on the page that is actually shown, never one page late:
 * - a redirect waits until the session holding the message is stored. express-session stores
 *   it while the 302 is already on the wire (it holds back only the body's last byte), so a
 *   browser that follows the Location at once used to read the session before the message
 *   landed, and saw it on the page after;
 * - messages are taken when a page with the layout is rendered, not when any request starts,
 *   so a form that re-renders itself shows a message set in the same request, and a POST that
 *   ends in a redirect does not swallow a message still waiting to be shown.
 */
export const flashDelivery: RequestHandler = (req, res, next) => {
  const render = res.render.bind(res) as (view: string, options?: object, callback?: unknown) => void;
  res.render = ((view: string, options?: unknown, callback?: unknown) => {
    const opts = typeof options === 'object' && options !== null ? (options as { layout?: unknown }) : undefined;
    const pending = req.session?.flash;
    if (pending?.length && opts?.layout !== false) {
      res.locals.flash = [...((res.locals.flash as unknown[] | undefined) ?? []), ...pending.map((f) => ({ type: f.type, text: req.t(f.key, f.params ?? {}) }))];
      delete req.session.flash;
    }
    return typeof options === 'function' ? render(view, undefined, options) : render(view, options as object | undefined, callback);
  }) as typeof res.render;
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session?.flash?.length && !req.session?.formStash) return redirect(...args);
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
