import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { deferredRepair } from '../scheduler.ts';
import { Course, type CourseDoc } from '../../models/course.ts';
import { Enrolment, activeKeyOf, type EnrolmentDoc } from '../../models/enrolment.ts';
import { Seat } from '../../models/seat.ts';
import { Attendance } from '../../models/attendance.ts';
import { Completion } from '../../models/completion.ts';
import { User } from '../../models/user.ts';
import { Refusal } from '../lib/refusal.ts';
import { clockTime } from '../lib/format.ts';
import { canActOnCenter, canActOnResident } from '../centers/scope.ts';
import { audit } from '../audit/service.ts';
import { notify } from '../notifications/service.ts';
import { courseQueue, publishedCourses } from '../store/index.ts';
import { getCenter, subtreeIds } from '../centers/tree.ts';
import { isDuplicateKey } from '../accounts/service.ts';
import type { CourseInput } from './schemas.ts';

export type LeanCourse = CourseDoc;
const oid = (id: string | Types.ObjectId) => (id instanceof Types.ObjectId ? id : new Types.ObjectId(id));
const isId = (id: unknown): id is string => typeof id === 'string' && /^[a-f\d]{24}$/i.test(id);

// ---------------------------------------------------------------- reading

export async function getCourse(id: string): Promise<LeanCourse> {
  if (!isId(id)) throw new Refusal('not-found', 'errors.notFound');
  const c = await Course.findById(id).lean<LeanCourse>();
  if (!c) throw new Refusal('not-found', 'errors.notFound');
  return c;
}

/** Seats taken per course, counted from the seat documents themselves. */
export async function seatCounts(courseIds: Types.ObjectId[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(courseIds.map((id) => [String(id), 0]));
  if (!courseIds.length) return out;
  const seats = await Seat.find({ course: { $in: courseIds } }, { course: 1, _id: 0 }).lean();
  for (const s of seats) out.set(String(s.course), (out.get(String(s.course)) ?? 0) + 1);
  return out;
}

export async function seatsTaken(courseId: string | Types.ObjectId): Promise<number> {
  return Seat.countDocuments({ course: oid(courseId) });
}

export function nextSession(c: Pick<LeanCourse, 'sessions'>, now = new Date()) {
  return c.sessions.find((s) => s.endsAt > now) ?? null;
}

export function courseHours(c: Pick<LeanCourse, 'sessions'>): number {
  const ms = c.sessions.reduce((sum, s) => sum + (s.endsAt.getTime() - s.startsAt.getTime()), 0);
  return Math.round((ms / 3600_000) * 10) / 10;
}

export interface CatalogueFilter {
  category?: string;
  center?: string;
  within?: number | null;
  seatsOnly?: boolean;
}

/** Published courses, filtered; counts come from the seat documents. */
export async function catalogue(f: CatalogueFilter, now = new Date()) {
  // All published courses with their seat counts, cached briefly (a town has tens of them);
  // filters run in memory so a catalogue page does not wait on the database.
  const { courses: all, counts } = await publishedCourses.get('all', async () => {
    const courses = await Course.find({ status: 'published' }, { description: 0, materials: 0 }).sort({ firstSessionAt: 1, _id: 1 }).lean<LeanCourse[]>();
    return { courses, counts: await seatCounts(courses.map((c) => c._id)) };
  });
  const within = f.center ? new Set(await subtreeIds(f.center)) : null;
  const courses = all.filter((c) => (!f.category || c.category === f.category) && (!within || within.has(String(c.center))));
  const horizon = f.within ? now.getTime() + f.within * 86400_000 : null;
  return courses
    .filter((c) => (c.lastSessionAt ?? c.firstSessionAt ?? now) >= now)
    .map((c) => ({ course: c, taken: counts.get(String(c._id)) ?? 0, next: nextSession(c, now) }))
    .filter((x) => !f.seatsOnly || x.taken < x.course.capacity)
    .filter((x) => !horizon || (x.course.firstSessionAt && x.course.firstSessionAt.getTime() <= horizon && x.course.firstSessionAt >= now));
}

/** Waiting enrolments in order: position = index + 1. */
export async function waitlist(courseId: string | Types.ObjectId) {
  const list = await Enrolment.find({ course: oid(courseId), status: 'waitlisted' }, { resident: 1, residentName: 1, residentPhone: 1, createdAt: 1, source: 1 })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  list.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || String(a._id).localeCompare(String(b._id)));
  return list;
}

export async function positionOf(courseId: string | Types.ObjectId, enrolmentId: string | Types.ObjectId): Promise<number | null> {
  const idx = (await waitlist(courseId)).findIndex((e) => String(e._id) === String(enrolmentId));
  return idx < 0 ? null : idx + 1;
}

export async function activeEnrolment(courseId: string, residentId: string) {
  return Enrolment.findOne({ activeKey: activeKeyOf(courseId, residentId) }).lean<EnrolmentDoc>();
}

export async function confirmedEnrolments(courseId: string | Types.ObjectId) {
  return Enrolment.find({ course: oid(courseId), status: 'confirmed' }, { resident: 1, residentName: 1, residentPhone: 1, source: 1, confirmedAt: 1 })
    .sort({ residentName: 1 })
    .lean();
}

// ---------------------------------------------------------------- staff: courses

function sessionsFrom(input: CourseInput['sessions']) {
  return input.map((s) => ({ ...(s.id ? { _id: oid(s.id) } : {}), startsAt: s.startsAt, endsAt: s.endsAt, topic: s.topic }));
}

async function centerCopy(centerId: string) {
  const node = await getCenter(centerId);
  if (!node) throw new Refusal('invalid', 'errors.choose');
  return { centerName: node.name, centerNameEn: node.nameEn };
}

export async function createCourse(actor: Express.User, input: CourseInput): Promise<string> {
  const sessions = sessionsFrom(input.sessions);
  const doc = await Course.create({
    ...input,
    ...(await centerCopy(input.center)),
    sessions,
    firstSessionAt: sessions[0]?.startsAt ?? null,
    lastSessionAt: sessions.at(-1)?.endsAt ?? null,
    createdBy: actor.id,
    status: 'draft',
  });
  await audit(actor, { action: 'course.create', targetType: 'course', targetId: String(doc._id), center: input.center, details: { title: input.title } });
  return String(doc._id);
}

export type UpdateResult = { ok: true } | { ok: false; field: string; key: string; params?: Record<string, string> };

export async function updateCourse(actor: Express.User, course: LeanCourse, input: CourseInput): Promise<UpdateResult> {
  if (course.status === 'completed' || course.status === 'cancelled') throw new Refusal('conflict', 'courses.errors.closed');
  const taken = await seatsTaken(course._id);
  if (input.capacity < taken) return { ok: false, field: 'capacity', key: 'courses.errors.capacityBelowTaken', params: { taken: String(taken) } };
  // Sessions that already have attendance cannot be dropped.
  const keep = new Set(input.sessions.filter((s) => s.id).map((s) => s.id));
  const dropped = course.sessions.filter((s) => !keep.has(String(s._id))).map((s) => s._id);
  if (dropped.length && (await Attendance.exists({ session: { $in: dropped } }))) return { ok: false, field: 'sessions', key: 'courses.errors.sessionHasAttendance' };
  const known = new Set(course.sessions.map((s) => String(s._id)));
  const sessions = sessionsFrom(input.sessions.map((s) => (s.id && known.has(s.id) ? s : { ...s, id: null })));
  await Course.updateOne(
    { _id: course._id },
    {
      $set: {
        ...input,
        ...(await centerCopy(input.center)),
        sessions,
        firstSessionAt: sessions[0]?.startsAt ?? null,
        lastSessionAt: sessions.at(-1)?.endsAt ?? null,
      },
    },
  );
  await audit(actor, { action: 'course.update', targetType: 'course', targetId: String(course._id), center: input.center, details: { title: input.title, capacity: input.capacity } });
  if (course.status === 'published' && input.capacity > course.capacity) await fillSeats(String(course._id));
  return { ok: true };
}

export async function publishCourse(actor: Express.User, course: LeanCourse): Promise<void> {
  if (course.status !== 'draft') throw new Refusal('conflict', 'courses.errors.notDraft');
  await Course.updateOne({ _id: course._id }, { $set: { status: 'published', publishedAt: new Date() } });
  await audit(actor, { action: 'course.publish', targetType: 'course', targetId: String(course._id), center: String(course.center) });
}

export async function cancelCourse(actor: Express.User, course: LeanCourse): Promise<number> {
  if (course.status !== 'draft' && course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  await Course.updateOne({ _id: course._id }, { $set: { status: 'cancelled', closedAt: new Date() } });
  await audit(actor, { action: 'course.cancel', targetType: 'course', targetId: String(course._id), center: String(course.center) });
  const affected = await Enrolment.find({ course: course._id, status: { $in: ['confirmed', 'waitlisted', 'pending'] } }, { resident: 1 }).lean();
  for (const e of affected) await notify(String(e.resident), 'courseCancelled', { course: course.title }, `/courses/${String(course._id)}`);
  return affected.length;
}

// ---------------------------------------------------------------- enrolment

export type EnrolResult = { status: 'confirmed' | 'waitlisted'; enrolmentId: string; position: number | null; already: boolean };

export function ageOf(birthYear: number | null | undefined, now = new Date()): number | null {
  return birthYear ? now.getFullYear() - birthYear : null;
}

/** Eligibility refusals as i18n keys (shown in words), or null when the resident may enrol. */
export function eligibilityProblem(course: LeanCourse, resident: { role: string; birthYear?: number | null }, now = new Date()): { key: string; params?: Record<string, string> } | null {
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

/**
 * Tries to give an enrolment a confirmed seat by inserting a seat document under the unique
 * {course, seatNo} index. Returns true when the enrolment holds a seat afterwards.
 */
async function claimSeat(course: Pick<LeanCourse, '_id' | 'capacity'>, enrolmentId: Types.ObjectId, residentId: Types.ObjectId): Promise<boolean> {
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

export async function enrol(courseId: string, residentId: string, opts: { source?: 'self' | 'desk'; now?: Date } = {}): Promise<EnrolResult> {
  const course = await getCourse(courseId);
  const resident = await User.findById(residentId, { name: 1, phone: 1, role: 1, birthYear: 1 }).lean();
  if (!resident) throw new Refusal('not-found', 'errors.notFound');
  const problem = eligibilityProblem(course, resident, opts.now);
  if (problem) throw new Refusal(problem.key === 'courses.errors.residentsOnly' ? 'forbidden' : problem.key === 'courses.errors.notOpen' ? 'conflict' : 'invalid', problem.key, problem.params);

  // No look-up first (a scan on FerretDB): the unique activeKey turns a second enrolment of
  // the same resident, at once or later, into a duplicate key answered below.
  let enrolment: EnrolmentDoc;
  try {
    // Someone already waiting goes first: a newcomer joins the queue behind them.
    const someoneWaiting = !!(await Enrolment.exists({ course: course._id, status: 'waitlisted' }));
    const doc = await Enrolment.create({
      course: course._id,
      resident: resident._id,
      activeKey: activeKeyOf(courseId, residentId),
      status: someoneWaiting ? 'waitlisted' : 'pending',
      residentName: resident.name,
      residentPhone: resident.phone,
      courseTitle: course.title,
      center: course.center,
      source: opts.source ?? 'self',
    });
    enrolment = doc.toObject() as EnrolmentDoc;
  } catch (err) {
    if (!isDuplicateKey(err)) {
      scheduleRepair(); // the insert may have landed without its answer reaching us
      throw err;
    }
    // Already enrolled (or enrolling twice at once): the unique activeKey lets one through.
    const again = await waitForSettled(courseId, residentId);
    return describe(again, true);
  }

  let status: 'confirmed' | 'waitlisted' = 'waitlisted';
  if (enrolment.status === 'pending') {
    try {
      status = (await claimSeat(course, enrolment._id, resident._id)) ? 'confirmed' : 'waitlisted';
      await Enrolment.updateOne({ _id: enrolment._id }, { $set: { status, ...(status === 'confirmed' ? { confirmedAt: new Date() } : {}) } });
    } catch (err) {
      scheduleRepair(); // the database failed between the two writes
      throw err;
    }
  }
  const link = `/courses/${courseId}`;
  if (status === 'confirmed') {
    await notify(residentId, 'courseEnrolled', { course: course.title }, link);
    return { status, enrolmentId: String(enrolment._id), position: null, already: false };
  }
  // A seat may have been freed while we queued: let the promoter look.
  if ((await seatsTaken(course._id)) < course.capacity) await fillSeats(courseId);
  const fresh = await Enrolment.findById(enrolment._id).lean<EnrolmentDoc>();
  if (fresh?.status === 'confirmed') return { status: 'confirmed', enrolmentId: String(enrolment._id), position: null, already: false };
  const position = await positionOf(courseId, enrolment._id);
  await notify(residentId, 'courseWaitlisted', { course: course.title, position: String(position ?? '') }, link);
  return { status: 'waitlisted', enrolmentId: String(enrolment._id), position, already: false };
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
  const status = e.status === 'confirmed' ? 'confirmed' : 'waitlisted';
  return { status, enrolmentId: String(e._id), position: status === 'waitlisted' ? await positionOf(e.course, e._id) : null, already };
}

/**
 * Gives freed seats to the first waiting residents, in order. One runner per course on this
 * node; across nodes the unique seat index still keeps the count within capacity.
 */
export function fillSeats(courseId: string): Promise<number> {
  return courseQueue.run(courseId, async () => {
    const course = await Course.findById(courseId, { capacity: 1, status: 1, title: 1 }).lean();
    if (!course || course.status !== 'published') return 0;
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

/** A resident gives up their place (confirmed or waiting); a freed seat goes to position 1. */
export async function withdraw(courseId: string, residentId: string): Promise<{ promoted: number }> {
  const e = await activeEnrolment(courseId, residentId);
  if (!e || (e.status !== 'confirmed' && e.status !== 'waitlisted')) throw new Refusal('conflict', 'courses.errors.notEnrolled');
  const course = await getCourse(courseId);
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  return endEnrolment(e, 'withdrawn');
}

async function endEnrolment(e: EnrolmentDoc, status: 'withdrawn' | 'cancelled'): Promise<{ promoted: number }> {
  await Enrolment.updateOne({ _id: e._id }, { $set: { status, activeKey: `${e.activeKey}:x:${String(e._id)}`, endedAt: new Date() } });
  await Seat.deleteOne({ enrolment: e._id });
  const promoted = await fillSeats(String(e.course));
  return { promoted };
}

/** Staff remove an enrolment (e.g. the resident phoned in). */
export async function removeEnrolment(actor: Express.User, course: LeanCourse, enrolmentId: string): Promise<void> {
  if (!isId(enrolmentId)) throw new Refusal('not-found', 'errors.notFound');
  const e = await Enrolment.findOne({ _id: enrolmentId, course: course._id }).lean<EnrolmentDoc>();
  if (!e) throw new Refusal('not-found', 'errors.notFound');
  if (e.status !== 'confirmed' && e.status !== 'waitlisted') throw new Refusal('conflict', 'courses.errors.notEnrolled');
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  await endEnrolment(e, 'cancelled');
  await audit(actor, { action: 'course.removeEnrolment', targetType: 'enrolment', targetId: enrolmentId, center: String(course.center), details: { resident: e.residentName } });
}

export type WalkInResult = { ok: true; result: EnrolResult; created: boolean; name: string } | { ok: false; field: string; key: string; params?: Record<string, string> };

/**
 * A refusal said to the staff member about the person at the desk (third person, with the
 * birth year it was judged on), not the resident-facing wording of eligibilityProblem.
 */
function deskRefusal(problem: { key: string; params?: Record<string, string> }, who: { name: string; birthYear: number | null; onRecord: boolean }, now: Date) {
  const reason = problem.key.split('.').pop()!;
  const params: Record<string, string> = { ...problem.params, name: who.name, birthYear: String(who.birthYear ?? ''), age: String(ageOf(who.birthYear, now) ?? '') };
  if (reason === 'needBirthYear') return { ok: false as const, field: 'birthYear', key: 'courses.walkInRefused.needBirthYear', params };
  const key = (reason === 'tooYoung' || reason === 'tooOld') && who.onRecord ? `${reason}OnRecord` : reason;
  return { ok: false as const, field: reason === 'tooYoung' || reason === 'tooOld' ? 'birthYear' : 'phone', key: `courses.walkInRefused.${key}`, params };
}

/**
 * Staff at the desk enrol a resident by phone, creating a minimal account when needed.
 * Eligibility is checked before anything is written: a refused walk-in leaves no account
 * behind (a typo in a new person's birth year is fixed by simply submitting again).
 */
export async function walkIn(actor: Express.User, course: LeanCourse, input: { phone: string; name: string; birthYear: number | null }, now = new Date()): Promise<WalkInResult> {
  let user = await User.findOne({ phone: input.phone }, { role: 1, name: 1, birthYear: 1, homeCenter: 1 }).lean();
  let created = false;
  if (user && user.role !== 'resident') return { ok: false, field: 'phone', key: 'courses.errors.notAResident' };
  // A resident of a center outside the desk's scope is not shown or enrolled (issue 14, finding 4).
  if (user && !(await canActOnResident(actor, user))) return { ok: false, field: 'phone', key: 'courses.errors.otherCenter' };
  if (!user && !input.name) return { ok: false, field: 'name', key: 'courses.errors.nameForNew' };
  const onRecord = !!user?.birthYear;
  const birthYear = user?.birthYear ?? input.birthYear;
  const name = user?.name ?? input.name;
  const problem = eligibilityProblem(course, { role: 'resident', birthYear }, now);
  if (problem) return deskRefusal(problem, { name, birthYear, onRecord }, now);
  if (!user) {
    try {
      const doc = await User.create({ phone: input.phone, name: input.name, role: 'resident', homeCenter: course.center, birthYear: input.birthYear, passwordHash: null });
      user = doc.toObject();
      created = true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      user = await User.findOne({ phone: input.phone }, { role: 1, name: 1, birthYear: 1, homeCenter: 1 }).lean();
      if (!user || user.role !== 'resident') return { ok: false, field: 'phone', key: 'courses.errors.notAResident' };
      if (!(await canActOnResident(actor, user))) return { ok: false, field: 'phone', key: 'courses.errors.otherCenter' };
    }
  } else if (input.birthYear && !user.birthYear) {
    await User.updateOne({ _id: user._id }, { $set: { birthYear: input.birthYear } });
  }
  const result = await enrol(String(course._id), String(user._id), { source: 'desk' });
  await audit(actor, {
    action: 'course.walkIn',
    targetType: 'enrolment',
    targetId: result.enrolmentId,
    center: String(course.center),
    details: { course: course.title, resident: user.name, created, status: result.status },
  });
  return { ok: true, result, created, name: user.name };
}

// ---------------------------------------------------------------- residents' view

export async function myCourses(residentId: string, now = new Date()) {
  const enrolments = await Enrolment.find({ resident: oid(residentId) }, { course: 1, status: 1, createdAt: 1, courseTitle: 1 }).sort({ createdAt: -1 }).limit(100).lean();
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

// ---------------------------------------------------------------- attendance and completion

export function findSession(course: LeanCourse, sessionId: string) {
  const s = course.sessions.find((x) => String(x._id) === sessionId);
  if (!s) throw new Refusal('not-found', 'errors.notFound');
  return s;
}

export async function sessionAttendance(sessionId: Types.ObjectId) {
  return Attendance.find({ session: sessionId }, { resident: 1, residentName: 1, method: 1, at: 1 }).sort({ at: 1 }).lean();
}

/** Attendance opens this long before a session starts (people arrive early). */
export const ATTENDANCE_OPENS_MS = 30 * 60_000;

/**
 * Where a session stands for attendance: QR check-in is open from 30 minutes before the start
 * to the end; roll call opens at the same time and stays open afterwards (a paper sheet is
 * entered later). Nobody can be marked present at a class that has not begun.
 */
export function attendanceWindow(s: { startsAt: Date; endsAt: Date }, now = new Date()): 'early' | 'open' | 'ended' {
  if (now.getTime() < s.startsAt.getTime() - ATTENDANCE_OPENS_MS) return 'early';
  return now.getTime() > s.endsAt.getTime() ? 'ended' : 'open';
}

/** Roll call: exactly the ticked confirmed residents are present at this session. */
export async function rollCall(actor: Express.User, course: LeanCourse, sessionId: string, present: string[], now = new Date()): Promise<{ marked: number; unmarked: number }> {
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  const session = findSession(course, sessionId);
  if (attendanceWindow(session, now) === 'early') throw new Refusal('conflict', 'courses.session.notStarted', { opens: clockTime(new Date(session.startsAt.getTime() - ATTENDANCE_OPENS_MS)) });
  const confirmed = await confirmedEnrolments(course._id);
  const want = new Set(present);
  const existing = new Set((await sessionAttendance(session._id)).map((a) => String(a.resident)));
  let marked = 0;
  let unmarked = 0;
  for (const e of confirmed) {
    const rid = String(e.resident);
    if (want.has(rid) && !existing.has(rid)) {
      try {
        await Attendance.create({ course: course._id, session: session._id, resident: e.resident, residentName: e.residentName, method: 'roll', by: actor.id });
        marked += 1;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    } else if (!want.has(rid) && existing.has(rid)) {
      await Attendance.deleteOne({ session: session._id, resident: e.resident });
      unmarked += 1;
    }
  }
  await audit(actor, { action: 'course.rollCall', targetType: 'course', targetId: String(course._id), center: String(course.center), details: { session: sessionId, marked, unmarked } });
  return { marked, unmarked };
}

/** Met the completion rule? attended / sessions ≥ percent (integer arithmetic, no rounding). */
export function meetsRule(attended: number, sessions: number, percent: number): boolean {
  if (sessions === 0) return false;
  return attended * 100 >= percent * sessions;
}

function verificationCode(): string {
  // Unambiguous letters and digits, easy to read aloud and type.
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  let s = '';
  for (let i = 0; i < 10; i += 1) s += alphabet[crypto.randomInt(alphabet.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Issues a completion record; idempotent per (resident, course). */
export async function issueCompletion(course: LeanCourse, resident: { id: Types.ObjectId; name: string }, attendedPercent: number): Promise<{ code: string; created: boolean }> {
  const existing = await Completion.findOne({ resident: resident.id, course: course._id }, { code: 1 }).lean();
  if (existing) return { code: existing.code, created: false };
  for (let i = 0; i < 5; i += 1) {
    const code = verificationCode();
    try {
      await Completion.create({
        resident: resident.id,
        course: course._id,
        category: course.category,
        center: course.center,
        residentName: resident.name,
        courseTitle: course.title,
        centerName: course.centerName,
        hours: courseHours(course),
        attendedPercent,
        code,
      });
      return { code, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await Completion.findOne({ resident: resident.id, course: course._id }, { code: 1 }).lean();
      if (again) return { code: again.code, created: false };
    }
  }
  throw new Error('no free certificate code after several tries'); // a 500: nothing the person can fix
}

/** Staff complete a course: confirmed residents who met the rule get a certificate. */
export async function completeCourse(actor: Express.User, course: LeanCourse): Promise<{ issued: number; notMet: number }> {
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.notPublished');
  await Course.updateOne({ _id: course._id }, { $set: { status: 'completed', closedAt: new Date() } });
  const confirmed = await confirmedEnrolments(course._id);
  const records = await Attendance.find({ course: course._id }, { resident: 1, session: 1 }).lean();
  const sessionIds = new Set(course.sessions.map((s) => String(s._id)));
  let issued = 0;
  let notMet = 0;
  for (const e of confirmed) {
    const n = new Set(records.filter((a) => String(a.resident) === String(e.resident) && sessionIds.has(String(a.session))).map((a) => String(a.session))).size;
    if (!meetsRule(n, course.sessions.length, course.completionPercent)) {
      notMet += 1;
      continue;
    }
    const pct = Math.floor((n * 100) / course.sessions.length);
    const { code, created } = await issueCompletion(course, { id: e.resident, name: e.residentName }, pct);
    if (created) {
      issued += 1;
      await notify(String(e.resident), 'courseCertificate', { course: course.title }, `/certificates/${code}`);
    }
  }
  await audit(actor, { action: 'course.complete', targetType: 'course', targetId: String(course._id), center: String(course.center), details: { issued, notMet } });
  return { issued, notMet };
}

export async function certificate(code: string) {
  if (!/^[A-Z0-9-]{4,20}$/i.test(code)) return null;
  return Completion.findOne({ code: code.toUpperCase() }, { residentName: 1, courseTitle: 1, centerName: 1, hours: 1, attendedPercent: 1, code: 1, issuedAt: 1, category: 1, center: 1, course: 1 }).lean();
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

/**
 * Repairs what a crash between two writes can leave behind, so seats and enrolments agree:
 * a seat held by an enrolment still marked pending or waiting confirms it; a seat whose
 * enrolment has ended (or vanished) is freed; a pending enrolment without a seat joins the
 * waitlist; then freed seats go to the waitlist. Run at start-up, before serving.
 */
export async function repairEnrolments(olderThanMs = 0): Promise<{ confirmed: number; freed: number; requeued: number }> {
  const out = { confirmed: 0, freed: 0, requeued: 0 };
  // While serving, leave recent records alone: an enrolment in flight is not a broken one.
  const cutoff = new Date(Date.now() - olderThanMs);
  const seats = (await Seat.find({}, { enrolment: 1, course: 1, at: 1 }).lean()).filter((s) => s.at <= cutoff);
  const enrolments = new Map(
    (await Enrolment.find({ _id: { $in: seats.map((s) => s.enrolment) } }, { status: 1 }).lean()).map((e) => [String(e._id), e.status]),
  );
  const courses = new Set<string>();
  for (const s of seats) {
    const status = enrolments.get(String(s.enrolment));
    if (status === 'pending' || status === 'waitlisted') {
      await Enrolment.updateOne({ _id: s.enrolment }, { $set: { status: 'confirmed', confirmedAt: s.at } });
      out.confirmed += 1;
    } else if (status !== 'confirmed') {
      await Seat.deleteOne({ _id: s._id });
      courses.add(String(s.course));
      out.freed += 1;
    }
  }
  for (const e of (await Enrolment.find({ status: 'pending' }, { course: 1, createdAt: 1 }).lean()).filter((x) => x.createdAt <= cutoff)) {
    await Enrolment.updateOne({ _id: e._id, status: 'pending' }, { $set: { status: 'waitlisted' } });
    courses.add(String(e.course));
    out.requeued += 1;
  }
  for (const id of courses) await fillSeats(id);
  return out;
}

// After a write failed between two related writes, repair once nothing is still in flight.
const scheduleRepair = deferredRepair('courses.repairEnrolments', () => repairEnrolments(20_000));
