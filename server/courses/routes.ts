// Registers the session reminder job with the scheduler.
import './reminders.ts';
import { Router } from 'express';
import { canActOnCenter } from '../centers/scope.ts';
import type { RouteDeps } from '../http/deps.ts';
import { registerFileAccess } from '../files/upload.ts';
import { registerRoomPolicy } from '../realtime/server.ts';
import { mayReadMaterials } from './service/roster.ts';
import { courseOfSession } from './checkin.ts';
import { publicRoutes } from './routes/public.ts';
import { residentRoutes } from './routes/resident.ts';
import { certificateRoutes } from './routes/certificates.ts';
import { staffRoutes } from './routes/staff.ts';
import { sessionRoutes } from './routes/sessions.ts';

// Materials are private files: enrolled residents and staff in scope may download them.
registerFileAccess('course', (user, ownerId) => mayReadMaterials(user, String(ownerId ?? '')));
// Live check-ins of a session are for staff who can manage its course.
registerRoomPolicy('session', async (user, id) => {
  if (!user || (user.role !== 'staff' && user.role !== 'admin')) return false;
  const course = await courseOfSession(id);
  return !!course && canActOnCenter(user, String(course.center));
});

/** The course pages, in the order they were always matched (no path shadows another). */
export function courseRoutes(deps: RouteDeps): Router {
  const r = Router();
  r.use(publicRoutes());
  r.use(residentRoutes());
  r.use(certificateRoutes(deps));
  r.use(staffRoutes());
  r.use(sessionRoutes(deps));
  return r;
}
