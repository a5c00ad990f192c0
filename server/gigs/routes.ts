import { Router } from 'express';
import type { RouteDeps } from '../http/deps.ts';
import { publicRoutes } from './routes/public.ts';
import { residentRoutes } from './routes/resident.ts';
import { employerRoutes } from './routes/employer.ts';
import { staffRoutes } from './routes/staff.ts';
import { boardRoutes } from './routes/board.ts';

/** The gig market. Areas mount in this order, so earlier paths (e.g. /gigs/lookup) win over /:id ones. */
export function gigRoutes(deps: RouteDeps): Router {
  const r = Router();
  r.use(publicRoutes(deps));
  r.use(residentRoutes(deps));
  r.use(employerRoutes());
  r.use(staffRoutes(deps));
  r.use(boardRoutes(deps));
  return r;
}
