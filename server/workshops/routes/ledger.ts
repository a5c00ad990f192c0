import { Router, type Request, type Response } from 'express';
import { validate, formOf, refusedForm } from '../../http/validate.ts';
import { flash } from '../../http/flash.ts';
import { dayKey, formatMoney } from '../../lib/format.ts';
import * as ledger from '../ledger.ts';
import { lastMonths } from '../reports.ts';
import { entrySchema, correctionSchema } from '../schemas.ts';
import { ledgerEntriesView, monthOf, newKey, renderCorrect, renderLog } from '../view.ts';
import { staff, staffWorkshop } from './access.ts';

async function showLog(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const worker = typeof req.query.worker === 'string' ? req.query.worker : '';
  const task = typeof req.query.task === 'string' ? req.query.task : '';
  await renderLog(req, res, w, formOf({ date: dayKey(), rejected: '0', idempotencyKey: newKey(), workerId: worker, taskId: task }));
}

async function logEntry(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, entrySchema, req.body);
  if (!parsed.ok) return renderLog(req, res, w, parsed.form, 400);
  try {
    const { entry } = await ledger.logEntry(req.user!, String(w._id), parsed.data);
    // A duplicate (double tap, retry) answers exactly like the first submission.
    flash(req, 'success', 'workshops.log.logged', {
      name: entry.workerName,
      task: entry.taskName,
      accepted: String(entry.accepted),
      unit: entry.unit,
      amount: formatMoney(entry.amountFen, req.lang),
    });
    // Back to a fresh form with the same worker and task chosen: the next count is one field away.
    res.redirect(`/staff/workshops/${String(w._id)}/log?worker=${String(entry.worker)}&task=${String(entry.task)}`);
  } catch (err) {
    if (err instanceof ledger.LedgerRefusal) return renderLog(req, res, w, refusedForm(req, err), err.key === 'workshops.errors.periodClosed' ? 409 : 400);
    throw err;
  }
}

async function showLedger(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const id = String(w._id);
  const month = monthOf(req);
  const entries = await ledger.listEntries({ workshop: id, period: month }, 1000);
  const closed = await ledger.isClosed(id, month);
  res.render('workshops/ledger', {
    title: req.t('workshops.ledger.title', { name: w.name }),
    workshop: { id, name: w.name },
    month,
    months: lastMonths(12).reverse(),
    closed,
    entries: ledgerEntriesView(entries),
    total: entries.reduce((a, e) => a + e.amountFen, 0),
    pieces: entries.reduce((a, e) => a + e.accepted, 0),
  });
}

async function correctForm(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  await renderCorrect(req, res, w, req.params.entryId as string, null);
}

async function correctEntry(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, correctionSchema, req.body);
  if (!parsed.ok) return renderCorrect(req, res, w, req.params.entryId as string, parsed.form, 400);
  try {
    const { entry } = await ledger.correctEntry(req.user!, String(w._id), req.params.entryId as string, parsed.data);
    flash(req, 'success', entry.forClosedPeriod ? 'workshops.correct.doneClosed' : 'workshops.correct.done', {
      month: entry.forClosedPeriod,
      period: entry.period,
    });
    res.redirect(`/staff/workshops/${String(w._id)}/ledger?month=${entry.period}`);
  } catch (err) {
    if (err instanceof ledger.LedgerRefusal) return renderCorrect(req, res, w, req.params.entryId as string, refusedForm(req, err), 400);
    throw err;
  }
}

/** The piece-work ledger: logging counts, the month's entries, corrections. */
export function ledgerRoutes(): Router {
  const r = Router();
  r.get('/staff/workshops/:id/log', staff, showLog);
  r.post('/staff/workshops/:id/entries', staff, logEntry);
  r.get('/staff/workshops/:id/ledger', staff, showLedger);
  r.get('/staff/workshops/:id/entries/:entryId/correct', staff, correctForm);
  r.post('/staff/workshops/:id/entries/:entryId/correct', staff, correctEntry);
  return r;
}
