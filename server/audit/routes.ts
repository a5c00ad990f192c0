import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../http/guards.ts';
import { listAudit } from './service.ts';
import { actionsOfKind } from './kinds.ts';
import { auditRows, kindOptions } from './view.ts';
import { pager } from '../lib/pager.ts';
import { findByPhone } from '../accounts/service.ts';
import { PHONE_RE } from '../accounts/schemas.ts';

// Bad filter values are dropped rather than refused: this is a read-only list.
const querySchema = z.object({
  page: z.coerce.number().int().min(1).max(10000).catch(1),
  kind: z
    .string()
    .trim()
    .max(60)
    .regex(/^[\w.]*$/)
    .catch(''),
  person: z.string().trim().max(20).catch(''),
  user: z
    .string()
    .trim()
    .regex(/^[a-f\d]{24}$/i)
    .optional()
    .catch(undefined),
});

export function auditRoutes(): Router {
  const r = Router();
  r.get('/admin/audit', requireRole('admin'), async function auditLog(req, res) {
    const q = querySchema.parse(req.query);
    const perPage = 50;
    // A person is given by phone in the form, or by id from a name link in the list.
    let personId = q.user ?? null;
    let personName = '';
    let personError = '';
    if (q.person) {
      const found = PHONE_RE.test(q.person) ? await findByPhone(q.person) : null;
      if (found) [personId, personName] = [String(found._id), found.name];
      else personError = req.t(PHONE_RE.test(q.person) ? 'audit.noPerson' : 'errors.phone');
    }
    const { items, total } = personError
      ? { items: [], total: 0 }
      : await listAudit({ page: q.page, perPage, actions: actionsOfKind(q.kind), person: personId });
    const pages = Math.max(1, Math.ceil(total / perPage));
    const params = new URLSearchParams(Object.entries({ kind: q.kind, person: q.person, user: q.person ? '' : (q.user ?? '') }).filter(([, v]) => v));
    res.render('audit/index', {
      title: req.t('audit.title'),
      kind: q.kind,
      person: q.person,
      personName,
      personError,
      filtered: !!(q.kind || q.person || q.user),
      kinds: kindOptions(req),
      total,
      entries: await auditRows(req, items),
      pager: pager(q.page, pages, (p) => `/admin/audit?${new URLSearchParams({ ...Object.fromEntries(params), page: String(p) })}`),
    });
  });
  return r;
}
