// Seats: a confirmed place, or one held for an offer, is a seat document under the unique
// {course, seatNo} index; the course's roll (roll.ts) says which are taken and who waits.
import type { Types } from 'mongoose';
import { Course } from '../../../models/course.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { notify } from '../../notifications/service.ts';
import { courseQueue } from '../../store/index.ts';
import { formatDate } from '../../lib/format.ts';
import { dropWaiting, readRoll, takeSeat } from './roll.ts';

/**
 * Offers freed seats to the first waiting residents, in order: each offer holds a seat until the
 * course's offer hours have passed. One runner per course (courseQueue); the unique seat index
 * keeps confirmed + offered within capacity whatever happens.
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
  for (;;) {
    const roll = await readRoll(courseId);
    const next = roll.waiting[0];
    if (!next || roll.seats.length >= course.capacity) break;
    const waiting = await Enrolment.findById(next.e, { resident: 1, status: 1 }).lean();
    if (waiting?.status !== 'waitlisted') {
      await dropWaiting(courseId, next.e); // a roll that lagged behind its enrolment
      continue;
    }
    const expiresAt = new Date(now.getTime() + (course.offerHours ?? DEFAULT_OFFER_HOURS) * 3600_000);
    if (!(await takeSeat(course, waiting._id, waiting.resident, expiresAt))) break;
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
