// A course's roll: who holds its seats and who waits, in order, kept on one document per course
// (models/course-roll.ts) so that every write path reads it by `_id`. Everything here runs inside
// the course's queue (courseQueue), except the plain reads at the bottom. The seat documents stay
// the truth: a seat is claimed by inserting it under the unique {course, seatNo} index, the roll
// follows; when the roll is found lagging (a crash between the two writes) it is rebuilt from the
// seats and the waiting enrolments, which are the only reads here that scan.
import type { Types } from 'mongoose';
import { CourseRoll, type RollDoc } from '../../../models/course-roll.ts';
import { Seat } from '../../../models/seat.ts';
import { Enrolment, activeKeyOf, type EnrolmentDoc } from '../../../models/enrolment.ts';
import { claimNumberedSlot, courseQueue, numberedSlotId } from '../../store/index.ts';
import { enrolmentRepair } from './repairs.ts';
import { isObjectId, oid } from '../../lib/ids.ts';

type Id = string | Types.ObjectId;
const same = (a: unknown, b: unknown) => String(a) === String(b);

/** The roll of a course; a course nobody has enrolled in yet has none stored (start-up repair builds the others). */
export async function readRoll(courseId: Id): Promise<RollDoc> {
  const doc = await CourseRoll.findById(oid(courseId)).lean<RollDoc>();
  return doc ?? { _id: oid(courseId), seats: [], waiting: [] };
}

// Courses whose roll may lag behind their seats because a write failed half-way; rebuilt by rollRepair.
const lagging = new Set<string>();

async function saveRoll(roll: RollDoc): Promise<void> {
  try {
    await CourseRoll.updateOne({ _id: roll._id }, { $set: { seats: roll.seats, waiting: roll.waiting } }, { upsert: true });
  } catch (err) {
    lagging.add(String(roll._id));
    enrolmentRepair.schedule(); // rebuilds lagging rolls (repairs.ts)
    throw err;
  }
}

/**
 * Gives the enrolment a seat (held for an offer until `offerExpiresAt`, or confirmed): the lowest
 * number free on the roll, claimed as a numbered slot `<course>:<n>` (server/store/slots.ts), so
 * the `_id` and {course, seatNo} indexes refuse a taken number. Takes the enrolment off the
 * waiting list. False when every seat is taken.
 */
export async function takeSeat(
  course: { _id: Types.ObjectId; capacity: number },
  enrolment: Types.ObjectId,
  resident: Types.ObjectId,
  offerExpiresAt: Date | null = null,
): Promise<boolean> {
  const roll = await readRoll(course._id);
  if (roll.seats.some((s) => same(s.e, enrolment))) return true;
  const taken = new Set(roll.seats.map((s) => s.n));
  let first = 1;
  while (taken.has(first)) first += 1;
  if (first > course.capacity) return false;
  let lagged = false;
  const n = await claimNumberedSlot(
    Seat,
    String(course._id),
    course.capacity,
    (seatNo) => ({ course: course._id, seatNo, enrolment, resident, offerExpiresAt }),
    {
      first,
      // A number the roll showed free is taken: the roll lags behind the seats (a crash between
      // two writes, or a seat stored before numbered slots). It is rebuilt below.
      refused: () => {
        lagged = true;
      },
    },
  );
  // Refused everywhere (every seat taken, or by the {enrolment} index: a seat the roll missed) or
  // somewhere: read the seats once and answer from them.
  if (lagged || !n) {
    await rebuildRoll(course._id);
    const fresh = await readRoll(course._id);
    return fresh.seats.some((s) => same(s.e, enrolment));
  }
  roll.seats.push({ n, e: enrolment, r: resident, id: numberedSlotId(String(course._id), n) });
  roll.waiting = roll.waiting.filter((w) => !same(w.e, enrolment));
  await saveRoll(roll);
  return true;
}

/** Puts a waiting enrolment on the list: at the end, or first (an accepted offer whose seat was lost). */
export async function joinWaitlist(courseId: Id, enrolment: Types.ObjectId, resident: Types.ObjectId, first = false): Promise<number> {
  const roll = await readRoll(courseId);
  roll.waiting = roll.waiting.filter((w) => !same(w.e, enrolment));
  if (first) roll.waiting.unshift({ e: enrolment, r: resident });
  else roll.waiting.push({ e: enrolment, r: resident });
  await saveRoll(roll);
  return roll.waiting.findIndex((w) => same(w.e, enrolment)) + 1;
}

/** Takes a waiting entry off the list without touching seats (an entry whose enrolment moved on). */
export async function dropWaiting(courseId: Id, enrolment: Types.ObjectId): Promise<void> {
  const roll = await readRoll(courseId);
  roll.waiting = roll.waiting.filter((w) => !same(w.e, enrolment));
  await saveRoll(roll);
}

/**
 * Takes an enrolment off the roll: frees the seat it holds (by the `_id` the roll knows, or
 * `seatId`), or its place on the waiting list. `held`: the enrolment is known to hold a seat, so a
 * seat the roll does not know of (it lagged) is found by its enrolment, once.
 */
export async function leaveRoll(courseId: Id, enrolment: Types.ObjectId, opts: { held?: boolean; seatId?: unknown } = {}): Promise<void> {
  const roll = await readRoll(courseId);
  const id = roll.seats.find((s) => same(s.e, enrolment))?.id ?? opts.seatId;
  // Only while it is still this enrolment's: a caller's snapshot may name a number since freed and claimed again.
  const freed = id != null ? (await Seat.deleteOne({ _id: id, enrolment })).deletedCount : 0;
  if (!freed && opts.held) await Seat.deleteOne({ enrolment });
  roll.seats = roll.seats.filter((s) => !same(s.e, enrolment));
  roll.waiting = roll.waiting.filter((w) => !same(w.e, enrolment));
  await saveRoll(roll);
}

/** The _id of the seat an enrolment holds, as the roll knows it. */
export async function seatIdOf(courseId: Id, enrolment: Types.ObjectId): Promise<string | Types.ObjectId | undefined> {
  return (await readRoll(courseId)).seats.find((s) => same(s.e, enrolment))?.id;
}

/** Rebuilds one course's roll from its seats and waiting enrolments (scans: only for repairs). */
export async function rebuildRoll(courseId: Id): Promise<void> {
  const course = oid(courseId);
  const [seats, waiting] = await Promise.all([
    Seat.find({ course }, { seatNo: 1, enrolment: 1, resident: 1 }).lean(),
    Enrolment.find({ course, status: 'waitlisted' }, { resident: 1, createdAt: 1 }).lean(),
  ]);
  await saveRoll(rollOf(course, seats, waiting));
}

type SeatRow = { _id: unknown; course?: unknown; seatNo: number; enrolment: Types.ObjectId; resident: Types.ObjectId };
type WaitingRow = { _id: Types.ObjectId; course?: unknown; resident: Types.ObjectId; createdAt: Date };

function rollOf(course: Types.ObjectId, seats: SeatRow[], waiting: WaitingRow[]): RollDoc {
  // A waiting enrolment that holds a seat already (a crash before its offer was recorded) is not also in line.
  const seated = new Set(seats.map((s) => String(s.enrolment)));
  const inOrder = waiting
    .filter((w) => !seated.has(String(w._id)))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || String(a._id).localeCompare(String(b._id)));
  return {
    _id: course,
    seats: [...seats].sort((a, b) => a.seatNo - b.seatNo).map((s) => ({ n: s.seatNo, e: s.enrolment, r: s.resident, id: s._id as string | Types.ObjectId })),
    waiting: inOrder.map((w) => ({ e: w._id, r: w.resident })),
  };
}

/**
 * Rebuilds every roll (or `only` these courses') from two reads of the seats and waiting
 * enrolments: at start-up, before serving. Returns the courses where someone waits (a freed
 * seat may be theirs to be offered).
 */
export async function rebuildAllRolls(only?: string[]): Promise<string[]> {
  const ids = only?.filter(isObjectId).map(oid);
  const scope = ids ? { course: { $in: ids } } : {};
  const [seats, waiting, existing] = await Promise.all([
    Seat.find(scope, { course: 1, seatNo: 1, enrolment: 1, resident: 1 }).lean(),
    Enrolment.find({ ...scope, status: 'waitlisted' }, { course: 1, resident: 1, createdAt: 1 }).lean(),
    ids ? ids.map((_id) => ({ _id })) : CourseRoll.find({}, { _id: 1 }).lean(),
  ]);
  const courses = new Set([...seats.map((s) => String(s.course)), ...waiting.map((w) => String(w.course)), ...existing.map((r) => String(r._id))]);
  const withWaiting: string[] = [];
  for (const id of courses) {
    const roll = rollOf(
      oid(id),
      seats.filter((s) => same(s.course, id)),
      waiting.filter((w) => same(w.course, id)),
    );
    await saveRoll(roll);
    if (roll.waiting.length) withWaiting.push(id);
  }
  if (!only) lagging.clear();
  return withWaiting;
}

/**
 * Rolls came with this version: a database from before it has seats and waiting enrolments but no
 * rolls. Built once, at start-up before serving (a database with rolls is left alone).
 */
export async function ensureRolls(): Promise<boolean> {
  if (await CourseRoll.exists({})) return false;
  if (!(await Seat.exists({})) && !(await Enrolment.exists({ status: 'waitlisted' }))) return false;
  await rebuildAllRolls();
  return true;
}

/** Rebuilds, each in its course's queue, the rolls found lagging while serving and the `extra` ones; returns them all. */
export async function rebuildLagging(extra: Iterable<string> = []): Promise<string[]> {
  const ids = [...new Set([...lagging, ...extra])];
  lagging.clear();
  for (const id of ids) await courseQueue.run(id, () => rebuildRoll(id));
  return ids;
}

// Reads (outside the queue): each one _id read of the roll, plus the enrolments asked for.

/** A resident's current enrolment in a course (confirmed, offered or waiting), or null. */
export async function activeEnrolment(courseId: string, residentId: string): Promise<EnrolmentDoc | null> {
  const roll = await readRoll(courseId);
  const hit = roll.seats.find((s) => same(s.r, residentId)) ?? roll.waiting.find((w) => same(w.r, residentId));
  if (!hit) return null;
  const e = await Enrolment.findById(hit.e).lean<EnrolmentDoc>();
  return e?.activeKey === activeKeyOf(courseId, residentId) ? e : null;
}

/** Waiting position of an enrolment (1 = next), or null. */
export async function positionOf(courseId: Id, enrolmentId: Id): Promise<number | null> {
  const idx = (await readRoll(courseId)).waiting.findIndex((w) => same(w.e, enrolmentId));
  return idx < 0 ? null : idx + 1;
}

export async function seatsTaken(courseId: Id): Promise<number> {
  return (await readRoll(courseId)).seats.length;
}
