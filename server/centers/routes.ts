import { Router, type Request, type Response } from 'express';
import { requireRole, requireCenterScope } from '../http/guards.ts';
import { canActOnCenter } from '../centers/scope.ts';
import { validate, formOf, type FormState, refusedForm } from '../http/validate.ts';
import { HttpError } from '../http/errors.ts';
import { flash } from '../http/flash.ts';
import { allCenters, centerName, centerOptions, getCenter, type CenterNode } from './tree.ts';
import { centerSchema, centerContactSchema } from './schemas.ts';
import { createCenter, updateCenter, updateCenterContact } from './service.ts';

/** The center named in the URL, or 404. */
async function centerOf(req: Request): Promise<CenterNode> {
  const node = await getCenter(String(req.params.id));
  if (!node) throw new HttpError(404, 'errors.notFound');
  return node;
}

async function listCenters(req: Request, res: Response) {
  const nodes = await allCenters();
  res.render('centers/index', {
    title: req.t('centers.index.title'),
    centers: nodes.map((n) => ({ id: n.id, name: centerName(n, req.lang), level: req.t(`centers.levels.${n.level}`), depth: n.ancestors.length })),
  });
}

async function showCenter(req: Request, res: Response) {
  const node = await centerOf(req);
  const nodes = await allCenters();
  const path = await Promise.all(node.ancestors.map((a) => getCenter(a)));
  res.render('centers/show', {
    title: centerName(node, req.lang),
    center: { ...node, displayName: centerName(node, req.lang), levelLabel: req.t(`centers.levels.${node.level}`) },
    path: path.filter(Boolean).map((p) => ({ id: p!.id, name: centerName(p, req.lang) })),
    children: nodes.filter((n) => n.parent === node.id).map((n) => ({ id: n.id, name: centerName(n, req.lang) })),
    canEdit: req.user?.role === 'admin',
    canEditContact: req.user?.role === 'staff' && (await canActOnCenter(req.user, node.id)),
  });
}

// ------------------------------------------------------------------ the admin edits the tree

async function renderForm(req: Request, res: Response, form: FormState, id?: string, status = 200) {
  res.status(status).render('centers/form', {
    title: req.t(id ? 'centers.form.editTitle' : 'centers.form.newTitle'),
    form,
    action: id ? `/admin/centers/${id}` : '/admin/centers',
    levels: ['city', 'town', 'village'].map((v) => ({ value: v, label: req.t(`centers.levels.${v}`) })),
    parents: [{ value: '', label: req.t('centers.form.noParent') }, ...(await centerOptions(req.lang)).filter((o) => o.value !== id)],
  });
}

function newCenterForm(req: Request, res: Response) {
  return renderForm(req, res, formOf({ level: 'village', parent: typeof req.query.parent === 'string' ? req.query.parent : '' }));
}

async function createCenterHandler(req: Request, res: Response) {
  const parsed = validate(req, centerSchema, req.body);
  if (!parsed.ok) return renderForm(req, res, parsed.form, undefined, 400);
  const result = await createCenter(req.user!, parsed.data);
  if (!result.ok) return renderForm(req, res, refusedForm(req, result), undefined, 400);
  flash(req, 'success', 'centers.form.created');
  res.redirect(`/centers/${result.id}`);
}

async function editCenterForm(req: Request, res: Response) {
  const node = await centerOf(req);
  await renderForm(req, res, formOf({ ...node, parent: node.parent ?? '' }), node.id);
}

async function updateCenterHandler(req: Request, res: Response) {
  const node = await centerOf(req);
  const parsed = validate(req, centerSchema, req.body);
  if (!parsed.ok) return renderForm(req, res, parsed.form, node.id, 400);
  const result = await updateCenter(req.user!, node.id, parsed.data);
  if (!result.ok) return renderForm(req, res, refusedForm(req, result), node.id, 400);
  flash(req, 'success', 'centers.form.saved');
  res.redirect(`/centers/${node.id}`);
}

// ------------------------------------------- staff keep their centers' address, hours and phone

function renderContact(req: Request, res: Response, node: CenterNode, form: FormState, status = 200) {
  res.status(status).render('centers/contact', { title: req.t('centers.contact.title'), id: node.id, name: centerName(node, req.lang), form });
}

async function editContact(req: Request, res: Response) {
  const node = await centerOf(req);
  renderContact(req, res, node, formOf({ address: node.address, hours: node.hours, phone: node.phone }));
}

async function saveContact(req: Request, res: Response) {
  const node = await centerOf(req);
  const parsed = validate(req, centerContactSchema, req.body);
  if (!parsed.ok) return renderContact(req, res, node, parsed.form, 400);
  await updateCenterContact(req.user!, node.id, parsed.data);
  flash(req, 'success', 'centers.contact.saved');
  res.redirect(`/centers/${node.id}`);
}

export function centerRoutes(): Router {
  const r = Router();
  const admin = requireRole('admin');
  // The home page shows these, so staff of the center (and those above it) keep them current.
  const staffInScope = [requireRole('staff', 'admin'), requireCenterScope('id')];
  r.get('/centers', listCenters);
  r.get('/centers/:id', showCenter);
  r.get('/admin/centers/new', admin, newCenterForm);
  r.post('/admin/centers', admin, createCenterHandler);
  r.get('/admin/centers/:id/edit', admin, editCenterForm);
  r.post('/admin/centers/:id', admin, updateCenterHandler);
  r.get('/staff/centers/:id/contact', ...staffInScope, editContact);
  r.post('/staff/centers/:id/contact', ...staffInScope, saveContact);
  return r;
}
