// Residents enrol and withdraw; staff remove an enrolment.
import { Enrolment, activeKeyOf, type EnrolmentDoc } from '../../../models/enrolment.ts';
import { User } from '../../../models/user.ts';
import { Refusal } from '../../lib/refusal.ts';
import { audit } from '../../audit/service.ts';
import { notify } from '../../notifications/service.ts';

import { getCourse, isId, type LeanCourse } from './catalog.ts';
import { activeEnrolment, joinWaitlist, leaveRoll, positionOf, readRoll, seatsTaken, takeSeat } from './roll.ts';
import { fillSeats, fillWithin } from './seats.ts';
import { acceptOffer, decideOffer, settleOffer } from './offers.ts';
import { courseQueue, isDuplicateKey } from '../../store/index.ts';
import type { Types } from 'mongoose';
import { enrolmentRepair } from './repairs.ts';

export type EnrolResult = { status: 'confirmed' | 'waitlisted' | 'offered'; enrolmentId: string; position: number | null; already: boolean };

export function ageOf(birthYear: number | null | undefined, now = new Date()): number | null {
  return birthYear ? now.getFullYear() - birthYear : null;
}

/** Eligibility refusals as i18n keys (shown in words), or null when the resident may enrol. */
export function eligibilityProblem(
  course: LeanCourse,
  resident: { role: string; birthYear?: number | null },
  now = new Date(),
): { key: string; params?: Record<string, string> } | null {
  if (resident.role !== 'resident') return { key: 'courses.errors.residentsOnly' };
  if (course.status !== 'published') return { key: 'courses.errors.notOpen' };
  if (course.enrolOpens && now < course.enrolOpens) return { key: 'courses.errors.notYetOpen' };
  if (course.enrolCloses && now > course.enrolCloses) return { key: 'courses.errors.windowClosed' };
  if (course.lastSessionAt && now > course.lastSessionAt) return { key: 'courses.errors.windowClosed' };
  if (course.minAge != null || course.maxAge != null) {
    const age = ageOf(resident.birthYear, now);
    if (age == null) return { key: 'courses.errors.needBirthYear' };
    if (course.minAge != null && age < course.minAge) return { key: 'courses.errors.tooYoung', params: { min: String(course.minAge) } };
    if (course.maxAge != null && age > course.maxAge) return { key: 'courses.errors.tooOld', params: { max: String(course.maxAge) } };
  }
  return null;
}

/** Why this user may not enrol (read before they press the button), or null. */
export async function enrolProblem(course: LeanCourse, userId: string): Promise<{ key: string; params?: Record<string, string> } | null> {
  const me = await User.findById(userId, { role: 1, birthYear: 1 }).lean();
  return me ? eligibilityProblem(course, me) : null;
}

export async function enrol(courseId: string, residentId: string, opts: { source?: 'self' | 'desk'; now?: Date } = {}): Promise<EnrolResult> {
  const course = await getCourse(courseId);
  const resident = await User.findById(residentId, { name: 1, phone: 1, role: 1, birthYear: 1 }).lean();
  if (!resident) throw new Refusal('not-found', 'errors.notFound');
  const problem = eligibilityProblem(course, resident, opts.now);
  if (problem)
    throw new Refusal(
      problem.key === 'courses.errors.residentsOnly' ? 'forbidden' : problem.key === 'courses.errors.notOpen' ? 'conflict' : 'invalid',
      problem.key,
      problem.params,
    );

  let placed: Placed;
  try {
    // One enrolment of a course at a time: the roll (who holds a seat, who waits) is read and
    // written by _id, so its cost does not grow with the enrolments of past years.
    placed = await courseQueue.run(courseId, () => place(course, resident, opts.source ?? 'self'));
  } catch (err) {
    if (!isDuplicateKey(err)) {
      enrolmentRepair.schedule(); // the insert may have landed without its answer reaching us
      throw err;
    }
    // Already enrolled (or enrolling twice at once): the unique activeKey lets one through.
    const again = await waitForSettled(courseId, residentId);
    return describe(again, true);
  }
  const { enrolment, status } = placed;
  const link = `/courses/${courseId}`;
  if (status === 'confirmed') {
    await notify(residentId, 'courseEnrolled', { course: course.title }, link);
    return { status, enrolmentId: String(enrolment), position: null, already: false };
  }
  // Seats free while people wait (offers ran out in between): the promoter offers them in order.
  if ((await seatsTaken(course._id)) < course.capacity) await fillSeats(courseId);
  const fresh = await Enrolment.findById(enrolment).lean<EnrolmentDoc>();
  // Offered the seat while asking for one: they are here, so they take it.
  if (fresh?.status === 'offered') await acceptOffer(courseId, residentId).catch(() => null);
  const settled = fresh?.status === 'offered' ? await Enrolment.findById(enrolment).lean<EnrolmentDoc>() : fresh;
  if (settled?.status === 'confirmed' || settled?.status === 'offered') return describe(settled, false);
  const position = await positionOf(courseId, enrolment);
  await notify(residentId, 'courseWaitlisted', { course: course.title, position: String(position ?? '') }, link);
  return { status: 'waitlisted', enrolmentId: String(enrolment), position, already: false };
}

type Placed = { enrolment: Types.ObjectId; status: 'confirmed' | 'waitlisted' };

/**
 * Inserts the enrolment (the unique activeKey refuses a second one) and gives it a seat, or a
 * place at the end of the waiting list when someone already waits or every seat is taken.
 * Runs in the course's queue.
 */
async function place(course: LeanCourse, resident: { _id: Types.ObjectId; name: string; phone: string }, source: 'self' | 'desk'): Promise<Placed> {
  const someoneWaiting = (await readRoll(course._id)).waiting.length > 0;
  const doc = await Enrolment.create({
    course: course._id,
    resident: resident._id,
    activeKey: activeKeyOf(String(course._id), String(resident._id)),
    status: someoneWaiting ? 'waitlisted' : 'pending',
    residentName: resident.name,
    residentPhone: resident.phone,
    courseTitle: course.title,
    center: course.center,
    source,
  });
  try {
    if (!someoneWaiting && (await takeSeat(course, doc._id, resident._id))) {
      await Enrolment.updateOne({ _id: doc._id }, { $set: { status: 'confirmed', confirmedAt: new Date() } });
      return { enrolment: doc._id, status: 'confirmed' };
    }
    await joinWaitlist(course._id, doc._id, resident._id);
    if (!someoneWaiting) await Enrolment.updateOne({ _id: doc._id }, { $set: { status: 'waitlisted' } });
    return { enrolment: doc._id, status: 'waitlisted' };
  } catch (err) {
    enrolmentRepair.schedule(); // the database failed between the writes
    throw err;
  }
}

async function waitForSettled(courseId: string, residentId: string): Promise<EnrolmentDoc> {
  for (let i = 0; i < 50; i += 1) {
    const e = await activeEnrolment(courseId, residentId);
    if (e && e.status !== 'pending') return e;
    await new Promise((r) => setTimeout(r, 20));
  }
  const e = await activeEnrolment(courseId, residentId);
  if (!e) throw new Refusal('conflict', 'errors.conflict');
  return e;
}

async function describe(e: EnrolmentDoc, already: boolean): Promise<EnrolResult> {
  const status = e.status === 'confirmed' || e.status === 'offered' ? e.status : 'waitlisted';
  return { status, enrolmentId: String(e._id), position: status === 'waitlisted' ? await positionOf(e.course, e._id) : null, already };
}

const ACTIVE = ['confirmed', 'waitlisted', 'offered'];

/** A resident gives up their place (confirmed, offered or waiting); a freed seat is offered to position 1. */
export async function withdraw(courseId: string, residentId: string): Promise<{ promoted: number }> {
  const e = await activeEnrolment(courseId, residentId);
  if (!e || !ACTIVE.includes(e.status)) throw new Refusal('conflict', 'courses.errors.notEnrolled');
  const course = await getCourse(courseId);
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  return endEnrolment(e, 'withdrawn');
}

/** Ends an enrolment in the course's queue, so it never interleaves with an offer being answered. */
function endEnrolment(found: EnrolmentDoc, status: 'withdrawn' | 'cancelled'): Promise<{ promoted: number }> {
  return courseQueue.run(String(found.course), async () => {
    const now = new Date();
    const e = (await Enrolment.findById(found._id).lean<EnrolmentDoc>()) ?? found;
    if (!ACTIVE.includes(e.status)) throw new Refusal('conflict', 'courses.errors.notEnrolled');
    if (e.status === 'offered') {
      // Leaving while offered is declining (staff removing it, cancelling); an accept that won
      // the race first is settled, and the person leaves the seat they just took.
      const outcome = await decideOffer(e, status === 'withdrawn' ? 'declined' : 'cancelled', now);
      if (outcome !== 'accepted') {
        await settleOffer(e, outcome, now);
        return { promoted: await fillWithin(String(e.course), now) };
      }
      await settleOffer(e, outcome, now);
    }
    await Enrolment.updateOne({ _id: e._id }, { $set: { status, activeKey: `${e.activeKey}:x:${String(e._id)}`, endedAt: now } });
    await leaveRoll(e.course, e._id, { held: e.status === 'confirmed' || e.status === 'offered' });
    return { promoted: await fillWithin(String(e.course), now) };
  });
}

/** Staff remove an enrolment (e.g. the resident phoned in). */
export async function removeEnrolment(actor: Express.User, course: LeanCourse, enrolmentId: string): Promise<void> {
  if (!isId(enrolmentId)) throw new Refusal('not-found', 'errors.notFound');
  const e = await Enrolment.findOne({ _id: enrolmentId, course: course._id }).lean<EnrolmentDoc>();
  if (!e) throw new Refusal('not-found', 'errors.notFound');
  if (!ACTIVE.includes(e.status)) throw new Refusal('conflict', 'courses.errors.notEnrolled');
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  await endEnrolment(e, 'cancelled');
  await audit(actor, {
    action: 'course.removeEnrolment',
    targetType: 'enrolment',
    targetId: enrolmentId,
    center: String(course.center),
    details: { resident: e.residentName },
  });
}
