import { Router, type Request, type Response } from 'express';
import { assertCenterScope } from '../../http/guards.ts';
import { validate, formOf, echoForm, refusedForm } from '../../http/validate.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { isRefusal } from '../../lib/refusal.ts';
import * as shops from '../service.ts';
import * as ledger from '../ledger.ts';
import * as disputes from '../disputes.ts';
import * as selfReports from '../reports-self.ts';
import { workshopSchema, taskSchema, rateSchema, admitSchema, replySchema, decideSchema } from '../schemas.ts';
import { renderForm, renderManage, staffIndexItems, workshopForm } from '../view.ts';
import { staff, staffWorkshop } from './access.ts';

async function listStaffWorkshops(req: Request, res: Response) {
  const scope = req.user!.role === 'admin' ? null : req.user!.staffCenter!;
  const list = scope ? await shops.workshopsInScope(scope) : await shops.listWorkshops();
  const led = (await shops.listWorkshops()).filter((w) => shops.isLead(req.user, w) && !list.some((x) => String(x._id) === String(w._id)));
  const all = [...list, ...led];
  const items = await staffIndexItems(req, all);
  const open = await disputes.openDisputes(all.map((w) => String(w._id)));
  res.render('workshops/staff-index', { title: req.t('workshops.staff.title'), items, openDisputes: open.length });
}

async function newWorkshopForm(req: Request, res: Response) {
  await renderForm(req, res, formOf({ center: req.user!.staffCenter ?? '', active: 'on' }));
}

async function createWorkshop(req: Request, res: Response) {
  const parsed = validate(req, workshopSchema, req.body);
  if (!parsed.ok) return renderForm(req, res, parsed.form, undefined, 400);
  await assertCenterScope(req, parsed.data.center);
  try {
    const id = await shops.createWorkshop(req.user!, parsed.data);
    flash(req, 'success', 'workshops.form.created');
    res.redirect(`/staff/workshops/${id}`);
  } catch (err) {
    if (isRefusal(err, 'invalid')) return renderForm(req, res, echoForm(req.body, { lead: req.t(err.key) }), undefined, 400);
    throw err;
  }
}

async function editWorkshopForm(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  await renderForm(req, res, workshopForm(w), String(w._id));
}

async function updateWorkshop(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, workshopSchema, req.body);
  if (!parsed.ok) return renderForm(req, res, parsed.form, String(w._id), 400);
  await assertCenterScope(req, parsed.data.center);
  try {
    await shops.updateWorkshop(req.user!, String(w._id), parsed.data);
  } catch (err) {
    if (isRefusal(err, 'invalid')) return renderForm(req, res, echoForm(req.body, { lead: req.t(err.key) }), String(w._id), 400);
    throw err;
  }
  flash(req, 'success', 'workshops.form.saved');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

async function showManage(req: Request, res: Response) {
  await renderManage(req, res, await staffWorkshop(req));
}

async function addTask(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, taskSchema, req.body);
  if (!parsed.ok) return renderManage(req, res, w, { task: parsed.form }, 400);
  const result = await shops.addTask(req.user!, w, { name: parsed.data.name, unit: parsed.data.unit, rateFen: parsed.data.rate });
  if (!result.ok) return renderManage(req, res, w, { task: refusedForm(req, result) }, 409);
  flash(req, 'success', 'workshops.tasks.added');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

async function changeRate(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, rateSchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', 'workshops.errors.money');
    return res.redirect(`/staff/workshops/${String(w._id)}`);
  }
  await shops.changeRate(req.user!, w, req.params.taskId as string, parsed.data.rate, parsed.data.active);
  flash(req, 'success', 'workshops.tasks.rateChanged');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

async function admitMember(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, admitSchema, req.body);
  if (!parsed.ok) return renderManage(req, res, w, { admit: parsed.form }, 400);
  const result = await shops.admit(req.user!, w, parsed.data.phone, parsed.data.reason);
  if (!result.ok) return renderManage(req, res, w, { admit: refusedForm(req, result) }, 400);
  flash(req, 'success', result.already ? 'workshops.join.already' : result.override ? 'workshops.members.overridden' : 'workshops.members.admitted');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

async function decideReport(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const parsed = validate(req, decideSchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', Object.keys(parsed.form.errors).includes('reply') ? 'workshops.errors.replyRequired' : 'workshops.errors.rejectedTooMany');
    return res.redirect(`/staff/workshops/${String(w._id)}`);
  }
  try {
    const status = await selfReports.decideReport(req.user!, w, req.params.reportId as string, { ...parsed.data, confirm: parsed.data.decision === 'confirm' });
    flash(req, 'success', status === 'confirmed' ? 'workshops.selfReports.confirmed' : 'workshops.selfReports.declined');
  } catch (err) {
    if (!(err instanceof ledger.LedgerRefusal)) throw err;
    flash(req, 'error', err.key, err.params);
  }
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

async function resolveDispute(req: Request, res: Response) {
  const w = await staffWorkshop(req);
  const d = await disputes.getDispute(req.params.disputeId as string);
  if (String(d.workshop) !== String(w._id)) throw new HttpError(404, 'errors.notFound');
  const parsed = validate(req, replySchema, req.body);
  if (!parsed.ok) {
    flash(req, 'error', 'workshops.errors.replyRequired');
    return res.redirect(`/staff/workshops/${String(w._id)}`);
  }
  await disputes.resolveDispute(req.user!, d._id, parsed.data.reply);
  flash(req, 'success', 'workshops.disputes.resolved');
  res.redirect(`/staff/workshops/${String(w._id)}`);
}

/** Staff running workshops: the list, the workshop form, its page with tasks, members, reports and disputes. */
export function manageRoutes(): Router {
  const r = Router();
  r.get('/staff/workshops', staff, listStaffWorkshops);
  // Before '/staff/workshops/:id', which would take 'new' for an id.
  r.get('/staff/workshops/new', staff, newWorkshopForm);
  r.post('/staff/workshops', staff, createWorkshop);
  r.get('/staff/workshops/:id/edit', staff, editWorkshopForm);
  r.post('/staff/workshops/:id', staff, updateWorkshop);
  r.get('/staff/workshops/:id', staff, showManage);
  r.post('/staff/workshops/:id/tasks', staff, addTask);
  r.post('/staff/workshops/:id/tasks/:taskId', staff, changeRate);
  r.post('/staff/workshops/:id/members', staff, admitMember);
  r.post('/staff/workshops/:id/reports/:reportId', staff, decideReport);
  r.post('/staff/workshops/:id/disputes/:disputeId', staff, resolveDispute);
  return r;
}
