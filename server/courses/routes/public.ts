// The public catalogue and course page, and a resident's enrol/withdraw buttons on it.
import { Router, type Request, type Response } from 'express';
import { requireLogin, requireRole } from '../../http/guards.ts';
import { canActOnCenter } from '../../centers/scope.ts';
import { HttpError } from '../../http/errors.ts';
import { flash } from '../../http/flash.ts';
import { confirmFirst } from '../../http/confirm.ts';
import { isRefusal } from '../../lib/refusal.ts';
import { catalogueSchema } from '../schemas.ts';
import * as catalog from '../service/catalog.ts';
import * as roster from '../service/roster.ts';
import * as enrolment from '../service/enrolment.ts';
import { catalogueView, courseShowView, myPlace, type MyPlace } from '../view.ts';
import { answeredFrom } from './offers.ts';

async function listCourses(req: Request, res: Response) {
  const q = catalogueSchema.parse(req.query);
  const all = await catalog.catalogue({ category: q.category, center: q.center, within: q.within || null, seatsOnly: q.seats === '1' });
  res.render('courses/index', await catalogueView(req, q, all));
}

/** The resident's own place on the course, or why they may not enrol (in words). */
async function residentSide(req: Request, course: catalog.LeanCourse): Promise<{ mine: MyPlace; problem: string }> {
  const user = req.user;
  if (user?.role !== 'resident') return { mine: null, problem: '' };
  const e = await roster.activeEnrolment(String(course._id), user.id);
  if (e) return { mine: myPlace(req, course, e, e.status === 'waitlisted' ? await roster.positionOf(course._id, e._id) : null), problem: '' };
  const p = await enrolment.enrolProblem(course, user.id);
  return { mine: null, problem: p ? req.t(p.key, p.params ?? {}) : '' };
}

async function showCourse(req: Request, res: Response) {
  const course = await catalog.getCourse(String(req.params.id));
  const user = req.user;
  const manage = user && (user.role === 'staff' || user.role === 'admin') ? await canActOnCenter(user, String(course.center)) : false;
  if (course.status === 'draft' && !manage) throw new HttpError(404, 'errors.notFound');
  const taken = await catalog.seatsTaken(course._id);
  const { mine, problem } = await residentSide(req, course);
  const mayRead = await roster.mayReadMaterials(user, String(course._id));
  res.render('courses/show', {
    title: course.title,
    course: courseShowView(req, course, taken, mayRead),
    mine,
    problem,
    manage,
    isResident: user?.role === 'resident',
    anonymous: !user,
  });
}

async function enrolInCourse(req: Request, res: Response) {
  const course = await catalog.getCourse(String(req.params.id));
  try {
    const result = await enrolment.enrol(String(course._id), req.user!.id);
    if (result.status === 'confirmed')
      flash(req, 'success', result.already ? 'courses.enrolment.alreadyConfirmed' : 'courses.enrolment.confirmedMsg', { course: course.title });
    else if (result.status === 'offered') flash(req, 'info', 'waitlist.offer.pendingMsg', { course: course.title });
    else flash(req, 'info', 'courses.enrolment.waitlistedMsg', { course: course.title, position: String(result.position ?? '') });
  } catch (err) {
    if (isRefusal(err, 'invalid', 'conflict', 'gone')) {
      flash(req, 'error', err.key, err.params);
      return res.redirect(303, `/courses/${String(course._id)}`);
    }
    throw err;
  }
  res.redirect(`/courses/${String(course._id)}`);
}

async function withdrawFromCourse(req: Request, res: Response) {
  const course = await catalog.getCourse(String(req.params.id));
  await enrolment.withdraw(String(course._id), req.user!.id);
  flash(req, 'success', 'courses.enrolment.withdrawnMsg', { course: course.title });
  res.redirect(answeredFrom(req, String(course._id)).replace('#enrol', ''));
}

export function publicRoutes(): Router {
  const r = Router();
  r.get('/courses', listCourses);
  r.get('/courses/:id', showCourse);
  r.post('/courses/:id/enrol', requireLogin, enrolInCourse);
  r.post(
    '/courses/:id/withdraw',
    requireRole('resident'),
    confirmFirst('withdrawCourse', (req) => catalog.getCourse(String(req.params.id))),
    withdrawFromCourse,
  );
  return r;
}
