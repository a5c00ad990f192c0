import { Router } from 'express';
import { registerFileAccess } from '../files/upload.ts';
import type { RouteDeps } from '../http/deps.ts';
import { mayReadLicense } from './service/employers.ts';
import { mayReadAttachment } from './service/postings.ts';
import { publicRoutes } from './routes/public.ts';
import { residentRoutes } from './routes/resident.ts';
import { employerRoutes } from './routes/employer.ts';
import { staffRoutes } from './routes/staff.ts';
import { boardRoutes } from './routes/board.ts';

// The business licence is private: its employer and staff whose scope covers the employer's center.
registerFileAccess('employerLicense', (user, ownerId) => mayReadLicense(user, ownerId));

registerFileAccess('posting', (user, ownerId) => mayReadAttachment(user, ownerId));

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
