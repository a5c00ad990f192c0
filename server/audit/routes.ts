import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../http/guards.ts';
import { formatDate } from '../lib/format.ts';
import { listAudit } from './service.ts';
import { pager } from '../lib/pager.ts';

const querySchema = z.object({
  page: z.coerce.number().int().min(1).max(10000).catch(1),
  action: z.string().trim().max(60).regex(/^[\w.]*$/).catch(''),
});

export function auditRoutes(): Router {
  const r = Router();
  r.get('/admin/audit', requireRole('admin'), async (req, res) => {
    const q = querySchema.parse(req.query);
    const perPage = 50;
    const { items, total } = await listAudit({ page: q.page, perPage, action: q.action || undefined });
    const pages = Math.max(1, Math.ceil(total / perPage));
    res.render('audit/index', {
      title: req.t('audit.title'),
      action: q.action,
      entries: items.map((e) => ({
        at: formatDate(e.at, req.lang, 'datetime'),
        actor: `${e.actorName} (${req.t(`roles.${e.actorRole}`)})`,
        action: e.action,
        target: `${e.targetType} ${e.targetId}`,
        details: Object.entries((e.details ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(', '),
      })),
      pager: pager(q.page, pages, (p) => `/admin/audit?page=${p}${q.action ? `&action=${encodeURIComponent(q.action)}` : ''}`),
    });
  });
  return r;
}
