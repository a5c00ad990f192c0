import { Router } from 'express';
import type { RouteDeps } from '../http/deps.ts';
import { publicRoutes } from './routes/public.ts';
import { boardRoutes } from './routes/board.ts';
import { meRoutes } from './routes/me.ts';
import { manageRoutes } from './routes/manage.ts';
import { photoRoutes } from './routes/photos.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { periodRoutes } from './routes/periods.ts';
import { orderRoutes } from './routes/orders.ts';
import { reportRoutes } from './routes/reports.ts';

/**
 * The workshops' pages, by area. Area routers hold full paths and are mounted at the root in
 * the order the routes were written, so none shadows another (e.g. '/staff/workshops/new'
 * comes before '/staff/workshops/:id' inside the manage router).
 */
export function workshopRoutes(_deps?: RouteDeps): Router {
  const r = Router();
  r.use(publicRoutes());
  r.use(boardRoutes());
  r.use(meRoutes());
  r.use(manageRoutes());
  r.use(photoRoutes());
  r.use(ledgerRoutes());
  r.use(periodRoutes());
  r.use(orderRoutes());
  r.use(reportRoutes());
  return r;
}
