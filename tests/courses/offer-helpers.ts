// Courses with a full class and a waitlist, for the offer tests and trials.
import { Course } from '../../models/course.ts';
import { Enrolment } from '../../models/enrolment.ts';
import { enrol } from '../../server/courses/service/enrolment.ts';
import { makeUser } from '../helpers/data.ts';
import { makeCourse } from './fixtures.ts';

export type Person = { id: string; phone: string };

/** A course with `seats` seats all taken and `waiting` residents waiting, in that order. */
export async function fullCourse(center: string, seats: number, waiting: number, opts: { offerHours?: number; firstStart?: Date } = {}) {
  const courseId = await makeCourse({ center, capacity: seats, firstStart: opts.firstStart });
  if (opts.offerHours) await Course.updateOne({ _id: courseId }, { $set: { offerHours: opts.offerHours } });
  const people: Person[] = [];
  for (let i = 0; i < seats + waiting; i += 1) {
    const u = await makeUser({ role: 'resident', center });
    await enrol(courseId, u.id);
    people.push(u);
  }
  return { courseId, seated: people.slice(0, seats), waiting: people.slice(seats) };
}

export const statusOf = async (courseId: string, who: Person) =>
  (await Enrolment.find({ course: courseId, resident: who.id }, { status: 1, createdAt: 1 }).lean()).sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
  )[0]?.status;
