import { isObjectId } from '../../lib/ids.ts';
import { Router, type Request, type Response } from 'express';
import { assertCenterScope } from '../../http/guards.ts';
import { scopeReport } from '../reports.ts';
import { reportView } from '../view.ts';
import { staff } from './access.ts';

async function showReport(req: Request, res: Response) {
  const scope = req.user!.role === 'admin' ? null : req.user!.staffCenter!;
  const requested = typeof req.query.center === 'string' && isObjectId(req.query.center) ? req.query.center : '';
  if (requested) await assertCenterScope(req, requested);
  const centerId = requested || scope;
  const report = await scopeReport(centerId);
  res.render('workshops/reports', await reportView(req, report, centerId, scope));
}

/** Workshop figures for a centre and the centres under it. */
export function reportRoutes(): Router {
  const r = Router();
  r.get('/staff/reports', staff, showReport);
  return r;
}
