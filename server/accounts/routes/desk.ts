import { Router, type Request, type Response } from 'express';
import { requireRole, assertResidentScope } from '../../http/guards.ts';
import { validate, formOf, refusedForm, type FormState } from '../../http/validate.ts';
import { isRefusal } from '../../lib/refusal.ts';
import { auditSensitiveView } from '../../privacy/consent.ts';
import { flash } from '../../http/flash.ts';
import { HttpError } from '../../http/errors.ts';
import { canActOnResident } from '../../centers/scope.ts';
import { formatDate } from '../../lib/format.ts';
import { residentEditSchema, resetConfirmSchema, staffFieldsSchema, phone as phoneSchema } from '../schemas.ts';
import * as accounts from '../service.ts';
import { editResident, resetPassword } from '../desk.ts';
import { residentPage } from '../resident-view.ts';
import { lockedUntil, unlock, type LoginLockOptions } from '../login-lock.ts';
import { payQuestionsOf } from '../../arrears/answers.ts';
import { deskPayQuestions } from '../../arrears/view.ts';

type Resident = Awaited<ReturnType<typeof accounts.profile>>;

/** A resident in the staff member's scope; out of scope answers like an unknown id (issue 14, finding 9). */
async function residentInScope(req: Request): Promise<Resident> {
  const r = await accounts.profile(String(req.params.id));
  if (r.role !== 'resident') throw new HttpError(404, 'errors.notFound');
  await assertResidentScope(req, r);
  return r;
}

const residentUrl = (r: Resident) => `/staff/residents/${String(r._id)}`;

// Find a resident by phone; unknown and out-of-scope give the same answer (finding 9).
async function findResident(req: Request, res: Response) {
  const q = typeof req.query.phone === 'string' ? req.query.phone.trim() : '';
  let error = '';
  if (q) {
    const parsed = phoneSchema.safeParse(q);
    const found = parsed.success ? await accounts.findByPhone(parsed.data) : null;
    if (found && found.role === 'resident' && (await canActOnResident(req.user, found))) return res.redirect(`/staff/residents/${String(found._id)}`);
    error = req.t(parsed.success ? 'accounts.residents.notFound' : 'errors.phone');
  }
  res.status(error ? 404 : 200).render('accounts/find-resident', { title: req.t('accounts.residents.title'), phone: q, error });
}

// The desk lifts a login lock for a resident standing in front of them (finding 1).
async function unlockLogin(req: Request, res: Response) {
  const resident = await residentInScope(req);
  await unlock(req.user!, resident.phone, String(resident._id), String(resident.homeCenter));
  flash(req, 'success', 'accounts.residents.unlocked');
  res.redirect(residentUrl(resident));
}

function renderReset(req: Request, res: Response, resident: Resident, form: FormState, status = 200) {
  res.status(status).render('accounts/reset-password', {
    title: req.t('accounts.reset.title'),
    resident: { id: String(resident._id), name: resident.name, phone: resident.phone },
    form,
  });
}

async function confirmReset(req: Request, res: Response) {
  renderReset(req, res, await residentInScope(req), formOf());
}

async function doReset(req: Request, res: Response) {
  const resident = await residentInScope(req);
  const parsed = validate(req, resetConfirmSchema, req.body);
  if (!parsed.ok) return renderReset(req, res, resident, parsed.form, 400);
  const temporary = await resetPassword(req.user!, resident);
  // Shown in this response only: never in a flash (a cookie) nor a redirect.
  res.setHeader('Cache-Control', 'no-store');
  res.render('accounts/reset-done', {
    title: req.t('accounts.reset.doneTitle'),
    resident: { id: String(resident._id), name: resident.name, phone: resident.phone },
    temporary,
  });
}

/** The staff desk: find a resident, see their page, correct details, reset a password, lift a login lock. */
export function deskRoutes(lockOptions: LoginLockOptions): Router {
  // The resident page shows the login lock (with its unlock button) when there is one.
  async function renderResident(req: Request, res: Response, resident: Resident, editForm?: FormState, status = 200, form?: FormState) {
    const until = await lockedUntil(lockOptions, resident.phone);
    const loginLock = until ? { until: formatDate(until, req.lang, 'time') } : null;
    // Jobs whose last day has passed: staff can record "were you paid?" for the resident.
    const payQuestions = deskPayQuestions(req, String(resident._id), await payQuestionsOf(String(resident._id)));
    res.status(status).render('accounts/resident', { ...(await residentPage(req, resident, editForm)), loginLock, payQuestions, form });
  }

  // The page shows phone, birth year and low-income status: each opening is on the audit log
  // (PIPL: access to sensitive personal information is recorded). Lists of residents are not.
  async function showResident(req: Request, res: Response) {
    const resident = await residentInScope(req);
    await auditSensitiveView(req.user!, resident);
    await renderResident(req, res, resident);
  }

  async function saveStaffFields(req: Request, res: Response) {
    const resident = await residentInScope(req);
    const parsed = validate(req, staffFieldsSchema, req.body);
    if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
    try {
      await accounts.setStaffFields(req.user!, String(resident._id), parsed.data);
    } catch (err) {
      if (!isRefusal(err, 'invalid')) throw err;
      return renderResident(req, res, resident, undefined, 400, refusedForm(req, err));
    }
    flash(req, 'success', 'accounts.residents.saved');
    res.redirect(residentUrl(resident));
  }

  async function saveResidentDetails(req: Request, res: Response) {
    const resident = await residentInScope(req);
    const parsed = validate(req, residentEditSchema, req.body);
    if (!parsed.ok) return renderResident(req, res, resident, parsed.form, 400);
    await editResident(req.user!, resident, parsed.data);
    flash(req, 'success', 'accounts.residents.saved');
    res.redirect(residentUrl(resident));
  }

  const r = Router();
  const staff = requireRole('staff', 'admin');
  r.get('/staff/residents', staff, findResident);
  r.get('/staff/residents/:id', staff, showResident);
  r.post('/staff/residents/:id', staff, saveStaffFields);
  r.post('/staff/residents/:id/details', staff, saveResidentDetails);
  r.get('/staff/residents/:id/password', staff, confirmReset);
  r.post('/staff/residents/:id/password', staff, doReset);
  r.post('/staff/residents/:id/unlock-login', staff, unlockLogin);
  return r;
}
