import { Router, type Request, type Response } from 'express';
import { requireRole } from '../../http/guards.ts';
import { validate } from '../../http/validate.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { dayKey, formatDay } from '../../lib/format.ts';
import * as shops from '../service.ts';
import * as ledger from '../ledger.ts';
import * as periods from '../periods.ts';
import * as disputes from '../disputes.ts';
import * as selfReports from '../reports-self.ts';
import { lastMonths } from '../reports.ts';
import { myWork, myHistory } from '../me.ts';
import { myWorkView } from '../me-view.ts';
import { answerSchema, selfReportSchema } from '../schemas.ts';
import { monthOf, newKey, renderStatement } from '../view.ts';

async function showMyWork(req: Request, res: Response) {
  const [work, reports] = await Promise.all([myWork(req.user!.id), selfReports.myReports(req.user!.id)]);
  res.render('workshops/me', {
    title: req.t('workshops.me.title'),
    work: work.map((w) => ({ ...myWorkView(req, w), reportKey: newKey() })),
    today: dayKey(),
    reports: reports.map((r) => ({
      taskName: r.taskName,
      unit: r.unit,
      counted: r.counted,
      date: r.date,
      dateText: formatDay(r.date, req.lang),
      status: r.status,
      reply: r.reply,
    })),
  });
}

async function showHistory(req: Request, res: Response) {
  const w = await shops.getWorkshop(req.params.id as string);
  if (!(await shops.getMembership(String(w._id), req.user!.id))) throw new HttpError(404, 'errors.notFound');
  const month = monthOf(req);
  const entries = await myHistory(req.user!.id, String(w._id), month);
  res.render('workshops/history', {
    title: req.t('workshops.me.history'),
    workshop: { id: String(w._id), name: w.name },
    month,
    months: lastMonths(12).reverse(),
    entries,
    pieces: entries.reduce((a, e) => a + e.accepted, 0),
    total: entries.reduce((a, e) => a + e.amountFen, 0),
  });
}

// A worker's own printable statement for a settled month.
async function showMyStatement(req: Request, res: Response) {
  const w = await shops.getWorkshop(req.params.id as string);
  const p = await periods.getPeriod(String(w._id), String(req.params.month));
  const s = p?.statements.find((x) => String(x.worker) === req.user!.id);
  if (!p || !s) throw new HttpError(404, 'errors.notFound');
  await renderStatement(req, res, w, p, s, '/me/work');
}

async function answerDay(req: Request, res: Response) {
  const w = await shops.getWorkshop(req.params.id as string);
  const parsed = validate(req, answerSchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', 'workshops.errors.commentRequired');
    return res.redirect('/me/work');
  }
  await disputes.answerDay(req.user!, w, parsed.data.date, parsed.data);
  flash(req, 'success', parsed.data.wrong ? 'workshops.me.disputed' : 'workshops.me.confirmed');
  res.redirect('/me/work');
}

async function reportOwnCount(req: Request, res: Response) {
  const w = await shops.getWorkshop(req.params.id as string);
  const parsed = validate(req, selfReportSchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', 'workshops.me.reportInvalid');
    return res.redirect('/me/work');
  }
  try {
    await selfReports.reportOwnCount(req.user!, w, parsed.data);
  } catch (err) {
    if (!(err instanceof ledger.LedgerRefusal)) throw err;
    flash(req, 'error', err.key, err.params);
    return res.redirect('/me/work');
  }
  flash(req, 'success', 'workshops.me.reported');
  res.redirect('/me/work');
}

/** A worker's own pages: counts and pay, history, statements, confirming a day, reporting a count. */
export function meRoutes(): Router {
  const r = Router();
  const resident = requireRole('resident');
  r.get('/me/work', resident, showMyWork);
  r.get('/me/work/:id/history', resident, showHistory);
  r.get('/me/work/:id/periods/:month', resident, showMyStatement);
  r.post('/me/work/:id/answer', resident, answerDay);
  r.post('/me/work/:id/report', resident, reportOwnCount);
  return r;
}
