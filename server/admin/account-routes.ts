import { Router, type Request, type Response } from 'express';
import { requireRole } from '../http/guards.ts';
import { validate, formOf, type FormState } from '../http/validate.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import { centerName, getCenter } from '../centers/tree.ts';
import { phone as phoneSchema, objectId, disableConfirmSchema } from '../accounts/schemas.ts';
import { findByPhone, profile } from '../accounts/service.ts';
import { setDisabled } from '../accounts/desk.ts';

/** What the admin sees of one account: never the password hash, never a mongoose document. */
async function accountView(req: Request, id: string) {
  if (!objectId.safeParse(id).success) throw new HttpError(404, 'errors.notFound');
  const u = await profile(id);
  return {
    id: String(u._id),
    name: u.name,
    phone: u.phone,
    role: req.t(`roles.${u.role}`),
    center: centerName(await getCenter(String(u.staffCenter ?? u.homeCenter)), req.lang),
    disabled: !!u.disabled,
    self: String(u._id) === req.user!.id,
    isResident: u.role === 'resident',
  };
}

/** Admin: find any account by phone, disable it (after a confirmation) or enable it again. */
export function adminAccountRoutes(): Router {
  const r = Router();
  const admin = requireRole('admin');

  r.get('/admin/accounts', admin, async function findAccount(req, res) {
    const q = typeof req.query.phone === 'string' ? req.query.phone.trim() : '';
    let error = '';
    if (q) {
      const parsed = phoneSchema.safeParse(q);
      const found = parsed.success ? await findByPhone(parsed.data) : null;
      if (found) return res.redirect(`/admin/accounts/${String(found._id)}`);
      error = req.t(parsed.success ? 'admin.accounts.notFound' : 'errors.phone');
    }
    res.status(error ? 404 : 200).render('admin/accounts', { title: req.t('admin.accounts.title'), phone: q, error });
  });

  r.get('/admin/accounts/:id', admin, async function showAccount(req, res) {
    const account = await accountView(req, String(req.params.id));
    res.render('admin/account', { title: account.name, account });
  });

  const renderDisable = async (req: Request, res: Response, form: FormState, status = 200) => {
    const account = await accountView(req, String(req.params.id));
    if (account.self) throw new HttpError(400, 'admin.accounts.notSelf');
    res.status(status).render('admin/account-disable', { title: req.t('admin.accounts.disableTitle'), account, form });
  };

  r.get('/admin/accounts/:id/disable', admin, async function confirmDisable(req, res) {
    await renderDisable(req, res, formOf());
  });

  r.post('/admin/accounts/:id/disable', admin, async function disableAccount(req, res) {
    const parsed = validate(req, disableConfirmSchema, req.body);
    if (!parsed.ok) return renderDisable(req, res, parsed.form, 400);
    const account = await accountView(req, String(req.params.id));
    await setDisabled(req.user!, account.id, true);
    flash(req, 'success', 'admin.accounts.disabled', { name: account.name });
    res.redirect(`/admin/accounts/${account.id}`);
  });

  r.post('/admin/accounts/:id/enable', admin, async function enableAccount(req, res) {
    const account = await accountView(req, String(req.params.id));
    await setDisabled(req.user!, account.id, false);
    flash(req, 'success', 'admin.accounts.enabled', { name: account.name });
    res.redirect(`/admin/accounts/${account.id}`);
  });

  return r;
}
