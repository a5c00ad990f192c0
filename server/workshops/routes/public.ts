import { isObjectId } from '../../lib/ids.ts';
import { Router, type Request, type Response } from 'express';
import { requireRole } from '../../http/guards.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { subtreeIds } from '../../centers/tree.ts';
import * as shops from '../service.ts';
import { indexItems, renderShow } from '../view.ts';

async function listWorkshops(req: Request, res: Response) {
  const center = typeof req.query.center === 'string' && isObjectId(req.query.center) ? req.query.center : '';
  const list = await shops.listWorkshops({ activeOnly: true, centers: center ? await subtreeIds(center) : undefined });
  res.render('workshops/index', { title: req.t('workshops.index.title'), items: await indexItems(req, list) });
}

async function showWorkshop(req: Request, res: Response) {
  const w = await shops.getWorkshop(String(req.params.id));
  if (!w.active) throw new HttpError(404, 'errors.notFound');
  await renderShow(req, res, w);
}

async function joinWorkshop(req: Request, res: Response) {
  const result = await shops.join(req.user!, req.params.id as string);
  if (result.status === 'needsTraining') {
    return renderShow(req, res, await shops.getWorkshop(req.params.id as string), { needsTraining: true }, 403);
  }
  flash(req, 'success', result.status === 'joined' ? 'workshops.join.joined' : 'workshops.join.already');
  res.redirect('/me/work');
}

/** The workshop list and pages anyone may read; residents join from the page. */
export function publicRoutes(): Router {
  const r = Router();
  r.get('/workshops', listWorkshops);
  r.get('/workshops/:id', showWorkshop);
  r.post('/workshops/:id/join', requireRole('resident'), joinWorkshop);
  return r;
}
