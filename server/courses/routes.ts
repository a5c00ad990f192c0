import { Router } from 'express';
import type { RouteDeps } from '../http/deps.ts';
import { publicRoutes } from './routes/public.ts';
import { offerRoutes } from './routes/offers.ts';
import { residentRoutes } from './routes/resident.ts';
import { certificateRoutes } from './routes/certificates.ts';
import { staffRoutes } from './routes/staff.ts';
import { sessionRoutes } from './routes/sessions.ts';

/** The course pages, in the order they were always matched (no path shadows another). */
export function courseRoutes(deps: RouteDeps): Router {
  const r = Router();
  r.use(publicRoutes());
  r.use(offerRoutes());
  r.use(residentRoutes());
  r.use(certificateRoutes(deps));
  r.use(staffRoutes());
  r.use(sessionRoutes(deps));
  return r;
}
