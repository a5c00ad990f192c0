import { Router, type Request, type RequestHandler, type Response } from 'express';
import { requireLogin, requireRole, assertResidentScope } from '../http/guards.ts';
import { validate, formOf, type FormState } from '../http/validate.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import { residentEditSchema, resetConfirmSchema, changePasswordSchema } from './schemas.ts';
import { profile } from './service.ts';
import { editResident, resetPassword, changeOwnPassword } from './desk.ts';
import { residentPage } from './resident-view.ts';
import { homeFor } from './routes.ts';
import { lockedUntil, type LoginLockOptions } from './login-lock.ts';
import { formatDate } from '../lib/format.ts';

const PASSWORD_PAGE = '/profile/password';
// What someone holding only a temporary password may still open.
const OPEN_WHILE_FORCED = new Set([PASSWORD_PAGE, '/logout', '/prefs/elder']);

/**
 * After a desk reset the temporary password is good for one thing: choosing a new one. Every
 * other page sends the user there (GET) or is refused (anything else) until they have.
 */
export const passwordChangeGate: RequestHandler = (req, res, next) => {
  if (!req.user?.mustChangePassword || OPEN_WHILE_FORCED.has(req.path)) return next();
  if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(PASSWORD_PAGE);
  next(new HttpError(403, 'accounts.password.mustChangeFirst'));
};

/** A resident in the staff member's scope, or the 404/403 that says why not. */
async function residentInScope(req: Request) {
  const r = await profile(String(req.params.id));
  if (r.role !== 'resident') throw new HttpError(404, 'errors.notFound');
  // Out of scope answers like an unknown id (issue 14, finding 9).
  await assertResidentScope(req, r);
  return r;
}

/** `lockOptions`: the login lock (login-lock.ts) shown on the resident page with its unlock button. */
export function deskRoutes(lockOptions: LoginLockOptions): Router {
  const r = Router();
  const staff = requireRole('staff', 'admin');

  const renderResident = async (req: Request, res: Response, resident: Awaited<ReturnType<typeof residentInScope>>, editForm?: FormState, status = 200) => {
    const until = await lockedUntil(lockOptions, resident.phone);
    const loginLock = until ? { until: formatDate(until, req.lang, 'time') } : null;
    res.status(status).render('accounts/resident', { ...(await residentPage(req, resident, editForm)), loginLock });
  };

  r.get('/staff/residents/:id', staff, async function showResident(req, res) {
    await renderResident(req, res, await residentInScope(req));
  });

  r.post('/staff/residents/:id/details', staff, async function saveResidentDetails(req, res) {
    const resident = await residentInScope(req);
    const parsed = validate(req, residentEditSchema, req.body);
    if (!parsed.ok) return renderResident(req, res, resident, parsed.form, 400);
    await editResident(req.user!, resident, parsed.data);
    flash(req, 'success', 'accounts.residents.saved');
    res.redirect(`/staff/residents/${String(resident._id)}`);
  });

  const renderReset = (req: Request, res: Response, resident: { _id: unknown; name: string; phone: string }, form: FormState, status = 200) =>
    res.status(status).render('accounts/reset-password', { title: req.t('accounts.reset.title'), resident: { id: String(resident._id), name: resident.name, phone: resident.phone }, form });

  r.get('/staff/residents/:id/password', staff, async function confirmReset(req, res) {
    renderReset(req, res, await residentInScope(req), formOf());
  });

  r.post('/staff/residents/:id/password', staff, async function doReset(req, res) {
    const resident = await residentInScope(req);
    const parsed = validate(req, resetConfirmSchema, req.body);
    if (!parsed.ok) return renderReset(req, res, resident, parsed.form, 400);
    const temporary = await resetPassword(req.user!, resident);
    // Shown in this response only: never in a flash (stored in the session) nor a redirect.
    res.setHeader('Cache-Control', 'no-store');
    res.render('accounts/reset-done', { title: req.t('accounts.reset.doneTitle'), resident: { id: String(resident._id), name: resident.name, phone: resident.phone }, temporary });
  });

  const renderChange = (req: Request, res: Response, form: FormState, status = 200) =>
    res.status(status).render('accounts/change-password', { title: req.t('accounts.password.title'), forced: !!req.user!.mustChangePassword, form });

  r.get(PASSWORD_PAGE, requireLogin, function showChangePassword(req, res) {
    renderChange(req, res, formOf());
  });

  r.post(PASSWORD_PAGE, requireLogin, async function changePassword(req, res) {
    const parsed = validate(req, changePasswordSchema, req.body);
    if (!parsed.ok) return renderChange(req, res, parsed.form, 400);
    const result = await changeOwnPassword(req.user!, parsed.data);
    if (!result.ok) return renderChange(req, res, { values: {}, errors: { [result.field]: req.t(result.key) } }, 400);
    flash(req, 'success', 'accounts.password.changed');
    res.redirect(homeFor(req.user!));
  });

  return r;
}
