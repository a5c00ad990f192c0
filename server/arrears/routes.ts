import { Router, type Request, type Response } from 'express';
import { requireRole, assertResidentScope } from '../http/guards.ts';
import { validate, formOf, type FormState } from '../http/validate.ts';
import { flash } from '../http/flash.ts';
import { HttpError } from '../http/errors.ts';
import { profile as accountProfile } from '../accounts/service.ts';
import { getEmployer } from '../gigs/service/employers.ts';
import { centerName, getCenter } from '../centers/tree.ts';
import { answerSchema, deskAnswerSchema, noteSchema, resolveSchema } from './schemas.ts';
import * as answers from './answers.ts';
import * as cases from './cases.ts';
import { payRecord } from './record.ts';
import { casePage, casesPage, recordView } from './view.ts';

// The wage-arrears guard (欠薪): hired workers say whether they were paid, staff handle the
// cases "not paid" opens, and anyone can read an employer's record.

async function answerAsWorker(req: Request, res: Response) {
  const parsed = validate(req, answerSchema, req.body);
  if (!parsed.ok) throw new HttpError(400, 'arrears.errors.chooseAnswer');
  const outcome = await answers.answerPay(req.user!, req.user!.id, String(req.params.id), parsed.data.answer);
  flash(
    req,
    'success',
    outcome === 'changed' ? 'arrears.flash.changed' : parsed.data.answer === 'unpaid' ? 'arrears.flash.caseOpened' : 'arrears.flash.thanks',
  );
  res.redirect(`/me/applications#pay-${String(req.params.id)}`);
}

// At the desk: staff answer for a resident of their scope who came in (out of scope = unknown).
async function answerAtDesk(req: Request, res: Response) {
  const resident = await accountProfile(String(req.params.id));
  if (resident.role !== 'resident') throw new HttpError(404, 'errors.notFound');
  await assertResidentScope(req, resident);
  const parsed = validate(req, deskAnswerSchema, req.body);
  if (!parsed.ok) throw new HttpError(400, 'arrears.errors.chooseAnswer');
  const outcome = await answers.answerPay(req.user!, String(resident._id), parsed.data.application, parsed.data.answer);
  flash(
    req,
    'success',
    outcome === 'changed' ? 'arrears.flash.changed' : parsed.data.answer === 'unpaid' ? 'arrears.flash.caseOpenedDesk' : 'arrears.flash.thanksDesk',
  );
  res.redirect(`/staff/residents/${String(resident._id)}#pay`);
}

async function listCases(req: Request, res: Response) {
  res.render('arrears/index', await casesPage(req, await cases.casesInScope(req.user!)));
}

async function renderCase(req: Request, res: Response, forms: { note?: FormState; resolve?: FormState } = {}, status = 200) {
  const c = await cases.caseInScope(req.user!, String(req.params.id));
  res.status(status).render('arrears/case', await casePage(req, c, forms.note ?? formOf(), forms.resolve ?? formOf()));
}

async function showCase(req: Request, res: Response) {
  await renderCase(req, res);
}

async function addNote(req: Request, res: Response) {
  await cases.caseInScope(req.user!, String(req.params.id));
  const parsed = validate(req, noteSchema, req.body);
  if (!parsed.ok) return renderCase(req, res, { note: parsed.form }, 400);
  await cases.addNote(req.user!, String(req.params.id), parsed.data.text);
  flash(req, 'success', 'arrears.flash.noted');
  res.redirect(`/staff/arrears/${encodeURIComponent(String(req.params.id))}`);
}

async function resolveCase(req: Request, res: Response) {
  await cases.caseInScope(req.user!, String(req.params.id));
  const parsed = validate(req, resolveSchema, req.body);
  if (!parsed.ok) return renderCase(req, res, { resolve: parsed.form }, 400);
  await cases.resolveCase(req.user!, String(req.params.id), parsed.data.resolution, parsed.data.text);
  flash(req, 'success', 'arrears.flash.resolved');
  res.redirect('/staff/arrears');
}

// Public: an employer's record, "paid on time N of M", counting answered jobs only.
async function showEmployer(req: Request, res: Response) {
  const e = await getEmployer(String(req.params.id));
  if (e.status !== 'verified') throw new HttpError(404, 'errors.notFound');
  const record = recordView(await payRecord(String(e.user)));
  res.render('arrears/employer', {
    title: e.name,
    employer: { name: e.name, address: e.address, center: centerName(await getCenter(String(e.center)), req.lang), since: e.decidedAt ?? e.createdAt },
    record,
  });
}

export function arrearsRoutes(): Router {
  const r = Router();
  const staff = requireRole('staff', 'admin');
  r.post('/me/applications/:id/pay', requireRole('resident'), answerAsWorker);
  r.post('/staff/residents/:id/pay', staff, answerAtDesk);
  r.get('/staff/arrears', staff, listCases);
  r.get('/staff/arrears/:id', staff, showCase);
  r.post('/staff/arrears/:id/notes', staff, addNote);
  r.post('/staff/arrears/:id/resolve', staff, resolveCase);
  r.get('/gigs/employers/:id', showEmployer);
  return r;
}
