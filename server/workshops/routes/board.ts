import { Router, type Request, type Response } from 'express';
import { boardOrders } from '../../store/index.ts';
import { canActOnCenter } from '../../centers/scope.ts';
import { HttpError } from '../../http/errors.ts';
import * as shops from '../service.ts';
import { boardState, stationNames } from '../board.ts';
import * as orders from '../orders.ts';

async function showBoard(req: Request, res: Response) {
  const w = await shops.getWorkshop(String(req.params.id));
  if (!(await shops.mayWatchBoard(req.user, w))) throw new HttpError(404, 'errors.notFound');
  const board = await boardState(String(w._id));
  // Cached with the board state (and dropped with it when an entry is logged here).
  const open = await boardOrders.get(String(w._id), () => orders.ordersWithProgress(String(w._id), { openOnly: true }));
  const progress = open.map((o) => ({
    id: o.id,
    client: o.client,
    taskName: o.taskName,
    unit: o.unit,
    done: o.done,
    quantity: o.quantity,
    percent: o.percent,
    deadline: o.deadline,
  }));
  // Names only for the workshop's own staff (the wall is public, see stationNames in board.ts).
  const names = (await canActOnCenter(req.user, String(w.center))) ? await stationNames(String(w._id)) : null;
  res.render('workshops/live', {
    orders: progress,
    stations: board.stations.map((st) => ({ ...st, name: names?.[st.station] ?? '' })),
    title: req.t('workshops.live.title', { name: w.name }),
    workshop: { id: String(w._id), name: w.name },
    board,
    bodyClass: 'board',
    scripts: ['/socket.io/socket.io.js', '/js/workshops-live.js'],
  });
}

/** The live board on the workshop wall (socket.io adds updates; the page works without). */
export function boardRoutes(): Router {
  const r = Router();
  r.get('/workshops/:id/live', showBoard);
  return r;
}
