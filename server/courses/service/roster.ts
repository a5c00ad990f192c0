// Who is on a course: the waitlist in order, confirmed residents, a resident's own courses,
// and who may read the course's materials.
import type { Types } from 'mongoose';
import { Course } from '../../../models/course.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { Attendance } from '../../../models/attendance.ts';
import { Completion } from '../../../models/completion.ts';
import { canActOnCenter } from '../../centers/scope.ts';
import { isId, oid, type LeanCourse } from './catalog.ts';
import { activeEnrolment, positionOf, readRoll } from './roll.ts';

/** Waiting enrolments in order (position = index + 1): the roll's list, each read by _id. */
export async function waitlist(courseId: string | Types.ObjectId) {
  const roll = await readRoll(courseId);
  const rows = await Promise.all(
    roll.waiting.map((w) => Enrolment.findById(w.e, { resident: 1, residentName: 1, residentPhone: 1, createdAt: 1, source: 1, status: 1 }).lean()),
  );
  return rows.filter((e) => e?.status === 'waitlisted').map((e) => e!);
}

/**
 * The queue as staff see it: open offers (soonest deadline first), those waiting in order, then
 * the last offers that lapsed or were declined (newest first).
 */
export async function offerQueue(courseId: string | Types.ObjectId) {
  const rows = await Enrolment.find(
    { course: oid(courseId), status: { $in: ['offered', 'waitlisted', 'lapsed', 'declined'] } },
    { residentName: 1, residentPhone: 1, status: 1, createdAt: 1, offerExpiresAt: 1, endedAt: 1 },
  ).lean();
  const t = (d: Date | null | undefined) => d?.getTime() ?? 0;
  const offered = rows.filter((e) => e.status === 'offered').sort((a, b) => t(a.offerExpiresAt) - t(b.offerExpiresAt));
  const waiting = rows.filter((e) => e.status === 'waitlisted').sort((a, b) => t(a.createdAt) - t(b.createdAt) || String(a._id).localeCompare(String(b._id)));
  const ended = rows
    .filter((e) => e.status === 'lapsed' || e.status === 'declined')
    .sort((a, b) => t(b.endedAt) - t(a.endedAt))
    .slice(0, 20);
  return [...offered, ...waiting, ...ended];
}

export { activeEnrolment, positionOf } from './roll.ts';

export async function confirmedEnrolments(courseId: string | Types.ObjectId) {
  return Enrolment.find({ course: oid(courseId), status: 'confirmed' }, { resident: 1, residentName: 1, residentPhone: 1, source: 1, confirmedAt: 1 })
    .sort({ residentName: 1 })
    .lean();
}

export async function myCourses(residentId: string, now = new Date()) {
  const enrolments = await Enrolment.find({ resident: oid(residentId) }, { course: 1, status: 1, createdAt: 1, courseTitle: 1, offerExpiresAt: 1 })
    .sort({ createdAt: -1 })
    .limit(100)
    .lean();
  const courseIds = [...new Set(enrolments.map((e) => String(e.course)))].map(oid);
  const courses = courseIds.length ? await Course.find({ _id: { $in: courseIds } }, { description: 0 }).lean<LeanCourse[]>() : [];
  const byId = new Map(courses.map((c) => [String(c._id), c]));
  const attended = await Attendance.find({ resident: oid(residentId) }, { course: 1, session: 1 }).lean();
  const completions = await Completion.find({ resident: oid(residentId) }, { course: 1, code: 1 }).lean();
  const items = [];
  for (const e of enrolments) {
    const c = byId.get(String(e.course));
    if (!c) continue;
    const past = c.sessions.filter((s) => s.startsAt <= now);
    const mine = attended.filter((a) => String(a.course) === String(c._id)).length;
    items.push({
      enrolment: e,
      course: c,
      position: e.status === 'waitlisted' ? await positionOf(c._id, e._id) : null,
      upcoming: c.sessions.filter((s) => s.endsAt > now).slice(0, 3),
      attended: mine,
      held: past.length,
      total: c.sessions.length,
      certificate: completions.find((x) => String(x.course) === String(c._id))?.code ?? null,
    });
  }
  return items;
}

/** Residents enrolled (confirmed) may download the course's materials; staff in scope too. */
export async function mayReadMaterials(user: Express.User | undefined, courseId: string): Promise<boolean> {
  if (!user || !isId(courseId)) return false;
  if (user.role === 'staff' || user.role === 'admin') {
    const c = await Course.findById(courseId, { center: 1 }).lean();
    return !!c && canActOnCenter(user, String(c.center));
  }
  const e = await activeEnrolment(courseId, user.id);
  if (e?.status === 'confirmed') return true;
  // Completed courses: those who held a seat keep access.
  return !!(await Enrolment.exists({ course: oid(courseId), resident: oid(user.id), status: 'confirmed' }));
}
