import { Router, type Request, type Response } from 'express';
import { HttpError } from '../../http/errors.ts';
import type { RouteDeps } from '../../http/deps.ts';
import { getCenter } from '../../centers/tree.ts';
import * as board from '../service/board.ts';
import { boardPage } from '../view/public.ts';

/** The lobby bulletin board of a center (a TV in the hall). */
export function boardRoutes({ absoluteUrl }: RouteDeps): Router {
  const r = Router();

  async function showBoard(req: Request, res: Response) {
    const center = await getCenter(String(req.params.id));
    if (!center) throw new HttpError(404, 'errors.notFound');
    const list = await board.boardPostings(center.id);
    const model = await boardPage(req, center, list, absoluteUrl);
    res.render(req.query.fragment === '1' ? 'board/cards' : 'board/index', model);
  }

  r.get('/centers/:id/board', showBoard);
  return r;
}
