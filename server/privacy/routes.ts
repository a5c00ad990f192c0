import { Router, type Request, type Response } from 'express';
import { requireRole } from '../http/guards.ts';
import { validate, formOf, type FormState } from '../http/validate.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import type { RouteDeps } from '../http/deps.ts';
import { formatDate } from '../lib/format.ts';
import { profile } from '../accounts/service.ts';
import { lowIncomeConsentSchema, deleteRequestSchema } from './schemas.ts';
import { setLowIncomeConsent } from './consent.ts';
import { collectPersonalData, exportDocument } from './export.ts';
import { cancelDeletion, deletionOf, pendingDeletions, requestDeletion } from './deletion.ts';
import { dataPage, deletionView } from './view.ts';

// Personal-information rights (PIPL): the notice, one's own consents and data, deletion with a
// cooling-off period, and the staff list of deletions waiting.

/** Personal-information rights: /privacy, /me/privacy, /me/data, deletion, and the staff list. */
export function privacyRoutes({ config }: RouteDeps): Router {
  const coolingDays = config.DELETION_COOLING_DAYS;

  function showNotice(req: Request, res: Response) {
    res.render('privacy/notice', { title: req.t('privacy.notice.title'), days: coolingDays });
  }

  async function showMine(req: Request, res: Response) {
    const me = await profile(req.user!.id);
    res.render('privacy/mine', {
      title: req.t('privacy.mine.title'),
      resident: me.role === 'resident',
      canDelete: me.role === 'resident' || me.role === 'employer',
      consentAt: formatDate(me.privacyConsentAt, req.lang, 'date'),
      lowIncome: !!me.lowIncome,
      lowIncomeConsentAt: me.lowIncomeConsentAt ? formatDate(me.lowIncomeConsentAt, req.lang, 'date') : '',
      deletion: deletionView(req, await deletionOf(req.user!.id)),
      days: coolingDays,
    });
  }

  async function saveLowIncomeConsent(req: Request, res: Response) {
    const parsed = validate(req, lowIncomeConsentSchema, req.body);
    if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
    await setLowIncomeConsent(req.user!.id, parsed.data.consent === 'give');
    flash(req, 'success', parsed.data.consent === 'give' ? 'privacy.lowIncome.given' : 'privacy.lowIncome.withdrawn');
    res.redirect('/me/privacy');
  }

  async function showData(req: Request, res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    res.render('privacy/data', { title: req.t('privacy.data.title'), sections: dataPage(req, await collectPersonalData(req.user!.id)) });
  }

  async function downloadData(req: Request, res: Response) {
    const doc = exportDocument(req.t, await collectPersonalData(req.user!.id));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="doorstep-my-data-${new Date().toISOString().slice(0, 10)}.json"`);
    res.send(JSON.stringify(doc, null, 2));
  }

  function renderConfirm(req: Request, res: Response, form: FormState, status = 200) {
    res.status(status).render('privacy/delete', { title: req.t('privacy.delete.title'), form, days: coolingDays, employer: req.user!.role === 'employer' });
  }

  function confirmDelete(req: Request, res: Response) {
    renderConfirm(req, res, formOf());
  }

  async function doRequestDelete(req: Request, res: Response) {
    const parsed = validate(req, deleteRequestSchema, req.body);
    if (!parsed.ok) return renderConfirm(req, res, parsed.form, 400);
    const d = await requestDeletion(req.user!, coolingDays);
    flash(req, 'success', 'privacy.delete.requested', { date: formatDate(d.dueAt, req.lang, 'date') });
    res.redirect('/me/privacy');
  }

  async function doCancel(req: Request, res: Response) {
    await cancelDeletion(req.user!);
    flash(req, 'success', 'privacy.delete.cancelled');
    res.redirect('/me/privacy');
  }

  async function showPending(req: Request, res: Response) {
    const rows = await pendingDeletions(req.user!);
    res.render('privacy/staff-deletions', {
      title: req.t('privacy.staff.title'),
      rows: rows.map(({ request: d, person }) => ({
        id: String(d.user),
        name: person?.name ?? d.alias,
        phone: person?.phone?.startsWith('erased:') ? '' : (person?.phone ?? ''),
        role: req.t(`roles.${d.role}`),
        resident: d.role === 'resident',
        requestedAt: formatDate(d.requestedAt, req.lang, 'date'),
        dueAt: formatDate(d.dueAt, req.lang, 'date'),
        running: d.status === 'running',
      })),
    });
  }

  const r = Router();
  const person = requireRole('resident', 'employer');
  r.get('/privacy', showNotice);
  r.get('/me/privacy', person, showMine);
  r.post('/me/privacy/low-income', requireRole('resident'), saveLowIncomeConsent);
  r.get('/me/data', person, showData);
  r.get('/me/data.json', person, downloadData);
  r.get('/me/privacy/delete', person, confirmDelete);
  r.post('/me/privacy/delete', person, doRequestDelete);
  r.post('/me/privacy/delete/cancel', person, doCancel);
  r.get('/staff/privacy/deletions', requireRole('staff', 'admin'), showPending);
  return r;
}
