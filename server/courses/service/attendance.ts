import { isDuplicateKey } from '../../store/index.ts';
// Attendance: when a session opens for it, and the staff roll call.
import type { Types } from 'mongoose';
import { Attendance } from '../../../models/attendance.ts';
import { Refusal } from '../../lib/refusal.ts';
import { clockTime } from '../../lib/format.ts';
import { audit } from '../../audit/service.ts';

import type { LeanCourse } from './catalog.ts';
import { confirmedEnrolments } from './roster.ts';

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
export async function rollCall(
  actor: Express.User,
  course: LeanCourse,
  sessionId: string,
  present: string[],
  now = new Date(),
): Promise<{ marked: number; unmarked: number }> {
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  const session = findSession(course, sessionId);
  if (attendanceWindow(session, now) === 'early')
    throw new Refusal('conflict', 'courses.session.notStarted', { opens: clockTime(new Date(session.startsAt.getTime() - ATTENDANCE_OPENS_MS)) });
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
  await audit(actor, {
    action: 'course.rollCall',
    targetType: 'course',
    targetId: String(course._id),
    center: String(course.center),
    details: { session: sessionId, marked, unmarked },
  });
  return { marked, unmarked };
}
