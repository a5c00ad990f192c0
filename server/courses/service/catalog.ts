// Reading courses: one course, seat counts, the public catalogue and the staff list.
import type { Types } from 'mongoose';
import { Course, type CourseDoc } from '../../../models/course.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { seatsTaken } from './roll.ts';
import { Refusal } from '../../lib/refusal.ts';
import { publishedCourses } from '../../store/index.ts';
import { subtreeIds } from '../../centers/tree.ts';

import { oid, isObjectId as isId } from '../../lib/ids.ts';

export type LeanCourse = CourseDoc;

export { oid, isId };

export async function getCourse(id: string): Promise<LeanCourse> {
  if (!isId(id)) throw new Refusal('not-found', 'errors.notFound');
  const c = await Course.findById(id).lean<LeanCourse>();
  if (!c) throw new Refusal('not-found', 'errors.notFound');
  return c;
}

/** Seats taken per course, from each course's roll (read by _id). */
export async function seatCounts(courseIds: Types.ObjectId[]): Promise<Map<string, number>> {
  const counts = await Promise.all(courseIds.map(async (id) => [String(id), await seatsTaken(id)] as const));
  return new Map(counts);
}

export { seatsTaken };

export function nextSession(c: Pick<LeanCourse, 'sessions'>, now = new Date()) {
  return c.sessions.find((s) => s.endsAt > now) ?? null;
}

export function courseHours(c: Pick<LeanCourse, 'sessions'>): number {
  const ms = c.sessions.reduce((sum, s) => sum + (s.endsAt.getTime() - s.startsAt.getTime()), 0);
  return Math.round((ms / 3600_000) * 10) / 10;
}

/** A course whose last session has begun (a course without dates is never over). */
function isOver(c: Pick<LeanCourse, 'firstSessionAt' | 'lastSessionAt'>, now: Date): boolean {
  return (c.lastSessionAt ?? c.firstSessionAt ?? now) < now;
}

export interface CatalogueFilter {
  category?: string;
  center?: string;
  within?: number | null;
  seatsOnly?: boolean;
}

/** Published courses, filtered; counts come from the seat documents. */
export async function catalogue(f: CatalogueFilter, now = new Date()) {
  // Published courses not yet over, with their seat counts, cached briefly (a town has tens of
  // them); filters run in memory so a catalogue page does not wait on the database. Courses
  // nobody closed stay published for years: their seats are not read again at every reload.
  const { courses: all, counts } = await publishedCourses.get('all', async () => {
    const loadedAt = new Date();
    const published = await Course.find({ status: 'published' }, { description: 0, materials: 0 }).sort({ firstSessionAt: 1, _id: 1 }).lean<LeanCourse[]>();
    const courses = published.filter((c) => !isOver(c, loadedAt));
    return { courses, counts: await seatCounts(courses.map((c) => c._id)) };
  });
  const within = f.center ? new Set(await subtreeIds(f.center)) : null;
  const courses = all.filter((c) => (!f.category || c.category === f.category) && (!within || within.has(String(c.center))));
  const horizon = f.within ? now.getTime() + f.within * 86400_000 : null;
  return courses
    .filter((c) => !isOver(c, now))
    .map((c) => ({ course: c, taken: counts.get(String(c._id)) ?? 0, next: nextSession(c, now) }))
    .filter((x) => !f.seatsOnly || x.taken < x.course.capacity)
    .filter((x) => !horizon || (x.course.firstSessionAt && x.course.firstSessionAt.getTime() <= horizon && x.course.firstSessionAt >= now));
}

/** Staff list: courses of centers within the user's scope. */
export async function staffCourses(user: Express.User) {
  const filter: Record<string, unknown> = {};
  if (user.role !== 'admin') filter.center = { $in: (await subtreeIds(user.staffCenter ?? '')).map(oid) };
  const courses = await Course.find(filter, { description: 0, materials: 0 }).sort({ createdAt: -1 }).limit(300).lean<LeanCourse[]>();
  const counts = await seatCounts(courses.map((c) => c._id));
  const waiting = await Enrolment.find({ course: { $in: courses.map((c) => c._id) }, status: 'waitlisted' }, { course: 1, _id: 0 }).lean();
  return courses.map((c) => ({ course: c, taken: counts.get(String(c._id)) ?? 0, waiting: waiting.filter((w) => String(w.course) === String(c._id)).length }));
}
