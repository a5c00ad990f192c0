import { Router, type Request, type Response } from 'express';
import { validate } from '../../http/validate.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { dayKey } from '../../lib/format.ts';
import * as periods from '../periods.ts';
import { closeSchema, paidSchema } from '../schemas.ts';
import { periodsView, periodView, renderStatement } from '../view.ts';
import { staff, staffWorkshop } from './access.ts';

async function loadPeriod(req: Request) {
  const w = await staffWorkshop(req);
  const month = String(req.params.month);
  const p = await periods.getPeriod(String(w._id), month);
  if (!p) throw new HttpError(404, 'errors.notFound');
  return { w, p };
}

async function listPeriods(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const id = String(w._id);
  res.render('workshops/periods', {
    title: req.t('workshops.periods.title', { name: w.name }),
    workshop: { id, name: w.name },
    ...(await periodsView(id)),
  });
}

async function closePeriod(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, closeSchema, req.body);
  if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
  const result = await periods.closePeriod(req.user!, w, parsed.data.month);
  if (!result.ok) {
    flash(req, 'error', result.key, { month: parsed.data.month });
    return res.redirect(`/staff/workshops/${String(w._id)}/periods`);
  }
  flash(req, 'success', 'workshops.periods.closedOk', { month: parsed.data.month });
  res.redirect(`/staff/workshops/${String(w._id)}/periods/${parsed.data.month}`);
}

async function exportCsv(req: Request, res: Response) {
  const { w, p } = await loadPeriod(req);
  const csv = periods.periodCsv(p, (k) => req.t(k), w.name);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="workshop-${p.month}.csv"; filename*=UTF-8''${encodeURIComponent(`${w.name}-${p.month}.csv`)}`);
  res.send(csv);
}

async function showPeriod(req: Request, res: Response) {
  const { w, p } = await loadPeriod(req);
  res.render('workshops/period', {
    title: req.t('workshops.period.title', { name: w.name, month: p.month }),
    workshop: { id: String(w._id), name: w.name },
    period: periodView(req, p),
    methods: periods.PAY_METHODS.map((m) => ({ value: m, label: req.t(`workshops.pay.methods.${m}`) })),
    today: dayKey(),
  });
}

async function showStatement(req: Request, res: Response) {
  const { w, p } = await loadPeriod(req);
  const s = p.statements.find((x) => String(x.worker) === req.params.workerId);
  if (!s) throw new HttpError(404, 'errors.notFound');
  await renderStatement(req, res, w, p, s);
}

async function markPaid(req: Request, res: Response) {
  const { w, p } = await loadPeriod(req);
  const parsed = validate(req, paidSchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', 'workshops.errors.paid');
    return res.redirect(`/staff/workshops/${String(w._id)}/periods/${p.month}`);
  }
  await periods.markPaid(req.user!, w, p.month, req.params.workerId as string, parsed.data);
  flash(req, 'success', 'workshops.period.paidOk');
  res.redirect(`/staff/workshops/${String(w._id)}/periods/${p.month}`);
}

/** Pay periods: closing a month, its statements and CSV, marking workers paid. */
export function periodRoutes(): Router {
  const r = Router();
  r.get('/staff/workshops/:id/periods', staff, listPeriods);
  r.post('/staff/workshops/:id/periods', staff, closePeriod);
  r.get('/staff/workshops/:id/periods/:month/export.csv', staff, exportCsv);
  r.get('/staff/workshops/:id/periods/:month', staff, showPeriod);
  r.get('/staff/workshops/:id/periods/:month/statements/:workerId', staff, showStatement);
  r.post('/staff/workshops/:id/periods/:month/paid/:workerId', staff, markPaid);
  return r;
}
