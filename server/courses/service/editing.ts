// Staff create, edit, publish and cancel courses.
import { Course } from '../../../models/course.ts';
import { Enrolment } from '../../../models/enrolment.ts';
import { Attendance } from '../../../models/attendance.ts';
import { Refusal } from '../../lib/refusal.ts';
import { audit } from '../../audit/service.ts';
import { notify } from '../../notifications/service.ts';
import { getCenter } from '../../centers/tree.ts';
import { deleteFile, type StoredFile } from '../../files/store.ts';
import type { CourseInput } from '../schemas.ts';
import { oid, type LeanCourse } from './catalog.ts';
import { readRoll } from './roll.ts';
import { fillSeats } from './seats.ts';

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
  const seats = (await readRoll(course._id)).seats;
  if (input.capacity < seats.length) return { ok: false, field: 'capacity', key: 'courses.errors.capacityBelowTaken', params: { taken: String(seats.length) } };
  // Seats are numbered 1..capacity: a seat numbered above the new capacity would not count, and
  // the freed numbers below it could be claimed again (more people than seats).
  const highest = Math.max(0, ...seats.map((s) => s.n));
  if (input.capacity < highest) return { ok: false, field: 'capacity', key: 'courses.errors.capacityBelowSeatNo', params: { n: String(highest) } };
  // Sessions that already have attendance cannot be dropped.
  const keep = new Set(input.sessions.filter((s) => s.id).map((s) => s.id));
  const dropped = course.sessions.filter((s) => !keep.has(String(s._id))).map((s) => s._id);
  if (dropped.length && (await Attendance.exists({ session: { $in: dropped } })))
    return { ok: false, field: 'sessions', key: 'courses.errors.sessionHasAttendance' };
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
  await audit(actor, {
    action: 'course.update',
    targetType: 'course',
    targetId: String(course._id),
    center: input.center,
    details: { title: input.title, capacity: input.capacity, offerHours: input.offerHours },
  });
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
  const affected = await Enrolment.find({ course: course._id, status: { $in: ['confirmed', 'waitlisted', 'offered', 'pending'] } }, { resident: 1 }).lean();
  for (const e of affected) await notify(String(e.resident), 'courseCancelled', { course: course.title }, `/courses/${String(course._id)}`);
  return affected.length;
}

/** Teaching materials already stored (private files owned by the course) join its list. */
export async function addMaterials(actor: Express.User, course: LeanCourse, files: StoredFile[]): Promise<void> {
  await Course.updateOne({ _id: course._id }, { $push: { materials: { $each: files.map((f) => ({ id: f.id, name: f.name, type: f.type, size: f.size })) } } });
  await audit(actor, {
    action: 'course.materials',
    targetType: 'course',
    targetId: String(course._id),
    center: String(course.center),
    details: { added: files.map((f) => f.name).join(', ') },
  });
}

export async function deleteMaterial(actor: Express.User, course: LeanCourse, fid: string): Promise<void> {
  if (!course.materials.some((m) => m.id === fid)) throw new Refusal('not-found', 'errors.notFound');
  await Course.updateOne({ _id: course._id }, { $pull: { materials: { id: fid } } });
  await deleteFile(fid).catch(() => {});
  await audit(actor, {
    action: 'course.materials.delete',
    targetType: 'course',
    targetId: String(course._id),
    center: String(course.center),
    details: { file: fid },
  });
}
