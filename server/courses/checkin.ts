import { isDuplicateKey } from '../store/index.ts';
import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { Course } from '../../models/course.ts';
import { Attendance } from '../../models/attendance.ts';
import { Refusal } from '../lib/refusal.ts';
import { emit, rooms } from '../realtime/hub.ts';

import { ATTENDANCE_OPENS_MS, attendanceWindow } from './service/attendance.ts';
import { activeEnrolment } from './service/roster.ts';
import { formatDate, clockTime } from '../lib/format.ts';
import { canActOnCenter } from '../centers/scope.ts';
import type { Lang } from '../i18n/index.ts';

// QR check-in tokens: `<session>.<minute>.<signature>`, HMAC-signed with a key derived from
// the app's session secret (set by createApp). A token is good in the minute it was shown
// and the next one; a resident checks in once per session (unique attendance index).
let key: Buffer = crypto.randomBytes(32);

export function setCheckinSecret(secret: string): void {
  key = crypto.createHmac('sha256', secret).update('doorstep:course-checkin').digest();
}

const minuteOf = (d: Date) => Math.floor(d.getTime() / 60_000);

function sign(sessionId: string, minute: number): string {
  return crypto.createHmac('sha256', key).update(`${sessionId}.${minute}`).digest('base64url').slice(0, 22);
}

export function checkinToken(sessionId: string, at = new Date()): string {
  const minute = minuteOf(at);
  return `${sessionId}.${minute.toString(36)}.${sign(sessionId, minute)}`;
}

export type TokenCheck = { ok: true; sessionId: string } | { ok: false; key: 'courses.checkin.forged' | 'courses.checkin.expired' };

export function verifyCheckinToken(token: unknown, now = new Date()): TokenCheck {
  if (typeof token !== 'string' || token.length > 80) return { ok: false, key: 'courses.checkin.forged' };
  const m = /^([a-f\d]{24})\.([0-9a-z]{1,12})\.([\w-]{22})$/.exec(token);
  if (!m) return { ok: false, key: 'courses.checkin.forged' };
  const [, sessionId, minute36, sig] = m;
  const minute = parseInt(minute36!, 36);
  const expected = Buffer.from(sign(sessionId!, minute));
  const given = Buffer.from(sig!);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, key: 'courses.checkin.forged' };
  const current = minuteOf(now);
  if (minute !== current && minute !== current - 1) return { ok: false, key: 'courses.checkin.expired' };
  return { ok: true, sessionId: sessionId! };
}

export async function courseOfSession(sessionId: string) {
  if (!/^[a-f\d]{24}$/i.test(sessionId)) return null;
  return Course.findOne({ 'sessions._id': new Types.ObjectId(sessionId) }, { title: 1, center: 1, status: 1, sessions: 1, venue: 1 }).lean();
}

/** Why a session cannot be checked in to right now (an i18n key with params), or null. */
export function checkinRefusal(s: { startsAt: Date; endsAt: Date }, lang: Lang, now = new Date()): { key: string; params: Record<string, string> } | null {
  const w = attendanceWindow(s, now);
  if (w === 'open') return null;
  const params = {
    date: formatDate(s.startsAt, lang, 'date'),
    start: clockTime(s.startsAt),
    end: clockTime(s.endsAt),
    opens: clockTime(new Date(s.startsAt.getTime() - ATTENDANCE_OPENS_MS)),
  };
  return { key: w === 'early' ? 'courses.checkin.tooEarly' : 'courses.checkin.ended', params };
}

/** Marks the resident present from a scanned token; refusals are Refusals with clear messages. */
export async function checkIn(user: Express.User, token: unknown, now = new Date(), lang: Lang = 'zh-CN') {
  const check = verifyCheckinToken(token, now);
  if (!check.ok) throw new Refusal(check.key === 'courses.checkin.expired' ? 'gone' : 'invalid', check.key);
  const course = await courseOfSession(check.sessionId);
  if (!course) throw new Refusal('not-found', 'errors.notFound');
  if (course.status !== 'published') throw new Refusal('conflict', 'courses.errors.closed');
  const session = course.sessions.find((s) => String(s._id) === check.sessionId)!;
  const enrolment = user.role === 'resident' ? await activeEnrolment(String(course._id), user.id) : null;
  if (enrolment?.status !== 'confirmed') throw new Refusal('forbidden', 'courses.checkin.notEnrolled', { course: course.title });
  const refusal = checkinRefusal(session, lang, now);
  if (refusal) throw new Refusal('conflict', refusal.key, refusal.params);
  let at = now;
  try {
    const doc = await Attendance.create({
      course: course._id,
      session: session._id,
      resident: enrolment.resident,
      residentName: enrolment.residentName,
      method: 'qr',
      at: now,
    });
    at = doc.at;
  } catch (err) {
    if (isDuplicateKey(err)) throw new Refusal('conflict', 'courses.checkin.already', { course: course.title });
    throw err;
  }
  emit(rooms.session(check.sessionId), 'checkin', { resident: user.id, name: enrolment.residentName, at: at.toISOString() });
  return { course, session };
}

/** Live check-ins of a session are for staff who can manage its course (its socket room's rule). */
export async function mayWatchSession(user: Express.User | undefined, sessionId: string): Promise<boolean> {
  if (!user || (user.role !== 'staff' && user.role !== 'admin')) return false;
  const course = await courseOfSession(sessionId);
  return !!course && canActOnCenter(user, String(course.center));
}
