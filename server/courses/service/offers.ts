// Waitlist offers: a freed seat is held for the first waiting resident (seats.ts, fillWithin)
// until the course's offer hours pass. Accepting in time confirms the place; declining, leaving
// or letting it lapse frees the seat for the next person. Every step on one course runs in its
// courseQueue, and the outcome of an offer is decided once by an insert (OfferDecision), so an
// accept and a lapse at the same moment cannot both win.
import { Enrolment, type EnrolmentDoc } from '../../../models/enrolment.ts';
import { OfferDecision, type OfferOutcome } from '../../../models/offer-decision.ts';
import { Seat, type SeatDoc } from '../../../models/seat.ts';
import { Course } from '../../../models/course.ts';
import { Refusal } from '../../lib/refusal.ts';
import { isObjectId, oid } from '../../lib/ids.ts';
import { notify } from '../../notifications/service.ts';
import { courseQueue, isDuplicateKey } from '../../store/index.ts';
import type { ScheduledJob } from '../../scheduler.ts';
import { activeEnrolment, joinWaitlist, leaveRoll, seatIdOf, takeSeat } from './roll.ts';
import { fillWithin, notifyOffer, whenParams } from './seats.ts';

/** The first of accept, decline and lapse to insert its decision wins; the others read it. */
export async function decideOffer(e: Pick<EnrolmentDoc, '_id' | 'course'>, outcome: OfferOutcome, now: Date): Promise<OfferOutcome> {
  try {
    await OfferDecision.create({ _id: String(e._id), course: e.course, outcome, at: now });
    return outcome;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const d = await OfferDecision.findById(String(e._id), { outcome: 1 }).lean();
    if (!d) throw new Refusal('conflict', 'errors.conflict');
    return d.outcome as OfferOutcome;
  }
}

const endedKey = (e: Pick<EnrolmentDoc, '_id' | 'activeKey'>) => (e.activeKey.includes(':x:') ? e.activeKey : `${e.activeKey}:x:${String(e._id)}`);

/**
 * Makes the enrolment and its held seat say what was decided (again, after a crash). The caller
 * runs in the course's queue and fills freed seats afterwards.
 */
export async function settleOffer(e: EnrolmentDoc, outcome: OfferOutcome, now: Date): Promise<void> {
  if (outcome === 'accepted') {
    // Enrolment first, then the seat loses its expiry: a crash between leaves an expired held
    // seat of a confirmed enrolment, which the lapse job recognises as accepted.
    await Enrolment.updateOne({ _id: e._id, status: { $in: ['offered', 'waitlisted', 'pending'] } }, { $set: { status: 'confirmed', confirmedAt: now } });
    const seatId = await seatIdOf(e.course, e._id);
    const held = await Seat.updateOne(seatId != null ? { _id: seatId, enrolment: e._id } : { enrolment: e._id }, { $set: { offerExpiresAt: null } });
    if (held.matchedCount === 0) {
      // The seat vanished (should not happen): take a free one, or go back to the head of the list.
      const course = await Course.findById(e.course, { capacity: 1 }).lean();
      if (!course || !(await takeSeat(course, e._id, e.resident))) {
        await Enrolment.updateOne({ _id: e._id }, { $set: { status: 'waitlisted', confirmedAt: null } });
        await joinWaitlist(e.course, e._id, e.resident, true);
      }
    }
    return;
  }
  const status = outcome === 'cancelled' ? 'cancelled' : outcome;
  await Enrolment.updateOne({ _id: e._id, status: { $in: ['offered', 'waitlisted', 'pending'] } }, { $set: { status, endedAt: now, activeKey: endedKey(e) } });
  await leaveRoll(e.course, e._id, { held: e.status === 'offered' });
}

export type AcceptResult = 'accepted' | 'already';

/** The resident takes the seat offered to them, if the offer is still open. */
export async function acceptOffer(courseId: string, residentId: string, now = new Date()): Promise<AcceptResult> {
  const found = await activeEnrolment(courseId, residentId);
  if (found?.status === 'confirmed') return 'already';
  if (found?.status !== 'offered') throw await noOffer(courseId, residentId);
  const course = await Course.findById(courseId, { status: 1 }).lean();
  if (course?.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  return courseQueue.run(courseId, async () => {
    const e = await Enrolment.findById(found._id).lean<EnrolmentDoc>();
    if (e?.status === 'confirmed') return 'already';
    if (e?.status !== 'offered') throw expired(found);
    let outcome: OfferOutcome = 'lapsed';
    if (!e.offerExpiresAt || now < e.offerExpiresAt) outcome = await decideOffer(e, 'accepted', now);
    else outcome = await decideOffer(e, 'lapsed', now);
    await settleOffer(e, outcome, now);
    if (outcome === 'accepted') {
      await notify(residentId, 'courseEnrolled', { course: e.courseTitle }, `/courses/${courseId}`);
      return 'accepted';
    }
    await fillWithin(courseId, now); // the seat goes on to the next person at once
    throw expired(e);
  });
}

/** The resident turns the offer down; the seat goes to the next person waiting. */
export async function declineOffer(courseId: string, residentId: string, now = new Date()): Promise<void> {
  const found = await activeEnrolment(courseId, residentId);
  if (found?.status !== 'offered') throw await noOffer(courseId, residentId);
  await courseQueue.run(courseId, async () => {
    const e = await Enrolment.findById(found._id).lean<EnrolmentDoc>();
    if (e?.status !== 'offered') throw expired(found);
    const outcome = await decideOffer(e, 'declined', now);
    await settleOffer(e, outcome, now);
    if (outcome === 'accepted') throw new Refusal('conflict', 'waitlist.errors.alreadyAccepted');
    await fillWithin(courseId, now);
    if (outcome !== 'declined') throw expired(e);
  });
}

const expired = (e: Pick<EnrolmentDoc, 'offerExpiresAt'>) => new Refusal('gone', 'waitlist.errors.expired', whenParams('until', e.offerExpiresAt));

/** Why there is no offer to answer: it ran out (or was answered) already, or there never was one. */
async function noOffer(courseId: string, residentId: string): Promise<Refusal> {
  const last = await Enrolment.findOne({ course: courseId, resident: residentId, status: { $in: ['lapsed', 'declined'] } }, { offerExpiresAt: 1, status: 1 })
    .sort({ endedAt: -1 })
    .lean();
  if (last?.status === 'lapsed') return expired(last);
  return new Refusal('conflict', 'waitlist.errors.noOffer');
}

/**
 * Brings one held seat in line with its enrolment and decision: an answered offer is settled,
 * an expired one lapses (or, if the resident was never told, is simply freed and offered again),
 * a valid one not yet recorded on its enrolment becomes the offer. Runs in the course's queue.
 */
export async function reconcileOfferSeat(
  seat: Pick<SeatDoc, 'enrolment' | 'course' | 'offerExpiresAt'> & { _id: unknown },
  now: Date,
): Promise<'kept' | 'settled' | 'lapsed' | 'freed' | 'offered'> {
  const e = await Enrolment.findById(seat.enrolment).lean<EnrolmentDoc>();
  if (!e || !['offered', 'waitlisted', 'pending', 'confirmed'].includes(e.status)) {
    await leaveRoll(seat.course, seat.enrolment, { seatId: seat._id });
    return 'freed';
  }
  if (e.status === 'confirmed') {
    await Seat.updateOne({ _id: seat._id, enrolment: seat.enrolment }, { $set: { offerExpiresAt: null } }); // an accept cut short
    return 'settled';
  }
  const decided = await OfferDecision.findById(String(e._id), { outcome: 1 }).lean();
  if (decided) {
    await settleOffer(e, decided.outcome as OfferOutcome, now);
    return 'settled';
  }
  const expiresAt = seat.offerExpiresAt!;
  if (e.status !== 'offered') {
    // Held but never recorded (a crash between the two writes): the resident was never told.
    if (expiresAt <= now) {
      // Freed, and the enrolment keeps its place at the head of the list (it was first).
      await leaveRoll(e.course, e._id, { seatId: seat._id });
      await joinWaitlist(e.course, e._id, e.resident, true);
      return 'freed';
    }
    await Enrolment.updateOne({ _id: e._id, status: e.status }, { $set: { status: 'offered', offeredAt: now, offerExpiresAt: expiresAt } });
    const course = await Course.findById(e.course, { title: 1, firstSessionAt: 1 }).lean();
    if (course) await notifyOffer(String(e.resident), course, expiresAt);
    return 'offered';
  }
  if (expiresAt > now) return 'kept';
  const outcome = await decideOffer(e, 'lapsed', now);
  await settleOffer(e, outcome, now);
  if (outcome === 'lapsed') await notify(String(e.resident), 'courseOfferLapsed', { course: e.courseTitle }, `/courses/${String(e.course)}`);
  return 'lapsed';
}

/** Held seats whose offer has run out pass to the next person waiting (the lapse job). */
export async function lapseOffers(now = new Date()): Promise<number> {
  const seats = (await Seat.find({ offerExpiresAt: { $lte: now } }, { enrolment: 1, course: 1, offerExpiresAt: 1 }).lean()).filter(
    (s) => s.offerExpiresAt && s.offerExpiresAt <= now,
  );
  return reconcileSeats(seats, now);
}

/** Every held seat, expired or not (the start-up repair): kept, settled, lapsed or recorded. */
export async function repairOffers(now = new Date(), only?: string[]): Promise<number> {
  const scope = only ? { course: { $in: only.filter(isObjectId).map(oid) } } : {};
  const seats = (await Seat.find({ ...scope, offerExpiresAt: { $ne: null } }, { enrolment: 1, course: 1, offerExpiresAt: 1 }).lean()).filter(
    (s) => s.offerExpiresAt,
  );
  return reconcileSeats(seats, now);
}

async function reconcileSeats(seats: (Pick<SeatDoc, 'enrolment' | 'course' | 'offerExpiresAt'> & { _id: unknown })[], now: Date): Promise<number> {
  const byCourse = new Map<string, typeof seats>();
  for (const s of seats) byCourse.set(String(s.course), [...(byCourse.get(String(s.course)) ?? []), s]);
  let changed = 0;
  for (const [courseId, list] of byCourse) {
    await courseQueue.run(courseId, async () => {
      for (const s of list) if ((await reconcileOfferSeat(s, now)) !== 'kept') changed += 1;
      await fillWithin(courseId, now);
    });
  }
  return changed;
}

export const offerLapseJob: ScheduledJob = { name: 'course-offer-lapse', everyMs: 60_000, run: () => lapseOffers() };
