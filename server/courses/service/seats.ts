// Seats: a confirmed place is a seat document under the unique {course, seatNo} index.
import crypto from 'node:crypto';
import type { Types } from 'mongoose';
import { Course } from '../../../models/course.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { Seat } from '../../../models/seat.ts';
import { notify } from '../../notifications/service.ts';
import { courseQueue, isDuplicateKey } from '../../store/index.ts';
import { formatDate } from '../../lib/format.ts';
import { seatsTaken, type LeanCourse } from './catalog.ts';
import { waitlist } from './roster.ts';

/**
 * Tries to give an enrolment a confirmed seat by inserting a seat document under the unique
 * {course, seatNo} index. Returns true when the enrolment holds a seat afterwards.
 */
export async function claimSeat(
  course: Pick<LeanCourse, '_id' | 'capacity'>,
  enrolmentId: Types.ObjectId,
  residentId: Types.ObjectId,
  offerExpiresAt: Date | null = null,
): Promise<boolean> {
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
        await Seat.create({ course: course._id, seatNo, enrolment: enrolmentId, resident: residentId, offerExpiresAt });
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
 * Offers freed seats to the first waiting residents, in order: each offer holds a seat until the
 * course's offer hours have passed. One runner per course on this node (courseQueue); across
 * nodes the unique seat index still keeps confirmed + offered within capacity.
 */
export function fillSeats(courseId: string, now = new Date()): Promise<number> {
  return courseQueue.run(courseId, () => fillWithin(courseId, now));
}

/** fillSeats for a caller already running in the course's queue. */
export async function fillWithin(courseId: string, now = new Date()): Promise<number> {
  const course = await Course.findById(courseId, { capacity: 1, status: 1, title: 1, offerHours: 1, firstSessionAt: 1, lastSessionAt: 1 }).lean();
  if (course?.status !== 'published') return 0;
  if (course.lastSessionAt && course.lastSessionAt <= now) return 0; // nothing left to come to
  let offered = 0;
  for (const waiting of await waitlist(courseId)) {
    if ((await seatsTaken(course._id)) >= course.capacity) break;
    const expiresAt = new Date(now.getTime() + (course.offerHours ?? DEFAULT_OFFER_HOURS) * 3600_000);
    if (!(await claimSeat(course, waiting._id, waiting.resident, expiresAt))) break;
    // The seat is held first, then the enrolment says so: a crash between the two leaves a held
    // seat of a waiting enrolment, which the repair turns into the offer (or frees once expired).
    await Enrolment.updateOne({ _id: waiting._id, status: 'waitlisted' }, { $set: { status: 'offered', offeredAt: now, offerExpiresAt: expiresAt } });
    offered += 1;
    await notifyOffer(String(waiting.resident), course, expiresAt);
  }
  return offered;
}

export const DEFAULT_OFFER_HOURS = 24;

/** A date in both languages for a notification's or refusal's params (they are filled in later, in the reader's language). */
export function whenParams(name: string, d: Date | null | undefined): Record<string, string> {
  return { [name]: formatDate(d, 'zh-CN', 'datetime'), [`${name}En`]: formatDate(d, 'en', 'datetime') };
}

export async function notifyOffer(
  residentId: string,
  course: { _id: Types.ObjectId; title: string; firstSessionAt?: Date | null },
  expiresAt: Date,
): Promise<void> {
  const params = { course: course.title, ...whenParams('until', expiresAt), ...whenParams('first', course.firstSessionAt) };
  await notify(residentId, 'courseOffered', params, `/courses/${String(course._id)}#enrol`);
}
