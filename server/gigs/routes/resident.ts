import { Router, type Request, type Response } from 'express';
import { validate, echoForm } from '../../http/validate.ts';
import { requireRole } from '../../http/guards.ts';
import { flash } from '../../http/flash.ts';
import { confirmFirst } from '../../http/confirm.ts';
import type { RouteDeps } from '../../http/deps.ts';
import { applySchema } from '../schemas.ts';
import * as applications from '../service/applications.ts';
import { renderDetail } from '../view.ts';
import { applicationItems, renderWithdraw } from '../view/resident.ts';

// A signed-in resident: apply for a posting, see and withdraw their applications.

async function listMyApplications(req: Request, res: Response) {
  const apps = await applications.myApplications(req.user!.id);
  res.render('gigs/my-applications', { title: req.t('gigs.mine.title'), items: await applicationItems(req, apps) });
}

async function showWithdraw(req: Request, res: Response) {
  await renderWithdraw(req, res, String(req.params.id));
}

async function withdraw(req: Request, res: Response) {
  const id = String(req.params.id);
  const a = await applications.myApplication(req.user!, id);
  // Withdrawing from a job already given means the employer must hear it from the person.
  if (a.status === 'accepted' && req.body?.told !== 'on') {
    return renderWithdraw(req, res, id, echoForm(req.body, { told: req.t('gigs.mine.tellFirst') }), 400);
  }
  await applications.withdraw(req.user!, id);
  flash(req, 'success', 'gigs.mine.withdrawn');
  res.redirect('/me/applications');
}

export function residentRoutes({ absoluteUrl }: RouteDeps): Router {
  const r = Router();
  const resident = requireRole('resident');

  async function applyForPosting(req: Request, res: Response) {
    const id = String(req.params.id);
    const parsed = validate(req, applySchema, req.body);
    if (!parsed.ok) return renderDetail(req, res, absoluteUrl, id, parsed.form, 400);
    await applications.apply(req.user!, id, parsed.data);
    flash(req, 'success', 'gigs.apply.done');
    res.redirect('/me/applications');
  }

  r.post('/gigs/:id/apply', resident, applyForPosting);
  r.get('/me/applications', resident, listMyApplications);
  r.get('/me/applications/:id/withdraw', resident, showWithdraw);
  r.post(
    '/me/applications/:id/withdraw',
    resident,
    confirmFirst('withdrawApplication', (req) => applications.residentApplication(req.user!, String(req.params.id))),
    withdraw,
  );
  return r;
}
