import { Router, type Request, type Response } from 'express';
import { validate, refusedForm } from '../../http/validate.ts';
import { flash } from '../../http/flash.ts';
import { formatMoney } from '../../lib/format.ts';
import * as ledger from '../ledger.ts';
import * as orders from '../orders.ts';
import { orderSchema, batchSchema, returnSchema } from '../schemas.ts';
import { renderOrders } from '../view.ts';
import { staff, staffWorkshop } from './access.ts';

async function showOrders(req: Request, res: Response) {
  await renderOrders(req, res, await staffWorkshop(req));
}

async function createOrder(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, orderSchema, req.body);
  if (!parsed.ok) return renderOrders(req, res, w, { order: parsed.form }, 400);
  await orders.createOrder(req.user!, w, { ...parsed.data, rateFen: parsed.data.rate });
  flash(req, 'success', 'workshops.orders.created');
  res.redirect(`/staff/workshops/${String(w._id)}/orders`);
}

async function issueBatch(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, batchSchema, req.body);
  if (!parsed.ok) return renderOrders(req, res, w, { batch: parsed.form }, 400);
  try {
    await orders.issueBatch(req.user!, w, parsed.data);
  } catch (err) {
    if (err instanceof ledger.LedgerRefusal) return renderOrders(req, res, w, { batch: refusedForm(req, err) }, 400);
    throw err;
  }
  flash(req, 'success', 'workshops.batches.issued');
  res.redirect(`/staff/workshops/${String(w._id)}/orders`);
}

async function returnBatch(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, returnSchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', 'workshops.errors.rejectedTooMany');
    return res.redirect(`/staff/workshops/${String(w._id)}/orders`);
  }
  try {
    const entry = await orders.returnBatch(req.user!, w, req.params.batchId as string, parsed.data);
    flash(req, 'success', 'workshops.log.logged', {
      name: entry.workerName,
      task: entry.taskName,
      accepted: String(entry.accepted),
      unit: entry.unit,
      amount: formatMoney(entry.amountFen, req.lang),
    });
  } catch (err) {
    if (!(err instanceof ledger.LedgerRefusal)) throw err;
    flash(req, 'error', err.key, err.params);
  }
  res.redirect(`/staff/workshops/${String(w._id)}/orders`);
}

/** Client orders and take-home batches (issued, then returned as ledger entries). */
export function orderRoutes(): Router {
  const r = Router();
  r.get('/staff/workshops/:id/orders', staff, showOrders);
  r.post('/staff/workshops/:id/orders', staff, createOrder);
  r.post('/staff/workshops/:id/batches', staff, issueBatch);
  r.post('/staff/workshops/:id/batches/:batchId/return', staff, returnBatch);
  return r;
}
