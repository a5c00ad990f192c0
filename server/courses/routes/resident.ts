// A resident's own courses and the QR check-in they scan at a session.
import { Router, type Request, type Response } from 'express';
import { requireLogin, requireRole } from '../../http/guards.ts';
import { statusOf } from '../../http/errors.ts';
import { isRefusal } from '../../lib/refusal.ts';
import { checkIn, checkinRefusal, courseOfSession, verifyCheckinToken } from '../checkin.ts';
import * as roster from '../service/roster.ts';
import { myCourseView, sessionView } from '../view.ts';

async function myCourses(req: Request, res: Response) {
  const items = await roster.myCourses(req.user!.id);
  res.render('courses/mine', { title: req.t('courses.mine.title'), items: items.map((x) => myCourseView(req, x)) });
}

async function showCheckin(req: Request, res: Response) {
  const token = typeof req.query.t === 'string' ? req.query.t : '';
  const check = verifyCheckinToken(token);
  const course = check.ok ? await courseOfSession(check.sessionId) : null;
  const session = check.ok ? course?.sessions.find((s) => String(s._id) === check.sessionId) : undefined;
  // Say "too early" or "over" before the resident presses the button, not after.
  const refusal = session ? checkinRefusal(session, req.lang) : null;
  const error = !check.ok ? req.t(check.key) : !course ? req.t('errors.notFound') : refusal ? req.t(refusal.key, refusal.params) : '';
  res.status(check.ok ? (refusal ? 409 : 200) : check.key === 'courses.checkin.expired' ? 410 : 400).render('courses/checkin', {
    title: req.t('courses.checkin.title'),
    token,
    ok: !error,
    error,
    courseTitle: course?.title ?? '',
  });
}

async function checkInNow(req: Request, res: Response) {
  const token = typeof req.body?.t === 'string' ? req.body.t : '';
  try {
    const { course, session } = await checkIn(req.user!, token, new Date(), req.lang);
    res.render('courses/checkin', { title: req.t('courses.checkin.title'), done: true, courseTitle: course.title, session: sessionView(course, session, req) });
  } catch (err) {
    if (!isRefusal(err)) throw err;
    res.status(statusOf(err)).render('courses/checkin', { title: req.t('courses.checkin.title'), error: req.t(err.key, err.params), refused: true });
  }
}

export function residentRoutes(): Router {
  const r = Router();
  r.get('/me/courses', requireRole('resident'), myCourses);
  r.get('/checkin', requireLogin, showCheckin);
  r.post('/checkin', requireLogin, checkInNow);
  return r;
}
