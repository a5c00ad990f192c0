import { Router, type Request, type RequestHandler, type Response } from 'express';
import { requireLogin } from '../../http/guards.ts';
import { validate, formOf, type FormState, refusedForm } from '../../http/validate.ts';
import { flash } from '../../http/flash.ts';
import { HttpError } from '../../http/errors.ts';
import { centerOptions, getCenter, centerName } from '../../centers/tree.ts';
import { profileSchema, changePasswordSchema } from '../schemas.ts';
import * as accounts from '../service.ts';
import { changeOwnPassword } from '../desk.ts';
import { homeFor } from '../view.ts';

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

async function renderProfile(req: Request, res: Response, form: FormState, status = 200) {
  const me = await accounts.profile(req.user!.id);
  res.status(status).render('accounts/profile', {
    title: req.t('accounts.profile.title'),
    form,
    me: { phone: me.phone, role: me.role, lowIncome: me.lowIncome },
    centers: await centerOptions(req.lang),
    staffCenterName: me.staffCenter ? centerName(await getCenter(String(me.staffCenter)), req.lang) : '',
  });
}

async function showProfile(req: Request, res: Response) {
  const me = await accounts.profile(req.user!.id);
  const values = { name: me.name, email: me.email, homeCenter: String(me.homeCenter), skills: (me.skills ?? []).join('，'), birthYear: me.birthYear ?? '' };
  await renderProfile(req, res, formOf(values));
}

async function saveProfile(req: Request, res: Response) {
  const parsed = validate(req, profileSchema, req.body);
  if (!parsed.ok) return renderProfile(req, res, parsed.form, 400);
  const result = await accounts.updateProfile(req.user!.id, parsed.data);
  if (!result.ok) return renderProfile(req, res, refusedForm(req, result), 400);
  flash(req, 'success', 'accounts.profile.saved');
  res.redirect('/profile');
}

function renderChange(req: Request, res: Response, form: FormState, status = 200) {
  res.status(status).render('accounts/change-password', { title: req.t('accounts.password.title'), forced: !!req.user!.mustChangePassword, form });
}

function showChangePassword(req: Request, res: Response) {
  renderChange(req, res, formOf());
}

async function changePassword(req: Request, res: Response) {
  const parsed = validate(req, changePasswordSchema, req.body);
  if (!parsed.ok) return renderChange(req, res, parsed.form, 400);
  const result = await changeOwnPassword(req.user!, parsed.data);
  if (!result.ok) return renderChange(req, res, { values: {}, errors: { [result.field]: req.t(result.key) } }, 400);
  flash(req, 'success', 'accounts.password.changed');
  res.redirect(homeFor(req.user!));
}

/** A person's own account: their details and their password. */
export function profileRoutes(): Router {
  const r = Router();
  r.get('/profile', requireLogin, showProfile);
  r.post('/profile', requireLogin, saveProfile);
  r.get(PASSWORD_PAGE, requireLogin, showChangePassword);
  r.post(PASSWORD_PAGE, requireLogin, changePassword);
  return r;
}
