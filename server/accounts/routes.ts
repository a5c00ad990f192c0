import { Router, type Request, type Response } from 'express';
import passport from 'passport';
import { validate, formOf, echoForm, type FormState } from '../http/validate.ts';
import { requireLogin, requireRole, assertCenterScope } from '../http/guards.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import { safeReturnTo } from '../lib/safe-redirect.ts';
import { centerOptions, getCenter, centerName } from '../centers/tree.ts';
import type { RouteDeps } from '../http/deps.ts';
import { registerSchema, loginSchema, profileSchema, staffFieldsSchema, phone as phoneSchema } from './schemas.ts';
import * as accounts from './service.ts';
import { deskRoutes } from './desk-routes.ts';

export function homeFor(user: Express.User): string {
  return { resident: '/me', employer: '/me', staff: '/staff', admin: '/admin' }[user.role];
}

/** Logs the user in on a fresh session id (passport ≥0.6 regenerates it) and keeps the flash. */
function logIn(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

export function accountRoutes({ limits }: RouteDeps): Router {
  const r = Router();

  const renderRegister = async (req: Request, res: Response, form: FormState, status = 200) =>
    res.status(status).render('accounts/register', {
      title: req.t('accounts.register.title'),
      form,
      centers: await centerOptions(req.lang),
      roles: ['resident', 'employer'].map((v) => ({ value: v, label: req.t(`roles.${v}`) })),
    });

  r.get('/register', (req, res) => renderRegister(req, res, formOf({ role: req.query.role === 'employer' ? 'employer' : 'resident' })));

  r.post('/register', limits.register, async (req, res) => {
    const parsed = validate(req, registerSchema, req.body);
    if (!parsed.ok) return renderRegister(req, res, parsed.form, 400);
    const result = await accounts.register(parsed.data);
    if (!result.ok) {
      const form = echoForm(req.body, { [result.field]: req.t(result.key) });
      return renderRegister(req, res, form, result.key === 'errors.phoneTaken' ? 409 : 400);
    }
    await logIn(req, result.user);
    flash(req, 'success', 'accounts.register.welcome', { name: result.user.name });
    res.redirect(homeFor(result.user));
  });

  const renderLogin = (req: Request, res: Response, form: FormState, status = 200) =>
    res.status(status).render('accounts/login', { title: req.t('accounts.login.title'), form });

  r.get('/login', (req, res) => {
    if (req.user) return res.redirect(homeFor(req.user));
    renderLogin(req, res, formOf({ returnTo: safeReturnTo(req.query.returnTo, '') }));
  });

  r.post('/login', ...limits.login, async (req, res, next) => {
    const parsed = validate(req, loginSchema, req.body);
    const returnTo = parsed.ok ? safeReturnTo(parsed.data.returnTo, '') : '';
    const fail = () => {
      const form = formOf({ phone: parsed.ok ? parsed.data.phone : '', returnTo });
      // One message for unknown phone and wrong password, so neither can be probed.
      form.errors._form = req.t('accounts.login.failed');
      renderLogin(req, res, form, 401);
    };
    if (!parsed.ok) return fail();
    passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return fail();
      logIn(req, user).then(() => res.redirect(returnTo || homeFor(user)), next);
    })(req, res, next);
  });

  r.post('/logout', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      // Destroy server-side so a copied cookie is worthless afterwards.
      req.session.destroy(() => {
        res.clearCookie('doorstep.sid');
        res.redirect('/');
      });
    });
  });

  const renderProfile = async (req: Request, res: Response, form: FormState, status = 200) => {
    const me = await accounts.profile(req.user!.id);
    res.status(status).render('accounts/profile', {
      title: req.t('accounts.profile.title'),
      form,
      me: { phone: me.phone, role: me.role, lowIncome: me.lowIncome },
      centers: await centerOptions(req.lang),
      staffCenterName: me.staffCenter ? centerName(await getCenter(String(me.staffCenter)), req.lang) : '',
    });
  };

  r.get('/profile', requireLogin, async (req, res) => {
    const me = await accounts.profile(req.user!.id);
    await renderProfile(
      req,
      res,
      formOf({ name: me.name, email: me.email, homeCenter: String(me.homeCenter), skills: (me.skills ?? []).join('，'), birthYear: me.birthYear ?? '' }),
    );
  });

  r.post('/profile', requireLogin, async (req, res) => {
    const parsed = validate(req, profileSchema, req.body);
    if (!parsed.ok) return renderProfile(req, res, parsed.form, 400);
    const result = await accounts.updateProfile(req.user!.id, parsed.data);
    if (!result.ok) {
      const form = echoForm(req.body, { [result.field]: req.t(result.key) });
      return renderProfile(req, res, form, 400);
    }
    flash(req, 'success', 'accounts.profile.saved');
    res.redirect('/profile');
  });

  // Staff at the desk: find a resident by phone, see and set staff-only fields.
  r.get('/staff/residents', requireRole('staff', 'admin'), async (req, res) => {
    const q = typeof req.query.phone === 'string' ? req.query.phone.trim() : '';
    let error = '';
    if (q) {
      const parsed = phoneSchema.safeParse(q);
      if (!parsed.success) error = req.t('errors.phone');
      else {
        const found = await accounts.findByPhone(parsed.data);
        if (found && found.role === 'resident') {
          await assertCenterScope(req, String(found.homeCenter));
          return res.redirect(`/staff/residents/${String(found._id)}`);
        }
        error = req.t('accounts.residents.notFound');
      }
    }
    res.status(error ? 404 : 200).render('accounts/find-resident', { title: req.t('accounts.residents.title'), phone: q, error });
  });

  // The resident page, desk edits, password resets and the change-password page.
  r.use(deskRoutes());

  r.post('/staff/residents/:id', requireRole('staff', 'admin'), async (req, res) => {
    const resident = await accounts.profile(String(req.params.id));
    await assertCenterScope(req, String(resident.homeCenter));
    const parsed = validate(req, staffFieldsSchema, req.body);
    if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
    await accounts.setStaffFields(req.user!, String(resident._id), parsed.data);
    flash(req, 'success', 'accounts.residents.saved');
    res.redirect(`/staff/residents/${String(resident._id)}`);
  });

  return r;
}
