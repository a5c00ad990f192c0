import { Router, type Request, type Response } from 'express';
import { validate, formOf, echoForm, refusedForm } from '../../http/validate.ts';
import { requireRole } from '../../http/guards.ts';
import { flash } from '../../http/flash.ts';
import type { RouteDeps } from '../../http/deps.ts';
import { canActOnResident } from '../../centers/scope.ts';
import { findByPhone } from '../../accounts/service.ts';
import { isRefusal } from '../../lib/refusal.ts';
import { reasonSchema, onBehalfSchema, categorySchema } from '../schemas.ts';
import * as categories from '../service/categories.ts';
import * as employers from '../service/employers.ts';
import * as postings from '../service/postings.ts';
import * as lifecycle from '../service/lifecycle.ts';
import * as applications from '../service/applications.ts';
import { moderationPage, renderCategories, renderEmployerReview, renderOnBehalf, renderPostingReview } from '../view/staff.ts';

// Staff and admins: review employers and postings, apply at the desk for a resident, categories.

async function showModeration(req: Request, res: Response) {
  const q = await lifecycle.moderationQueue(req.user!);
  res.render('gigs/moderation', await moderationPage(req, q));
}

async function showEmployer(req: Request, res: Response) {
  await renderEmployerReview(req, res, String(req.params.id));
}

async function verifyEmployer(req: Request, res: Response) {
  await employers.decideEmployer(req.user!, String(req.params.id), 'verified');
  flash(req, 'success', 'gigs.moderation.employerVerified');
  res.redirect('/staff/moderation');
}

async function rejectEmployer(req: Request, res: Response) {
  const parsed = validate(req, reasonSchema, req.body);
  if (!parsed.ok) return renderEmployerReview(req, res, String(req.params.id), parsed.form, 400);
  await employers.decideEmployer(req.user!, String(req.params.id), 'rejected', parsed.data.reason);
  flash(req, 'success', 'gigs.moderation.employerRejected');
  res.redirect('/staff/moderation');
}

async function approvePosting(req: Request, res: Response) {
  await lifecycle.approvePosting(req.user!, String(req.params.id));
  flash(req, 'success', 'gigs.moderation.postingApproved');
  res.redirect('/staff/moderation');
}

// Staff at the desk apply for a resident who came in person (with the resident's consent).
// The posting must be one the public may see or one in the staff member's scope (finding 3);
// the resident must be in scope (finding 4).
async function showApplyFor(req: Request, res: Response) {
  await renderOnBehalf(req, res, String(req.params.id), formOf({ phone: typeof req.query.phone === 'string' ? req.query.phone : '' }));
}

async function applyFor(req: Request, res: Response) {
  const id = String(req.params.id);
  await postings.visiblePosting(req.user, id);
  const parsed = validate(req, onBehalfSchema, req.body);
  if (!parsed.ok) return renderOnBehalf(req, res, id, parsed.form, 400);
  const found = await findByPhone(parsed.data.phone);
  // Unknown and out-of-scope residents get the same answer (findings 4 and 9).
  if (found?.role !== 'resident' || !(await canActOnResident(req.user, found))) {
    return renderOnBehalf(req, res, id, echoForm(req.body, { phone: req.t('gigs.errors.residentNotFound') }), 404);
  }
  try {
    await applications.apply({ id: String(found._id) }, id, parsed.data, req.user!);
  } catch (err) {
    if (isRefusal(err, 'conflict')) return renderOnBehalf(req, res, id, echoForm(req.body, { _form: req.t(err.key) }), 409);
    throw err;
  }
  flash(req, 'success', 'gigs.onBehalf.done', { name: found.name });
  res.redirect(`/gigs/${id}`);
}

// Staff extend the category list.
async function showCategories(req: Request, res: Response) {
  await renderCategories(req, res);
}

async function addCategory(req: Request, res: Response) {
  const parsed = validate(req, categorySchema, req.body);
  if (!parsed.ok) return renderCategories(req, res, parsed.form, 400);
  const result = await categories.addCategory(req.user!, parsed.data);
  if (!result.ok) return renderCategories(req, res, refusedForm(req, result), 409);
  flash(req, 'success', 'gigs.categories.added');
  res.redirect('/staff/gigs/categories');
}

export function staffRoutes({ absoluteUrl }: RouteDeps): Router {
  const r = Router();
  const staff = requireRole('staff', 'admin');

  async function showPostingReview(req: Request, res: Response) {
    await renderPostingReview(req, res, absoluteUrl, String(req.params.id));
  }

  async function rejectPosting(req: Request, res: Response) {
    const parsed = validate(req, reasonSchema, req.body);
    if (!parsed.ok) return renderPostingReview(req, res, absoluteUrl, String(req.params.id), parsed.form, 400);
    await lifecycle.rejectPosting(req.user!, String(req.params.id), parsed.data.reason);
    flash(req, 'success', 'gigs.moderation.postingRejected');
    res.redirect('/staff/moderation');
  }

  r.get('/staff/moderation', staff, showModeration);
  r.get('/staff/employers/:id', staff, showEmployer);
  r.post('/staff/employers/:id/verify', staff, verifyEmployer);
  r.post('/staff/employers/:id/reject', staff, rejectEmployer);
  r.get('/staff/postings/:id', staff, showPostingReview);
  r.post('/staff/postings/:id/approve', staff, approvePosting);
  r.post('/staff/postings/:id/reject', staff, rejectPosting);
  r.get('/staff/postings/:id/apply-for', staff, showApplyFor);
  r.post('/staff/postings/:id/apply-for', staff, applyFor);
  r.get('/staff/gigs/categories', staff, showCategories);
  r.post('/staff/gigs/categories', staff, addCategory);
  return r;
}
