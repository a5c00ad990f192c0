import { Router, type Request, type Response } from 'express';
import passport from 'passport';
import { validate, formOf, echoForm, type FormState } from '../http/validate.ts';
import { requireLogin, requireRole, assertResidentScope } from '../http/guards.ts';
import { canActOnResident } from '../centers/scope.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import { safeReturnTo } from '../lib/safe-redirect.ts';
import { formatDate } from '../lib/format.ts';
import { centerOptions, getCenter, centerName } from '../centers/tree.ts';
import type { RouteDeps } from '../http/deps.ts';
import { registerSchema, loginSchema, profileSchema, staffFieldsSchema, phone as phoneSchema } from './schemas.ts';
import * as accounts from './service.ts';
import * as loginLock from './login-lock.ts';
import { disconnectSession } from '../realtime/hub.ts';
import { rotateCsrf } from '../http/csrf.ts';
import { PHONE_RE } from './schemas.ts';
import { deskRoutes } from './desk-routes.ts';

export function homeFor(user: Express.User): string {
  return { resident: '/me', employer: '/me', staff: '/staff', admin: '/admin' }[user.role];
}

/** Logs the user in on a fresh session id (passport ≥0.6 regenerates it) and keeps the flash. */
function logIn(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

export function accountRoutes({ limits, config }: RouteDeps): Router {
  const r = Router();
  const production = config.NODE_ENV === 'production';
  const lockOptions = { limit: config.LOGIN_ACCOUNT_LIMIT, windowMinutes: config.LOGIN_LOCK_MINUTES };

  const renderRegister = async (req: Request, res: Response, form: FormState, status = 200) =>
    res.status(status).render('accounts/register', {
      title: req.t('accounts.register.title'),
      form,
      centers: await centerOptions(req.lang),
      roles: ['resident', 'employer'].map((v) => ({ value: v, label: req.t(`roles.${v}`) })),
    });

  // Registering from a job or course page brings the person back there, as logging in does.
  r.get('/register', (req, res) =>
    renderRegister(req, res, formOf({ role: req.query.role === 'employer' ? 'employer' : 'resident', returnTo: safeReturnTo(req.query.returnTo, '') })),
  );

  r.post('/register', limits.register, async (req, res) => {
    const returnTo = safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo, '');
    const parsed = validate(req, registerSchema, req.body);
    if (!parsed.ok) return renderRegister(req, res, { ...parsed.form, values: { ...parsed.form.values, returnTo } }, 400);
    const result = await accounts.register(parsed.data);
    // A number that is already registered gets exactly the answer a new one gets, so sign-up
    // cannot tell anyone which numbers have accounts (issue 14, finding 9): both go on to log in
    // (and from there back to the page they came from), and the message says what to do if the
    // password does not work (the desk can help).
    if (!result.ok && result.key !== 'errors.phoneTaken') {
      const form = echoForm(req.body, { [result.field]: req.t(result.key) });
      form.values.returnTo = returnTo;
      return renderRegister(req, res, form, 400);
    }
    req.session.loginPhone = parsed.data.phone;
    flash(req, 'success', 'accounts.register.received');
    res.redirect(returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : '/login');
  });

  const renderLogin = (req: Request, res: Response, form: FormState, status = 200) => {
    const back = typeof form.values.returnTo === 'string' ? form.values.returnTo : '';
    res.status(status).render('accounts/login', { title: req.t('accounts.login.title'), form, registerHref: back ? `/register?returnTo=${encodeURIComponent(back)}` : '/register' });
  };

  r.get('/login', (req, res) => {
    if (req.user) return res.redirect(homeFor(req.user));
    const phone = req.session.loginPhone ?? '';
    delete req.session.loginPhone;
    renderLogin(req, res, formOf({ phone, returnTo: safeReturnTo(req.query.returnTo, '') }));
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
    const phone = parsed.data.phone;
    const until = PHONE_RE.test(phone) ? await loginLock.lockedUntil(lockOptions, phone) : null;
    if (until) {
      // Even the right password waits: otherwise the lock would only slow a guesser down.
      const form = formOf({ phone, returnTo });
      form.errors._form = req.t('accounts.login.locked', { time: formatDate(until, req.lang, 'time') });
      return renderLogin(req, res, form, 429);
    }
    passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) {
        if (!PHONE_RE.test(phone)) return fail();
        return loginLock.recordFailure(lockOptions, phone).then(fail, next);
      }
      logIn(req, user).then(() => {
        rotateCsrf(res, production);
        res.redirect(returnTo || homeFor(user));
      }, next);
    })(req, res, next);
  });

  r.post('/logout', (req, res, next) => {
    disconnectSession(req.sessionID);
    req.logout((err) => {
      if (err) return next(err);
      // Destroy server-side so a copied cookie is worthless afterwards.
      req.session.destroy(() => {
        res.clearCookie('doorstep.sid');
        rotateCsrf(res, production);
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
        // Unknown and out-of-scope give the same answer (issue 14, finding 9).
        if (found && found.role === 'resident' && (await canActOnResident(req.user, found))) {
          return res.redirect(`/staff/residents/${String(found._id)}`);
        }
        error = req.t('accounts.residents.notFound');
      }
    }
    res.status(error ? 404 : 200).render('accounts/find-resident', { title: req.t('accounts.residents.title'), phone: q, error });
  });

  // The resident page, desk edits, password resets and the change-password page.
  r.use(deskRoutes(lockOptions));

  r.post('/staff/residents/:id', requireRole('staff', 'admin'), async (req, res) => {
    const resident = await accounts.profile(String(req.params.id));
    if (resident.role !== 'resident') throw new HttpError(404, 'errors.notFound');
    await assertResidentScope(req, resident);
    const parsed = validate(req, staffFieldsSchema, req.body);
    if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
    await accounts.setStaffFields(req.user!, String(resident._id), parsed.data);
    flash(req, 'success', 'accounts.residents.saved');
    res.redirect(`/staff/residents/${String(resident._id)}`);
  });

  // The desk lifts a login lock for a resident standing in front of them (finding 1).
  r.post('/staff/residents/:id/unlock-login', requireRole('staff', 'admin'), async (req, res) => {
    const resident = await accounts.profile(String(req.params.id));
    if (resident.role !== 'resident') throw new HttpError(404, 'errors.notFound');
    await assertResidentScope(req, resident);
    await loginLock.unlock(req.user!, resident.phone, String(resident._id), String(resident.homeCenter));
    flash(req, 'success', 'accounts.residents.unlocked');
    res.redirect(`/staff/residents/${String(resident._id)}`);
  });

  return r;
}
