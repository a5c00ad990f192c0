import { deferredRepair } from '../../scheduler.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { Seat } from '../../../models/seat.ts';
import { fillSeats } from './seats.ts';
import { repairOffers } from './offers.ts';
import { rebuildAllRolls, rebuildLagging } from './roll.ts';
import { isObjectId, oid } from '../../lib/ids.ts';

/**
 * Repairs what a crash between two writes can leave behind, so seats and enrolments agree:
 * a seat held by an enrolment still marked pending or waiting confirms it; a seat whose
 * enrolment has ended (or vanished) is freed; a pending enrolment without a seat joins the
 * waitlist; the rolls are rebuilt from what the seats and enrolments now say (every roll at
 * start-up, the touched and lagging ones while serving); seats held for offers are settled, kept,
 * recorded or passed on (offers.ts); then freed seats are offered to the waitlist. Run at
 * start-up, before serving, and after a write failed half-way. With `only`, the courses in flight
 * at a crash (recovery.ts), only their seats and enrolments are looked at.
 */
export async function repairEnrolments(
  olderThanMs = 0,
  now = new Date(),
  only?: string[],
): Promise<{ confirmed: number; freed: number; requeued: number; offers: number }> {
  const out = { confirmed: 0, freed: 0, requeued: 0, offers: 0 };
  // While serving, leave recent records alone: an enrolment in flight is not a broken one.
  const cutoff = new Date(Date.now() - olderThanMs);
  const scope = only ? { course: { $in: only.filter(isObjectId).map(oid) } } : {};
  const seats = (await Seat.find(scope, { enrolment: 1, course: 1, at: 1, offerExpiresAt: 1 }).lean()).filter((s) => s.at <= cutoff && !s.offerExpiresAt);
  const enrolments = new Map(
    (await Enrolment.find({ _id: { $in: seats.map((s) => s.enrolment) } }, { status: 1 }).lean()).map((e) => [String(e._id), e.status]),
  );
  const courses = new Set<string>();
  for (const s of seats) {
    const status = enrolments.get(String(s.enrolment));
    if (status === 'pending' || status === 'waitlisted' || status === 'offered') {
      await Enrolment.updateOne({ _id: s.enrolment }, { $set: { status: 'confirmed', confirmedAt: s.at } });
      out.confirmed += 1;
    } else if (status !== 'confirmed') {
      await Seat.deleteOne({ _id: s._id });
      courses.add(String(s.course));
      out.freed += 1;
    }
  }
  for (const e of (await Enrolment.find({ ...scope, status: 'pending' }, { course: 1, createdAt: 1 }).lean()).filter((x) => x.createdAt <= cutoff)) {
    await Enrolment.updateOne({ _id: e._id, status: 'pending' }, { $set: { status: 'waitlisted' } });
    courses.add(String(e.course));
    out.requeued += 1;
  }
  if (olderThanMs === 0) for (const id of await rebuildAllRolls(only)) courses.add(id);
  else for (const id of await rebuildLagging(courses)) courses.add(id);
  out.offers = await repairOffers(now, only);
  for (const id of courses) await fillSeats(id, now);
  return out;
}

// After a write failed between two related writes, repair once nothing is still in flight.
export const enrolmentRepair = deferredRepair('courses.repairEnrolments', () => repairEnrolments(20_000));
