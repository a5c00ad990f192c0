// A course session for staff: the live QR code, roll call and the printable sign-in sheet.
import { Router, type Request, type Response } from 'express';
import { requireRole } from '../../http/guards.ts';
import { validate } from '../../http/validate.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { isRefusal } from '../../lib/refusal.ts';
import type { RouteDeps } from '../../http/deps.ts';
import { rollCallSchema } from '../schemas.ts';
import { checkinToken } from '../checkin.ts';
import * as roster from '../service/roster.ts';
import * as attendance from '../service/attendance.ts';
import { sessionPageView, sheetView } from '../view.ts';
import { qrSvg } from '../../lib/qr.ts';
import { staffCourse } from './staff.ts';

export function sessionRoutes({ absoluteUrl }: RouteDeps): Router {
  const checkinUrl = (sessionId: string) => absoluteUrl(`/checkin?t=${encodeURIComponent(checkinToken(sessionId))}`);

  async function showSession(req: Request, res: Response) {
    const course = await staffCourse(req);
    const session = attendance.findSession(course, String(req.params.sid));
    const [confirmed, present] = await Promise.all([roster.confirmedEnrolments(course._id), attendance.sessionAttendance(session._id)]);
    res.render('courses/session', await sessionPageView(req, course, session, confirmed, present, checkinUrl(String(session._id))));
  }

  // The QR image alone, refreshed by courses-live.js every 30 seconds.
  async function sessionQr(req: Request, res: Response) {
    const course = await staffCourse(req);
    const session = attendance.findSession(course, String(req.params.sid));
    if (course.status !== 'published') throw new HttpError(409, 'courses.errors.closed');
    if (attendance.attendanceWindow(session) !== 'open') throw new HttpError(409, 'courses.session.qrClosed');
    res
      .set('Cache-Control', 'no-store')
      .type('image/svg+xml')
      .send(await qrSvg(checkinUrl(String(session._id))));
  }

  const r = Router();
  const staff = requireRole('staff', 'admin');
  r.get('/staff/courses/:id/sessions/:sid', staff, showSession);
  r.get('/staff/courses/:id/sessions/:sid/qr.svg', staff, sessionQr);
  r.post('/staff/courses/:id/sessions/:sid/attendance', staff, saveRollCall);
  r.get('/staff/courses/:id/sessions/:sid/sheet', staff, signInSheet);
  return r;
}

async function saveRollCall(req: Request, res: Response) {
  const course = await staffCourse(req);
  const parsed = validate(req, rollCallSchema, req.body);
  if (!parsed.ok) throw new HttpError(400, 'errors.badRequest');
  const back = `/staff/courses/${String(course._id)}/sessions/${String(req.params.sid)}`;
  let counts: { marked: number; unmarked: number };
  try {
    counts = await attendance.rollCall(req.user!, course, String(req.params.sid), parsed.data.present);
  } catch (err) {
    if (!isRefusal(err) || err.key !== 'courses.session.notStarted') throw err;
    flash(req, 'error', err.key, err.params);
    return res.redirect(303, back);
  }
  flash(req, 'success', 'courses.session.saved', { marked: String(counts.marked), unmarked: String(counts.unmarked) });
  res.redirect(back);
}

async function signInSheet(req: Request, res: Response) {
  const course = await staffCourse(req);
  const session = attendance.findSession(course, String(req.params.sid));
  const confirmed = await roster.confirmedEnrolments(course._id);
  res.render('courses/sheet', sheetView(req, course, session, confirmed));
}
