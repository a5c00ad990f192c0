import { isDuplicateKey } from '../../store/index.ts';
// Completing a course and its certificates.
import crypto from 'node:crypto';
import type { Types } from 'mongoose';
import { Course } from '../../../models/course.ts';
import { Attendance } from '../../../models/attendance.ts';
import { Completion } from '../../../models/completion.ts';
import { Refusal } from '../../lib/refusal.ts';
import { audit } from '../../audit/service.ts';
import { notify } from '../../notifications/service.ts';

import { courseHours, type LeanCourse } from './catalog.ts';
import { confirmedEnrolments } from './roster.ts';

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
export async function issueCompletion(
  course: LeanCourse,
  resident: { id: Types.ObjectId; name: string },
  attendedPercent: number,
): Promise<{ code: string; created: boolean }> {
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
  await audit(actor, {
    action: 'course.complete',
    targetType: 'course',
    targetId: String(course._id),
    center: String(course.center),
    details: { issued, notMet },
  });
  return { issued, notMet };
}

export async function certificate(code: string) {
  if (!/^[A-Z0-9-]{4,20}$/i.test(code)) return null;
  return Completion.findOne(
    { code: code.toUpperCase() },
    { residentName: 1, courseTitle: 1, centerName: 1, hours: 1, attendedPercent: 1, code: 1, issuedAt: 1, category: 1, center: 1, course: 1 },
  ).lean();
}
