import { isDuplicateKey } from '../../store/index.ts';
// Seats: a confirmed place is a seat document under the unique {course, seatNo} index.
import crypto from 'node:crypto';
import type { Types } from 'mongoose';
import { Course } from '../../../models/course.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { Seat } from '../../../models/seat.ts';
import { notify } from '../../notifications/service.ts';
import { courseQueue } from '../../store/index.ts';

import { seatsTaken, type LeanCourse } from './catalog.ts';
import { waitlist } from './roster.ts';

/**
 * Tries to give an enrolment a confirmed seat by inserting a seat document under the unique
 * {course, seatNo} index. Returns true when the enrolment holds a seat afterwards.
 */
export async function claimSeat(course: Pick<LeanCourse, '_id' | 'capacity'>, enrolmentId: Types.ObjectId, residentId: Types.ObjectId): Promise<boolean> {
  for (let round = 0; round < 2; round += 1) {
    const taken = new Set((await Seat.find({ course: course._id }, { seatNo: 1, _id: 0 }).lean()).map((s) => s.seatNo));
    const free: number[] = [];
    for (let n = 1; n <= course.capacity; n += 1) if (!taken.has(n)) free.push(n);
    if (!free.length) return false;
    // Start at a random free seat so simultaneous claims spread out instead of all colliding on seat 1.
    const start = crypto.randomInt(free.length);
    for (let i = 0; i < free.length; i += 1) {
      const seatNo = free[(start + i) % free.length]!;
      try {
        await Seat.create({ course: course._id, seatNo, enrolment: enrolmentId, resident: residentId });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (await Seat.exists({ enrolment: enrolmentId })) return true;
      }
    }
  }
  return false;
}

/**
 * Gives freed seats to the first waiting residents, in order. One runner per course on this
 * node; across nodes the unique seat index still keeps the count within capacity.
 */
export function fillSeats(courseId: string): Promise<number> {
  return courseQueue.run(courseId, async () => {
    const course = await Course.findById(courseId, { capacity: 1, status: 1, title: 1 }).lean();
    if (course?.status !== 'published') return 0;
    let promoted = 0;
    for (const waiting of await waitlist(courseId)) {
      if ((await seatsTaken(course._id)) >= course.capacity) break;
      if (!(await claimSeat(course, waiting._id, waiting.resident))) break;
      await Enrolment.updateOne({ _id: waiting._id }, { $set: { status: 'confirmed', confirmedAt: new Date() } });
      promoted += 1;
      await notify(String(waiting.resident), 'coursePromoted', { course: course.title }, `/courses/${courseId}`);
    }
    return promoted;
  });
}
