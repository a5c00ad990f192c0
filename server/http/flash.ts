import type { Request } from 'express';

/** Flash messages are i18n keys with params, never HTML; rendered escaped on the next page. */
export function flash(req: Request, type: 'success' | 'error' | 'info', key: string, params?: Record<string, string>): void {
  if (!req.session) return;
  (req.session.flash ??= []).push({ type, key, params });
}
