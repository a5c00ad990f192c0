import { Router, type Request, type Response } from 'express';
import { requireRole } from '../http/guards.ts';
import { validate, formOf, type FormState } from '../http/validate.ts';
import { flash } from '../http/flash.ts';
import { prefsSchema, staffQuerySchema } from './schemas.ts';
import { channelPrefs, saveChannelPrefs } from './service.ts';
import { outboxForStaff } from './staff.ts';
import { outboxPager, outboxRows, prefsChoices, statusOptions, PER_PAGE } from './view.ts';

const PREFS_PAGE = '/me/notifications';

function renderPrefs(req: Request, res: Response, form: FormState, status = 200) {
  res.status(status).render('outbox/prefs', { title: req.t('outbox.prefs.title'), form, ...prefsChoices(req) });
}

async function showPrefs(req: Request, res: Response) {
  const p = await channelPrefs(req.user!.id, req.lang);
  renderPrefs(req, res, formOf({ channels: p.sms ? 'sms' : 'site', lang: p.lang }));
}

async function savePrefs(req: Request, res: Response) {
  const parsed = validate(req, prefsSchema, req.body);
  if (!parsed.ok) return renderPrefs(req, res, parsed.form, 400);
  await saveChannelPrefs(req.user!.id, { sms: parsed.data.channels === 'sms', lang: parsed.data.lang });
  flash(req, 'success', parsed.data.channels === 'sms' ? 'outbox.prefs.savedSms' : 'outbox.prefs.savedSite');
  res.redirect(PREFS_PAGE);
}

async function staffOutbox(req: Request, res: Response) {
  const q = staffQuerySchema.parse(req.query);
  const { items, total } = await outboxForStaff(req.user!, { status: q.status, page: q.page, perPage: PER_PAGE });
  res.render('outbox/staff', {
    title: req.t('outbox.staff.title'),
    status: q.status,
    statuses: statusOptions(req),
    total,
    rows: outboxRows(req, items),
    pager: outboxPager(q.page, total, q.status),
  });
}

/** A person's choice of channels (/me/notifications) and the staff's list of text messages. */
export function outboxRoutes(): Router {
  const r = Router();
  r.get(PREFS_PAGE, requireRole('resident', 'employer'), showPrefs);
  r.post(PREFS_PAGE, requireRole('resident', 'employer'), savePrefs);
  r.get('/staff/outbox', requireRole('staff', 'admin'), staffOutbox);
  return r;
}
