import { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import { validate, formOf, type FormState, refusedForm } from '../../http/validate.ts';
import { flash } from '../../http/flash.ts';
import { rotateCsrf } from '../../http/csrf.ts';
import type { RouteDeps } from '../../http/deps.ts';
import { safeReturnTo } from '../../lib/safe-redirect.ts';
import { formatDate } from '../../lib/format.ts';
import { centerOptions } from '../../centers/tree.ts';
import { disconnectSession } from '../../realtime/hub.ts';
import { registerSchema, loginSchema, PHONE_RE } from '../schemas.ts';
import * as accounts from '../service.ts';
import * as loginLock from '../login-lock.ts';
import { homeFor } from '../view.ts';

async function renderRegister(req: Request, res: Response, form: FormState, status = 200) {
  res.status(status).render('accounts/register', {
    title: req.t('accounts.register.title'),
    form,
    centers: await centerOptions(req.lang),
    roles: ['resident', 'employer'].map((v) => ({ value: v, label: req.t(`roles.${v}`) })),
  });
}

function renderLogin(req: Request, res: Response, form: FormState, status = 200) {
  const back = typeof form.values.returnTo === 'string' ? form.values.returnTo : '';
  res.status(status).render('accounts/login', {
    title: req.t('accounts.login.title'),
    form,
    registerHref: back ? `/register?returnTo=${encodeURIComponent(back)}` : '/register',
  });
}

/** Logs the user in on a fresh session id (passport ≥0.6 regenerates it). */
function logIn(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

// Registering from a job or course page brings the person back there, as logging in does.
function registerForm(req: Request, res: Response) {
  return renderRegister(req, res, formOf({ role: req.query.role === 'employer' ? 'employer' : 'resident', returnTo: safeReturnTo(req.query.returnTo, '') }));
}

async function register(req: Request, res: Response) {
  const returnTo = safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo, '');
  const parsed = validate(req, registerSchema, req.body);
  if (!parsed.ok) return renderRegister(req, res, { ...parsed.form, values: { ...parsed.form.values, returnTo } }, 400);
  const result = await accounts.register(parsed.data);
  // A number that is already registered gets exactly the answer a new one gets, so sign-up
  // cannot tell anyone which numbers have accounts (issue 14, finding 9): both go on to log in
  // (and from there back to the page they came from), and the message says what to do if the
  // password does not work (the desk can help).
  if (!result.ok && result.key !== 'errors.phoneTaken') {
    const form = refusedForm(req, result);
    form.values.returnTo = returnTo;
    return renderRegister(req, res, form, 400);
  }
  req.session.loginPhone = parsed.data.phone;
  flash(req, 'success', 'accounts.register.received');
  res.redirect(returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : '/login');
}

function loginForm(req: Request, res: Response) {
  if (req.user) return res.redirect(homeFor(req.user));
  const phone = req.session.loginPhone ?? '';
  delete req.session.loginPhone;
  renderLogin(req, res, formOf({ phone, returnTo: safeReturnTo(req.query.returnTo, '') }));
}

/** Routes that start and end a login session; `limits` throttle sign-ups and logins. */
export function signInRoutes({ limits, config }: RouteDeps): Router {
  const production = config.NODE_ENV === 'production';
  const lockOptions = loginLock.lockOptionsOf(config);

  async function login(req: Request, res: Response, next: NextFunction) {
    const parsed = validate(req, loginSchema, req.body);
    const returnTo = parsed.ok ? safeReturnTo(parsed.data.returnTo, '') : '';
    const refuse = (key: string, status: number, params: Record<string, string> = {}) => {
      const form = formOf({ phone: parsed.ok ? parsed.data.phone : '', returnTo });
      form.errors._form = req.t(key, params);
      renderLogin(req, res, form, status);
    };
    // One message for unknown phone and wrong password, so neither can be probed.
    const fail = () => refuse('accounts.login.failed', 401);
    if (!parsed.ok) return fail();
    const phone = parsed.data.phone;
    const until = PHONE_RE.test(phone) ? await loginLock.lockedUntil(lockOptions, phone) : null;
    // Even the right password waits: otherwise the lock would only slow a guesser down.
    if (until) return refuse('accounts.login.locked', 429, { time: formatDate(until, req.lang, 'time') });
    passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return PHONE_RE.test(phone) ? loginLock.recordFailure(lockOptions, phone).then(fail, next) : fail();
      logIn(req, user).then(() => {
        rotateCsrf(res, production);
        res.redirect(returnTo || homeFor(user));
      }, next);
    })(req, res, next);
  }

  function logout(req: Request, res: Response, next: NextFunction) {
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
  }

  const r = Router();
  r.get('/register', registerForm);
  r.post('/register', limits.register, register);
  r.get('/login', loginForm);
  r.post('/login', ...limits.login, login);
  r.post('/logout', logout);
  return r;
}
