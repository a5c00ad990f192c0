import { Router, type Request, type Response } from 'express';
import { requireRole } from '../http/guards.ts';
import { flash } from '../http/flash.ts';
import { confirmFirst } from '../http/confirm.ts';
import { isRefusal } from '../lib/refusal.ts';
import { alertSchema, criteriaOf, gigsHref } from './schemas.ts';
import * as alerts from './service.ts';

// A resident's job alerts: saved from the gig list's filters, listed and deleted on /me.

async function saveAlert(req: Request, res: Response) {
  const filters = alertSchema.parse(req.body ?? {});
  try {
    const saved = await alerts.saveAlert(req.user!, criteriaOf(filters));
    flash(req, 'success', saved.existed ? 'alerts.alreadySaved' : 'alerts.saved');
  } catch (err) {
    if (!isRefusal(err, 'invalid', 'conflict')) throw err;
    flash(req, 'error', err.key, err.params);
  }
  res.redirect(gigsHref(filters));
}

async function deleteAlert(req: Request, res: Response) {
  await alerts.deleteAlert(req.user!, String(req.params.id));
  flash(req, 'success', 'alerts.deleted');
  res.redirect('/me#alerts');
}

export function alertRoutes(): Router {
  const r = Router();
  const resident = requireRole('resident');
  r.post('/me/alerts', resident, saveAlert);
  r.post(
    '/me/alerts/:id/delete',
    resident,
    confirmFirst('alerts.confirmDelete', (req) => alerts.ownAlert(req.user!, String(req.params.id))),
    deleteAlert,
  );
  return r;
}
